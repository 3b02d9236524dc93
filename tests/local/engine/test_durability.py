"""Idempotency, rollback of failed calls, SQLite persistence across engines."""

from __future__ import annotations

import base64
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from licensemanager_sdk.local.core import store as _store
from licensemanager_sdk.local.core.settings import Settings
from licensemanager_sdk.local.engine import Caller, Engine

from .conftest import BUYER, SELLER, Api, active_grant, checkout, client_token, create_license, license_params


def test_same_client_token_replays_first_answer(seller: Api, buyer: Api) -> None:
    params = license_params()
    first = seller.CreateLicense(**params)
    assert seller.CreateLicense(**params) == first
    assert len(seller.ListLicenses()["Licenses"]) == 1
    assert seller.error("CreateLicense", **{**params, "LicenseName": "changed"}).code == "ValidationException"
    # another account may use the same token
    assert buyer.CreateLicense(**params)["LicenseArn"] != first["LicenseArn"]


def test_checkout_idempotency_does_not_double_consume(seller: Api, buyer: Api, engine: Engine) -> None:
    arn = create_license(seller, Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 2}])
    active_grant(seller, buyer, arn)
    token = client_token()
    first = checkout(buyer, ClientToken=token)
    assert checkout(buyer, ClientToken=token) == first
    assert buyer.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "1"
    engine.clock.advance(601)  # outside the idempotency window the token is new again
    assert checkout(buyer, ClientToken=token)["LicenseConsumptionToken"] != first["LicenseConsumptionToken"]


def test_failed_call_rolls_back_its_writes(engine: Engine, seller: Api) -> None:
    # CreateLicense first registers the unknown SignKey, then fails on the region check: nothing may remain.
    key_arn = f"arn:aws:kms:us-east-1:{SELLER}:key/99999999-2222-3333-4444-555555555555"
    params = license_params(Issuer={"Name": "My Company", "SignKey": key_arn})
    assert seller.in_region("eu-west-1").error("CreateLicense", **params).code == "RedirectException"
    with pytest.raises(KeyError):
        engine.kms_public_key_der(key_arn)
    assert seller.ListLicenses()["Licenses"] == []


def test_answered_writes_are_committed_before_handle_returns(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    eng = Engine(state_path=path)
    arn = create_license(Api(eng, SELLER))
    with closing(sqlite3.connect(path)) as other_connection:  # what a fresh process would read after kill -9
        rows = other_connection.execute("SELECT body FROM docs WHERE kind = 'license' AND key = ?", (arn,)).fetchall()
    assert len(rows) == 1
    eng.close()


def test_state_survives_a_new_engine(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    settings = Settings(reuse_rsa_keys=True)
    first = Engine(state_path=path, settings=settings)
    seller, buyer = Api(first, SELLER), Api(first, BUYER)
    key = first.handle(
        "kms", "CreateKey", {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}, Caller(SELLER, "us-east-1")
    )
    key_arn = key["KeyMetadata"]["Arn"]
    params = license_params(Issuer={"Name": "My Company", "SignKey": key_arn})
    arn = seller.CreateLicense(**params)["LicenseArn"]
    grant = active_grant(seller, buyer, arn)
    out = checkout(buyer)
    refresh = buyer.CreateToken(LicenseArn=arn, ClientToken=client_token())
    public_before = first.kms_public_key_der(key_arn)
    first.close()

    second = Engine(state_path=path, settings=settings)
    seller2, buyer2 = Api(second, SELLER), Api(second, BUYER)
    assert seller2.GetLicense(LicenseArn=arn)["License"]["LicenseArn"] == arn
    assert buyer2.GetGrant(GrantArn=grant)["Grant"]["GrantStatus"] == "ACTIVE"
    assert second.kms_public_key_der(key_arn) == public_before
    assert seller2.CreateLicense(**params)["LicenseArn"] == arn  # idempotency record persisted
    assert buyer2.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "1"
    assert buyer2.CheckInLicense(LicenseConsumptionToken=out["LicenseConsumptionToken"]) == {}
    access = second.handle("license-manager", "GetAccessToken", {"Token": refresh["Token"]}, Caller(BUYER, "us-east-1"))
    assert access["AccessToken"]
    signed = checkout(buyer2)["SignedToken"]
    public_pem = serialization.load_der_public_key(
        base64.b64decode(
            second.handle("kms", "GetPublicKey", {"KeyId": key_arn}, Caller(SELLER, "us-east-1"))["PublicKey"]
        )
    ).public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert jwt.decode(signed, public_pem, algorithms=["PS384"])["licenseArn"] == arn
    second.close()


def test_reset_drops_everything(engine: Engine, seller: Api) -> None:
    create_license(seller)
    engine.clock.advance(100)
    engine.reset()
    assert seller.ListLicenses()["Licenses"] == []
    assert engine.clock.offset == 0


def _checkpoint_threads() -> int:
    return sum(t.name == "licensemanager-sqlite-checkpoint" and t.is_alive() for t in threading.enumerate())


def test_checkpoints_run_off_the_commit_path_and_stop_on_close(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.sqlite3"
    monkeypatch.setattr(_store, "CHECKPOINT_INTERVAL_S", 3600.0)  # only the commit count wakes the thread
    monkeypatch.setattr(_store, "CHECKPOINT_EVERY_COMMITS", 3)
    threads_before = _checkpoint_threads()
    eng = Engine(state_path=path)
    assert _checkpoint_threads() == threads_before + 1
    seller = Api(eng, SELLER)
    first = create_license(seller)
    # Committed (a fresh connection sees it through the WAL), but no commit copied it into the database file.
    with closing(sqlite3.connect(path)) as reader:
        assert reader.execute("SELECT count(*) FROM docs WHERE key = ?", (first,)).fetchone() == (1,)
    assert first.encode() not in path.read_bytes()
    create_license(seller)
    create_license(seller)  # the third commit since start wakes the checkpoint thread
    deadline = time.monotonic() + 10
    while eng._store.checkpoints == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert eng._store.checkpoints >= 1
    assert first.encode() in path.read_bytes()  # copied back from the WAL by the background thread
    eng.close()
    assert _checkpoint_threads() == threads_before


_KILLED_CHILD = """
import os, signal, sys, uuid
from licensemanager_sdk.local.core import store as _store
from licensemanager_sdk.local.engine import Caller, Engine
eng = Engine(state_path=sys.argv[1])
seller = Caller("111111111111", "us-east-1")
params = {
    "LicenseName": "k9", "ProductName": "k9", "ProductSKU": "k9", "Issuer": {"Name": "K9 Corp"},
    "HomeRegion": "us-east-1", "Validity": {"Begin": "2020-01-01T00:00:00Z"},
    "Entitlements": [{"Name": "Users", "Unit": "Count", "MaxCount": 100000, "AllowCheckIn": True}],
    "Beneficiary": "b", "ConsumptionConfiguration": {"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
    "ClientToken": "k9",
}
arn = eng.handle("license-manager", "CreateLicense", params, seller)["LicenseArn"]
print(arn, flush=True)
for n in range(int(sys.argv[2])):
    out = eng.handle("license-manager", "CheckoutLicense", {
        "ProductSKU": "k9", "CheckoutType": "PROVISIONAL",
        "KeyFingerprint": "aws:111111111111:K9 Corp:issuer-fingerprint",
        "Beneficiary": "b", "Entitlements": [{"Name": "Users", "Unit": "Count", "Value": "1"}],
        "ClientToken": uuid.uuid4().hex}, seller)
    print(out["LicenseConsumptionToken"], flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_kill_9_after_many_commits_and_background_checkpoints_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    commits = _store.CHECKPOINT_EVERY_COMMITS * 2 + 7  # crosses background checkpoints, ends between two
    child = subprocess.run(
        [sys.executable, "-c", _KILLED_CHILD, str(path), str(commits)], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    arn, *tokens = child.stdout.split()
    assert len(tokens) == commits
    eng = Engine(state_path=path)
    seller = Api(eng, SELLER)
    usage = seller.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]
    assert usage["ConsumedValue"] == str(commits)
    assert seller.CheckInLicense(LicenseConsumptionToken=tokens[-1]) == {}
    assert seller.ExtendLicenseConsumption(LicenseConsumptionToken=tokens[0])["LicenseConsumptionToken"] == tokens[0]
    eng.close()
