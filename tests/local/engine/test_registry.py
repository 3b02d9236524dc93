"""One registry of services (`local/services.py`): the engine, the dispatcher, the attach and fault injection
all take their service lists from it."""

from __future__ import annotations

import pytest

from licensemanager_sdk.local.engine import Engine
from licensemanager_sdk.local.server import dispatch
from licensemanager_sdk.local.server.attach import SUPPORTED_SERVICES
from licensemanager_sdk.local.server.injection import FaultBoard, FaultRule
from licensemanager_sdk.local.services import QUERY_SERVICES, REGISTRY, SERVICE_NAMES, json_targets


def test_every_list_comes_from_the_registry(engine: Engine) -> None:
    assert [r.name for r in REGISTRY] == ["license-manager", "kms", "sts", "iam"]
    assert SUPPORTED_SERVICES == SERVICE_NAMES == {"license-manager", "kms", "sts", "iam"}
    assert set(engine._tables) == SERVICE_NAMES
    assert json_targets() == {"AWSLicenseManager": "license-manager", "TrentService": "kms"}
    assert QUERY_SERVICES == ("sts", "iam")


def test_fault_injection_accepts_registered_services_only() -> None:
    board = FaultBoard()
    board.add_fault(FaultRule("sts", "GetCallerIdentity", "Throttling", 1, "before"))
    board.add_fault(FaultRule("iam", "GetRole", "Throttling", 1, "before"))
    with pytest.raises(ValueError, match="license-manager, kms, sts, iam"):
        board.add_fault(FaultRule("organizations", "DescribeOrganization", "Throttling", 1, "before"))


def test_query_requests_route_to_the_service_their_scope_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dispatch, "QUERY_SERVICES", ("sts", "iam"))
    form = {"content-type": "application/x-www-form-urlencoded"}
    iam = {"authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, Signature=0"}
    assert dispatch._query_service(iam, b"Action=GetRole") == "iam"
    assert dispatch._query_service(form, b"Action=GetCallerIdentity") == "sts"
    assert dispatch._query_service({}, b"{}") is None
