"""Token snapshots and lm.tokens against the local service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import SecretStr

from licensemanager_sdk import License, LicenseManager, ResourceNotFoundError, Token
from licensemanager_sdk.resources import CreatedToken

from .conftest import CallLog


def test_create_hides_the_refresh_token(seller: LicenseManager, new_license: Callable[..., License]) -> None:
    license = new_license()
    created = license.create_token(token_properties=["node-1"], expiration_in_days=30)
    assert isinstance(created, CreatedToken)
    assert isinstance(created.refresh_token, SecretStr)
    secret = created.refresh_token.get_secret_value()
    assert secret.count(".") == 2  # a JWT
    assert secret not in repr(created) and secret not in str(created.refresh_token)
    assert created.token_type == "REFRESH_TOKEN"
    token = created.token
    assert not token.is_loaded and repr(token) == f"Token(token_id={token.token_id!r})"
    assert token.data.license_arn == license.arn and token.data.token_properties == ["node-1"]
    assert token.status == "AVAILABLE"


def test_reload_is_list_tokens_by_id(
    seller: LicenseManager, seller_log: CallLog, new_license: Callable[..., License]
) -> None:
    token = seller.tokens.create(new_license()).token
    seller_log.clear()
    fresh = token.reload()
    assert fresh == token and fresh.is_loaded
    assert seller_log.calls == [("ListTokens", {"TokenIds": [token.token_id]})]
    assert seller.tokens.get(token.token_id) == token
    with pytest.raises(ResourceNotFoundError, match="returned no such token"):
        Token(seller, "00000000-0000-0000-0000-000000000000").reload()


def test_list_filters_split_and_delete(
    seller: LicenseManager, seller_log: CallLog, new_license: Callable[..., License]
) -> None:
    one, two = new_license(sku="a"), new_license(sku="b")
    t1 = one.create_token().token
    t2 = two.create_token().token
    t3 = two.create_token().token
    seller_log.clear()
    assert set(seller.tokens.list(license_arn=[one, two.arn])) == {t1, t2, t3}
    assert [c["Filters"] for c in seller_log.of("ListTokens")] == [
        [{"Name": "LicenseArns", "Values": [one.arn]}],
        [{"Name": "LicenseArns", "Values": [two.arn]}],
    ]
    assert list(seller.tokens.list(license_arn=one)) == [t1]
    assert set(seller.tokens.list(token_ids=[t2.token_id, t3.token_id], page_size=1)) == {t2, t3}
    t1.delete()
    assert t1.reload().status == "DELETED"


def test_get_access_token(seller: LicenseManager, new_license: Callable[..., License]) -> None:
    created = new_license().create_token()
    access = seller.tokens.get_access_token(created.refresh_token)
    assert isinstance(access, SecretStr) and access.get_secret_value().count(".") == 2
    also = seller.tokens.get_access_token(created.refresh_token.get_secret_value())
    assert also.get_secret_value().count(".") == 2
