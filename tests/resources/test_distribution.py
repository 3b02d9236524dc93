"""lm.grants.distribute: re-runnable, bounded, failure-isolated grant distribution, on the local service."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from licensemanager_sdk import DistributionReport, License, LicenseManager
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.resources import PrincipalOutcome
from licensemanager_sdk.resources.distribution import DEFAULT_RATE_LIMIT
from licensemanager_sdk.resources.distribution.plan import client_token as _client_token
from licensemanager_sdk.resources.distribution.rate import RateControl

from .conftest import BUYER, BUYER_ROOT, OTHER, SELLER, CallLog, make_license

OPS = ["CheckoutLicense", "ListPurchasedLicenses"]


def accounts(count: int, start: int = 100000000000) -> list[str]:
    return [str(start + index) for index in range(count)]


def grants_per_principal(lm: LicenseManager, license: License) -> Counter[str]:
    return Counter(grant.data.grantee_principal_arn or "" for grant in lm.grants.list_distributed(license_arn=license))


@pytest.fixture
def license(new_license: Callable[..., License]) -> License:
    return new_license()


def test_distribute_then_rerun_creates_nothing_twice(
    seller: LicenseManager, seller_log: CallLog, license: License
) -> None:
    principals = [*accounts(5), f"arn:aws:iam::{accounts(1)[0]}:root", accounts(1)[0]]  # the same account 3 times
    seen: list[tuple[int, int, PrincipalOutcome]] = []
    report = seller.grants.distribute(
        license, principals, OPS, grant_name="fleet", progress=lambda d, t, o: seen.append((d, t, o))
    )
    assert isinstance(report, DistributionReport) and report.ok
    assert [item.principal for item in report.outcomes] == [f"arn:aws:iam::{a}:root" for a in accounts(5)]
    assert len(report.created) == 5 and all(item.grant_arn and item.attempts == 1 for item in report.created)
    assert [(done, total) for done, total, _ in seen] == [(n, 5) for n in range(1, 6)]
    assert {o.principal for *_, o in seen} == {o.principal for o in report.outcomes}
    assert len(seller_log.of("CreateGrant")) == 5
    assert {call["GrantName"] for call in seller_log.of("CreateGrant")} == {"fleet"}
    assert len({call["ClientToken"] for call in seller_log.of("CreateGrant")}) == 5

    seller_log.clear()
    again = seller.grants.distribute(license, [*accounts(6)], OPS, grant_name="fleet")
    assert [item.outcome for item in again.outcomes] == ["already_present"] * 5 + ["created"]
    assert {item.grant_arn for item in again.already_present} == {item.grant_arn for item in report.created}
    assert seller_log.names().count("ListDistributedGrants") == 1  # one listing up front, not one per principal
    assert len(seller_log.of("CreateGrant")) == 1
    assert set(grants_per_principal(seller, license).values()) == {1}
    assert str(again).endswith(f"6 principals, 1 created, 5 already present, 0 failed, {again.elapsed:.1f} s")


def test_dead_grants_do_not_count_and_a_replayed_token_stays_one_grant(
    seller: LicenseManager, buyer: LicenseManager, license: License
) -> None:
    first = seller.grants.distribute(license, [BUYER], OPS, grant_name="g")
    buyer.grants.get(first.created[0].grant_arn or "").reject()
    second = seller.grants.distribute(license, [BUYER], OPS, grant_name="g2")  # REJECTED: a new grant is made
    assert [item.outcome for item in second.outcomes] == ["created"]
    assert second.created[0].grant_arn != first.created[0].grant_arn
    # Same name within the idempotency window: the service replays the first answer instead of creating again.
    assert _client_token(license.arn, BUYER_ROOT, "g") == _client_token(license.arn, BUYER_ROOT, "g")
    assert re.fullmatch(r"\S{1,64}", _client_token(license.arn, BUYER_ROOT, "g"))
    assert _client_token(license.arn, BUYER_ROOT, "g") != _client_token(license.arn, BUYER_ROOT, "g2")


def test_a_rerun_within_the_window_replaces_deleted_and_rejected_grants_and_nothing_else(
    local: LocalLicenseManager, seller: LicenseManager, buyer: LicenseManager, seller_log: CallLog, license: License
) -> None:
    principals = [BUYER, *accounts(3)]
    first = seller.grants.distribute(license, principals, OPS, grant_name="fleet")
    assert len(first.created) == 4
    old = {item.principal: item.grant_arn or "" for item in first.outcomes}
    rejected, deleted, accepted, untouched = (f"arn:aws:iam::{a}:root" for a in [BUYER, *accounts(3)[:3]])
    buyer.grants.get(old[rejected]).reject()
    seller.grants.get(old[deleted]).delete()
    local.client(account=accounts(3)[1]).grants.get(old[accepted]).accept()  # DISABLED: accepted, still live
    first_tokens = {call["ClientToken"] for call in seller_log.of("CreateGrant")}

    seller_log.clear()
    again = seller.grants.distribute(license, principals, OPS, grant_name="fleet")  # same name, within 10 minutes
    assert [item.outcome for item in again.outcomes] == ["created", "created", "already_present", "already_present"]
    assert seller_log.names().count("ListDistributedGrants") == 1
    calls = seller_log.of("CreateGrant")
    assert len(calls) == 2 and not first_tokens & {call["ClientToken"] for call in calls}  # new idempotency keys
    replaced = {item.principal: item for item in again.created}
    assert replaced[rejected].grant_arn not in (None, old[rejected])
    assert replaced[deleted].grant_arn not in (None, old[deleted])
    assert replaced[rejected].message == f"replaces {old[rejected]} (REJECTED)"
    assert replaced[deleted].message == f"replaces {old[deleted]} (DELETED)"
    assert [(item.grant_arn, item.grant_status) for item in again.already_present] == [
        (old[accepted], "DISABLED"),
        (old[untouched], "PENDING_ACCEPT"),
    ]
    live = Counter(
        grant.data.grantee_principal_arn or ""
        for grant in seller.grants.list_distributed(license_arn=license)
        if str(grant.status) not in {"REJECTED", "DELETED"}
    )
    assert live == Counter(dict.fromkeys(old, 1))  # every principal one live grant, no duplicate
    assert seller.grants.get(replaced[rejected].grant_arn or "").status == "PENDING_ACCEPT"
    assert seller.grants.get(replaced[deleted].grant_arn or "").status == "PENDING_ACCEPT"

    seller_log.clear()
    third = seller.grants.distribute(license, principals, OPS, grant_name="fleet")
    assert [item.outcome for item in third.outcomes] == ["already_present"] * 4
    assert seller_log.of("CreateGrant") == []
    assert {item.grant_arn for item in third.outcomes} == {
        replaced[rejected].grant_arn,
        replaced[deleted].grant_arn,
        old[accepted],
        old[untouched],
    }


def test_the_token_depends_on_the_dead_grants_not_their_order_and_a_dry_run_names_them(
    seller: LicenseManager, buyer: LicenseManager, license: License
) -> None:
    token = _client_token(license.arn, BUYER_ROOT, "g")
    assert _client_token(license.arn, BUYER_ROOT, "g", ()) == token  # no dead grant: the token runs before gave
    one = _client_token(license.arn, BUYER_ROOT, "g", ["arn:b", "arn:a"])
    assert one == _client_token(license.arn, BUYER_ROOT, "g", ["arn:a", "arn:b"]) and re.fullmatch(r"\S{1,64}", one)
    assert len({token, one, _client_token(license.arn, BUYER_ROOT, "g", ["arn:a"])}) == 3

    dead = seller.grants.distribute(license, [BUYER], OPS, grant_name="g").created[0].grant_arn or ""
    buyer.grants.get(dead).reject()
    plan = seller.grants.distribute(license, [BUYER, OTHER], OPS, grant_name="g", dry_run=True)
    assert [(item.outcome, item.message) for item in plan.outcomes] == [
        ("would_create", f"replaces {dead} (REJECTED)"),
        ("would_create", None),
    ]


def test_concurrent_reruns_make_one_replacement(seller: LicenseManager, seller_log: CallLog, license: License) -> None:
    principal = f"arn:aws:iam::{accounts(1)[0]}:root"
    dead = seller.grants.distribute(license, accounts(1), OPS, grant_name="g").created[0].grant_arn or ""
    seller.grants.get(dead).delete()
    other: list[DistributionReport] = []
    started: list[bool] = []

    def run_another_first(**_: object) -> None:  # a second run that listed the same state overtakes this one
        if not started:
            started.append(True)
            other.append(seller.grants.distribute(license, accounts(1), OPS, grant_name="g"))

    seller.boto3_client.meta.events.register_first("before-call.license-manager.CreateGrant", run_another_first)
    seller_log.clear()
    report = seller.grants.distribute(license, accounts(1), OPS, grant_name="g")
    assert [item.outcome for item in report.outcomes] == ["created"]
    assert [item.outcome for item in other[0].outcomes] == ["created"]
    assert report.created[0].grant_arn == other[0].created[0].grant_arn != dead  # the same token: one grant
    assert len({call["ClientToken"] for call in seller_log.of("CreateGrant")}) == 1
    assert grants_per_principal(seller, license) == Counter({principal: 2})  # the dead one and its replacement


def test_a_rerun_after_a_lost_answer_finds_the_replacement(
    local: LocalLicenseManager, seller: LicenseManager, seller_log: CallLog, license: License
) -> None:
    principal = f"arn:aws:iam::{accounts(1)[0]}:root"
    dead = seller.grants.distribute(license, accounts(1), OPS, grant_name="g").created[0].grant_arn or ""
    seller.grants.get(dead).delete()
    local.inject_fault("CreateGrant", "ServerInternalException", times=3, phase="after")  # made, answers lost
    lost = seller.grants.distribute(license, accounts(1), OPS, grant_name="g", attempts_per_principal=1)
    assert [item.outcome for item in lost.outcomes] == ["failed"]
    seller_log.clear()
    again = seller.grants.distribute(license, accounts(1), OPS, grant_name="g")
    assert [(item.outcome, item.grant_status) for item in again.outcomes] == [("already_present", "PENDING_ACCEPT")]
    assert again.outcomes[0].grant_arn != dead and seller_log.of("CreateGrant") == []
    assert grants_per_principal(seller, license) == Counter({principal: 2})


def test_a_failed_principal_never_stops_the_others(
    local: LocalLicenseManager, seller: LicenseManager, license: License
) -> None:
    local.inject_fault("CreateGrant", "AccessDeniedException", times=1)
    report = seller.grants.distribute(license, [*accounts(3), SELLER], OPS, grant_name="g", concurrency=1)
    assert [item.outcome for item in report.outcomes] == ["failed", "created", "created", "failed"]
    denied, self_grant = report.failed
    assert denied.error_code == "AccessDeniedException" and denied.attempts == 1  # not retried: a 4xx
    assert denied.reason is not None and denied.reason.startswith("AccessDeniedException: Injected fault")
    assert self_grant.principal == f"arn:aws:iam::{SELLER}:root" and self_grant.error_code == "ValidationException"
    assert not report.ok and report.summary() == {
        "total": 4,
        "created": 2,
        "already_present": 0,
        "failed": 2,
        "would_create": 0,
    }


def test_throttling_and_lost_responses_give_zero_duplicates_and_lose_nobody(
    local: LocalLicenseManager, seller: LicenseManager, seller_log: CallLog, license: License
) -> None:
    principals = accounts(40)
    local.inject_fault("CreateGrant", "RateLimitExceededException", times=25)
    local.inject_fault("CreateGrant", "ServerInternalException", times=10, phase="after")  # done, answer lost
    report = seller.grants.distribute(
        license, principals, OPS, grant_name="g", concurrency=8, rate_limit=None, attempts_per_principal=12
    )  # 35 faults in all: even one unlucky principal taking every one of them gets through
    assert report.ok and len(report.created) == 40
    assert [item.principal for item in report.outcomes] == [f"arn:aws:iam::{a}:root" for a in principals]
    assert grants_per_principal(seller, license) == Counter({f"arn:aws:iam::{a}:root": 1 for a in principals})
    assert len(seller_log.of("CreateGrant")) == 40 + 25 + 10  # every retry re-sent the same ClientToken
    tokens = Counter(call["ClientToken"] for call in seller_log.of("CreateGrant"))
    assert len(tokens) == 40


def test_residual_throttling_is_retried_per_principal_then_reported(
    local: LocalLicenseManager, seller: LicenseManager, license: License
) -> None:
    local.inject_fault("CreateGrant", "RateLimitExceededException", times=3)  # all 3 attempts of the client
    report = seller.grants.distribute(license, accounts(2), OPS, grant_name="g", concurrency=1)
    assert [(item.outcome, item.attempts) for item in report.outcomes] == [("created", 2), ("created", 1)]

    local.inject_fault("CreateGrant", "RateLimitExceededException", times=6)
    worn = seller.grants.distribute(
        license, accounts(2, start=200000000000), OPS, grant_name="g", concurrency=1, attempts_per_principal=2
    )
    assert [(item.outcome, item.error_code, item.attempts) for item in worn.outcomes] == [
        ("failed", "RateLimitExceededException", 2),
        ("created", None, 1),
    ]


def test_dry_run_writes_nothing(seller: LicenseManager, seller_log: CallLog, license: License) -> None:
    seller.grants.distribute(license, accounts(2), OPS, grant_name="g")
    seller_log.clear()
    plan = seller.grants.distribute(license, accounts(4), OPS, grant_name="g", dry_run=True)
    assert plan.dry_run and [item.outcome for item in plan.outcomes] == ["already_present"] * 2 + ["would_create"] * 2
    assert seller_log.names() == ["ListDistributedGrants"]
    assert "2 to create, 2 already present (dry run)" in str(plan)
    assert len(plan.would_create) == 2


def test_report_as_json_and_csv(
    local: LocalLicenseManager, seller: LicenseManager, license: License, tmp_path: Path
) -> None:
    seller.grants.distribute(license, accounts(1), OPS, grant_name="g")
    local.inject_fault("CreateGrant", "AccessDeniedException", times=1, message="no, thanks")
    report = seller.grants.distribute(license, accounts(3), OPS, grant_name="g", concurrency=1)

    report.to_json(tmp_path / "report.json")
    document = json.loads((tmp_path / "report.json").read_text())
    assert document["license_arn"] == license.arn and document["grant_name"] == "g" and not document["dry_run"]
    assert document["summary"] == {"total": 3, "created": 1, "already_present": 1, "failed": 1, "would_create": 0}
    rows = document["principals"]
    assert [row["outcome"] for row in rows] == ["already_present", "failed", "created"]
    assert rows[1] == {
        "principal": f"arn:aws:iam::{accounts(3)[1]}:root",
        "outcome": "failed",
        "grant_arn": None,
        "grant_status": None,
        "error_code": "AccessDeniedException",
        "message": "no, thanks",
        "attempts": 1,
    }

    buffer = io.StringIO()
    report.to_csv(buffer)
    table = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert list(table[0]) == ["principal", "outcome", "grant_arn", "grant_status", "error_code", "message", "attempts"]
    assert [(row["outcome"], row["error_code"], row["attempts"]) for row in table] == [
        ("already_present", "", "0"),
        ("failed", "AccessDeniedException", "1"),
        ("created", "", "1"),
    ]
    report.to_csv(str(tmp_path / "report.csv"))
    assert (tmp_path / "report.csv").read_text().splitlines()[0].startswith("principal,outcome")


def test_arguments_are_checked_before_any_call(seller: LicenseManager, seller_log: CallLog, license: License) -> None:
    seller_log.clear()
    with pytest.raises(ValueError, match="neither a 12-digit account id"):
        seller.grants.distribute(license, [BUYER, "bob"], OPS, grant_name="g")
    with pytest.raises(TypeError, match="not one string"):
        seller.grants.distribute(license, BUYER, OPS, grant_name="g")
    with pytest.raises(ValueError, match="concurrency"):
        seller.grants.distribute(license, [BUYER], OPS, grant_name="g", concurrency=0)
    with pytest.raises(ValueError, match="rate_limit"):
        seller.grants.distribute(license, [BUYER], OPS, grant_name="g", rate_limit=0)
    with pytest.raises(ValueError, match="allowed_operations"):
        seller.grants.distribute(license, [BUYER], [], grant_name="g")
    with pytest.raises(ValueError, match="AllowedOperation"):
        seller.grants.distribute(license, [BUYER], ["Nope"], grant_name="g")
    assert seller_log.calls == []
    empty = seller.grants.distribute(license.arn, [], OPS, grant_name="g")
    assert empty.outcomes == () and empty.ok


class FakeTime:
    """An injected clock and sleep: sleeping moves the clock, nothing really waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def control(self, ceiling: float | None, burst: float = 4.0) -> RateControl:
        return RateControl(ceiling, burst=burst, clock=self, sleep=self.sleep)

    def send(self, control: RateControl, calls: int, over: float) -> None:
        """`calls` acquisitions spread evenly over `over` seconds of demand (the control may stretch them)."""
        for _ in range(calls):
            self.now += over / calls
            control.acquire()


def test_adaptive_is_the_default_and_starts_uncapped() -> None:
    assert DEFAULT_RATE_LIMIT is None
    clock = FakeTime()
    control = clock.control(None)
    for _ in range(1000):
        control.acquire()
    assert control.rate is None and clock.slept == [] and clock.now == 0.0
    for _ in range(100):
        control.succeeded()
    assert control.rate is None


def test_congestion_caps_at_about_half_the_measured_rate() -> None:
    clock = FakeTime()
    control = clock.control(None)
    clock.send(control, 200, over=2.0)  # 100 calls/s
    assert control.measured() == pytest.approx(100.0)
    control.congested()  # every call completed since the start was congested
    assert control.rate == pytest.approx(50.0)
    start = clock.now
    clock.send(control, 50, over=0.01)  # the demand would be 5,000/s: the cap holds it near 50/s
    assert clock.now - start == pytest.approx(1.0, abs=0.05)


def test_a_small_congested_share_trims_and_signals_within_an_epoch_are_one_event() -> None:
    clock = FakeTime()
    control = clock.control(None)
    clock.send(control, 100, over=1.0)
    for _ in range(9):
        control.succeeded()
    control.congested()  # 1 call in 10: the cap is 95% of the measured rate
    assert control.rate == pytest.approx(95.0)
    for _ in range(20):
        control.congested()  # the same epoch: counted, no further cut
    assert control.rate == pytest.approx(95.0)
    clock.now += 0.25
    control.congested()  # next epoch: 21 congested calls of 21
    assert control.rate == pytest.approx(47.5)


def test_repeated_congestion_halves_down_to_the_floor_and_drops_the_burst() -> None:
    clock = FakeTime()
    control = clock.control(64.0, burst=8.0)
    rates = []
    for _ in range(10):
        clock.now += 0.25
        control.congested()
        rates.append(control.rate)
    assert rates == [32.0, 16.0, 8.0, 4.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0]  # never below 1 call per second
    start = clock.now
    control.acquire()  # no saved burst: the first call waits for its token
    assert clock.now - start == pytest.approx(1.0)


def test_successes_recover_and_an_adaptive_cap_is_lifted_once_quiet() -> None:
    clock = FakeTime()
    control = clock.control(None)
    clock.send(control, 100, over=1.0)
    control.congested()
    assert control.rate == pytest.approx(50.0)
    clock.now += 0.5
    control.succeeded()  # within a window of the last signal: grows by 20% a second, not lifted
    assert control.rate == pytest.approx(55.0)
    clock.send(control, 50, over=1.0)  # 50 calls/s: under the cap
    control.succeeded()  # quiet for a window, but the cap (66/s) is not twice the measured rate (50/s)
    assert control.rate == pytest.approx(66.0)
    clock.now += 1.0  # nothing sent for a second: the cap is far above the demand
    control.succeeded()
    assert control.rate is None


def test_a_fixed_rate_limit_is_never_exceeded_and_recovers_only_up_to_it() -> None:
    clock = FakeTime()
    control = clock.control(10.0, burst=2.0)
    sent = []
    for _ in range(52):
        control.acquire()
        sent.append(clock.now)
    assert clock.now == pytest.approx(5.0)  # 2 at once, then 10 per second
    assert all(sum(1 for t in sent if start <= t < start + 1.0) <= 10 + 2 for start in sent)
    clock.now += 0.25
    control.congested()
    assert control.rate == pytest.approx(5.0)
    start = clock.now
    for _ in range(5):
        control.acquire()
    assert clock.now - start == pytest.approx(1.0)
    clock.now += 10.0
    for _ in range(10):
        control.succeeded()
    assert control.rate == 10.0  # back to the ceiling, never above it, never lifted


def test_the_default_rate_control_reacts_to_retried_calls_and_loses_nobody(
    local: LocalLicenseManager, seller: LicenseManager, seller_log: CallLog, license: License
) -> None:
    attempts = [0]

    def every_fifth(**_: object) -> None:  # throttle every 5th attempt, retries included: 20% spread over the run
        attempts[0] += 1
        if attempts[0] % 5 == 0:
            local.inject_fault("CreateGrant", "RateLimitExceededException", times=1)

    seller.boto3_client.meta.events.register("before-call.license-manager.CreateGrant", every_fifth)
    local.inject_fault("CreateGrant", "ServerInternalException", times=5, phase="after")  # done, answer lost
    principals = accounts(60)
    report = seller.grants.distribute(license, principals, OPS, grant_name="g", concurrency=8)  # default rate control
    assert report.ok and len(report.created) == 60
    assert grants_per_principal(seller, license) == Counter({f"arn:aws:iam::{a}:root": 1 for a in principals})
    assert len({call["ClientToken"] for call in seller_log.of("CreateGrant")}) == 60
    assert len(seller_log.of("CreateGrant")) == attempts[0] > 60


def test_over_http_warns_when_threads_outnumber_connections(
    local: LocalLicenseManager, caplog: pytest.LogCaptureFixture
) -> None:
    from licensemanager_sdk import ClientConfig, RetryConfig

    server = local.serve()
    try:
        config = ClientConfig(max_pool_connections=2, retry=RetryConfig(sleep=lambda _: None))
        lm = LicenseManager(endpoint_url=server.url, region_name="us-east-1", config=config)
        license = make_license(lm)
        with caplog.at_level("WARNING", logger="licensemanager_sdk"):
            report = lm.grants.distribute(license, accounts(6), OPS, grant_name="g", concurrency=4, rate_limit=None)
        assert report.ok and len(report.created) == 6
        assert "ClientConfig(max_pool_connections=4)" in caplog.text
    finally:
        server.stop()
