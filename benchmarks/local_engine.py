"""The local engine at scale: do list pages and checkouts cost the same however much state there is?

Each figure is a ratio against a baseline measured in the same run, printed with its target:
- walking every page (100 items each, through a boto3 client attached in process) of
  20,000 licenses vs 2,000, and of 20,000 distributed grants (one license distributed to 20,000 accounts) vs
  2,000: linear work is 10x, an offset-based walk was about 90x;
- a CheckoutLicense + CheckInLicense pair by a grantee, with 10,000 checkouts outstanding on the license vs 10.

State is seeded straight through the engine (the same code path as a request, without the wire) to keep each
figure within a minute; the measured calls go through boto3. Small and big are measured in alternation, best
of five rounds each.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from licensemanager_sdk.local import LocalLicenseManager, Settings
from licensemanager_sdk.local.core.caller import Caller

__all__ = ["run"]

SELLER, BUYER = "111111111111", "222222222222"
REGION = "us-east-1"
PAGE = 100
WALK_TARGET = 12.0
CHECKOUT_TARGET = 1.2
ROUNDS = 5
_tokens = itertools.count()


def _license(sku: str) -> dict[str, Any]:
    return {
        "LicenseName": "bench",
        "ProductName": "bench",
        "ProductSKU": sku,
        "Issuer": {"Name": "Bench"},
        "HomeRegion": REGION,
        "Validity": {"Begin": "2020-01-01T00:00:00Z"},
        "Entitlements": [{"Name": "Users", "Unit": "Count", "MaxCount": 1_000_000, "AllowCheckIn": True}],
        "Beneficiary": "bench",
        "ConsumptionConfiguration": {"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        "ClientToken": f"ct-{next(_tokens)}",
    }


def _grant(license_arn: str, account: str) -> dict[str, Any]:
    return {
        "ClientToken": f"ct-{next(_tokens)}",
        "GrantName": "bench",
        "LicenseArn": license_arn,
        "Principals": [f"arn:aws:iam::{account}:root"],
        "HomeRegion": REGION,
        "AllowedOperations": ["CheckoutLicense", "CheckInLicense", "ListPurchasedLicenses"],
    }


def _local() -> LocalLicenseManager:
    return LocalLicenseManager(settings=Settings(reuse_rsa_keys=True, max_grants_per_license=25_000))


def _call(local: LocalLicenseManager, account: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    return local.engine.handle("license-manager", operation, params, Caller(account, REGION))


def _walk(list_page: Callable[..., dict[str, Any]], key: str, count: int) -> Callable[[], float]:
    """A measurement: seconds walking every page, checking that `count` items were seen."""

    def measure() -> float:
        started = time.perf_counter()
        seen, kwargs = 0, {"MaxResults": PAGE}
        while True:
            page = list_page(**kwargs)
            seen += len(page[key])
            if "NextToken" not in page:
                break
            kwargs["NextToken"] = page["NextToken"]
        if seen != count:
            raise RuntimeError(f"walked {seen} items, expected {count}")
        return time.perf_counter() - started

    list_page(MaxResults=1)  # warm-up: the client's first call builds its operation models
    return measure


def _licenses(local: LocalLicenseManager, count: int) -> Callable[[], float]:
    for _ in range(count):
        _call(local, SELLER, "CreateLicense", _license("bench"))
    return _walk(local.boto3_client(account=SELLER).list_licenses, "Licenses", count)


def _grants(local: LocalLicenseManager, count: int) -> Callable[[], float]:
    arn = _call(local, SELLER, "CreateLicense", _license("bench"))["LicenseArn"]
    for i in range(count):
        _call(local, SELLER, "CreateGrant", _grant(arn, f"{300_000_000_000 + i:012d}"))
    return _walk(local.boto3_client(account=SELLER).list_distributed_grants, "Grants", count)


def _checkouts(local: LocalLicenseManager, outstanding: int) -> Callable[[], float]:
    """Seconds per CheckoutLicense + CheckInLicense pair by a grantee with `outstanding` other checkouts held."""
    arn = _call(local, SELLER, "CreateLicense", _license("bench"))["LicenseArn"]
    grant = _call(local, SELLER, "CreateGrant", _grant(arn, BUYER))["GrantArn"]
    _call(local, BUYER, "AcceptGrant", {"GrantArn": grant})
    _call(local, BUYER, "CreateGrantVersion", {"GrantArn": grant, "Status": "ACTIVE", "ClientToken": "activate"})
    request = {
        "ProductSKU": "bench",
        "KeyFingerprint": f"aws:{SELLER}:Bench:issuer-fingerprint",
        "Entitlements": [{"Name": "Users", "Unit": "Count", "Value": "1"}],
        "CheckoutType": "PROVISIONAL",
    }
    for _ in range(outstanding):
        _call(local, BUYER, "CheckoutLicense", {**request, "ClientToken": f"ct-{next(_tokens)}"})
    buyer = local.boto3_client(account=BUYER)

    def pair() -> None:
        token = buyer.checkout_license(**request, ClientToken=f"ct-{next(_tokens)}")["LicenseConsumptionToken"]
        buyer.check_in_license(LicenseConsumptionToken=token)

    def measure(pairs: int = 200) -> float:
        started = time.perf_counter()
        for _ in range(pairs):
            pair()
        return (time.perf_counter() - started) / pairs

    pair()
    return measure


def _compare(
    setup: Callable[[LocalLicenseManager, int], Callable[[], float]], small: int, big: int
) -> tuple[float, float]:
    """(big, small): best of rounds measured in alternation, so that load from elsewhere hits both alike."""
    with _local() as small_local, _local() as big_local:
        measure_small, measure_big = setup(small_local, small), setup(big_local, big)
        best_small = best_big = float("inf")
        for _ in range(ROUNDS):
            best_small = min(best_small, measure_small())
            best_big = min(best_big, measure_big())
    return best_big, best_small


def _ratio_line(label: str, big: float, small: float, target: float, unit: str) -> str:
    ratio = big / small
    verdict = "ok" if ratio <= target else "MISSED"
    return f"{label}: {ratio:.1f}x  [target <= {target:g}x] {verdict}  ({big:.3g} {unit} vs {small:.3g} {unit})"


def run() -> list[str]:
    big, small = _compare(_licenses, 2_000, 20_000)
    lines = [_ratio_line("walk 20,000 vs 2,000 licenses in pages of 100", big, small, WALK_TARGET, "s")]
    big, small = _compare(_grants, 2_000, 20_000)
    lines.append(_ratio_line("walk 20,000 vs 2,000 distributed grants in pages of 100", big, small, WALK_TARGET, "s"))
    big, small = _compare(_checkouts, 10, 10_000)
    lines.append(
        _ratio_line("checkout + check-in with 10,000 outstanding vs 10", big * 1e3, small * 1e3, CHECKOUT_TARGET, "ms")
    )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
