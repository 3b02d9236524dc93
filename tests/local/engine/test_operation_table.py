"""The operation tables come from botocore's model: methods named by xform_name, idempotency from ClientToken."""

from __future__ import annotations

from typing import Any

from licensemanager_sdk.local.core.caller import Caller
from licensemanager_sdk.local.core.responses import OperationTable, ServiceResponses
from licensemanager_sdk.local.engine import Engine

_IDEMPOTENT = {
    "CreateLicense",
    "CreateLicenseVersion",
    "CreateGrant",
    "CreateGrantVersion",
    "CheckoutLicense",
    "CheckoutBorrowLicense",
    "CreateToken",
}


class _Partial(ServiceResponses):
    service = "license-manager"

    def create_license(self, _caller: Caller, _params: dict[str, Any]) -> dict[str, Any]:
        return {}

    def get_license(self, _caller: Caller, _params: dict[str, Any]) -> dict[str, Any]:
        return {}

    def not_an_operation(self) -> None:
        """A method whose name is no operation of the model: not in the table."""


def test_table_holds_exactly_the_methods_named_after_model_operations() -> None:
    table = OperationTable.of(_Partial())
    assert set(table.handlers) == {"CreateLicense", "GetLicense"}
    assert table.idempotent == {"CreateLicense"}


def test_engine_tables_match_the_implemented_operations() -> None:
    engine = Engine()
    try:
        lm = engine.operations("license-manager")
        assert len(lm) == 29
        assert {"CheckoutLicense", "GetAccessToken", "TagResource"} <= lm
        assert engine.operations("kms") == {"CreateKey", "DescribeKey", "GetPublicKey", "Sign", "Verify"}
        assert engine.operations("sts") == {"GetCallerIdentity", "AssumeRoleWithWebIdentity"}
        assert engine.operations("iam") == {
            "CreateRole",
            "GetRole",
            "DeleteRole",
            "ListRoles",
            "UpdateAssumeRolePolicy",
            "CreatePolicy",
            "GetPolicy",
            "DeletePolicy",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "ListAttachedRolePolicies",
        }
        assert engine.operations("organizations") == frozenset()
        assert engine._tables["license-manager"].idempotent == _IDEMPOTENT
        assert not engine.implements("license-manager", "CreateLicenseAssetGroup")
    finally:
        engine.close()
