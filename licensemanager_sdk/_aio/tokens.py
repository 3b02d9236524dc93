"""`AsyncToken` (a refresh-token snapshot), `AsyncCreatedToken` and `lm.tokens` of `AsyncLicenseManager`: the same
methods and parameters as the sync `Token`, `CreatedToken` and `Tokens`; `list()` yields `AsyncToken` snapshots."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from licensemanager_sdk._aio._base import AsyncSnapshot
from licensemanager_sdk._aio.licenses import AsyncLicense
from licensemanager_sdk._exceptions import ResponseValidationError
from licensemanager_sdk.resources.tokens import _LIST, not_found

if TYPE_CHECKING:
    from pydantic import SecretStr

    from licensemanager_sdk._async_client import AsyncLicenseManager
    from licensemanager_sdk.pagination import AsyncPaginator
    from licensemanager_sdk.resources._listing import OneOrMany
    from licensemanager_sdk.types import ListTokensResponse, TokenData

__all__ = ["AsyncCreatedToken", "AsyncToken", "AsyncTokens"]


class AsyncToken(AsyncSnapshot["TokenData"]):
    """A refresh token snapshot: `.data` (a `TokenData`), never the token's secret value."""

    _noun, _wire_id = "token", "TokenId"
    __slots__ = ()

    @staticmethod
    def _identity_of(data: TokenData) -> str | None:
        return data.token_id

    @property
    def token_id(self) -> str:
        return self._identity

    @property
    def status(self) -> str | None:
        """`data.status`: AVAILABLE or DELETED."""
        return self.data.status

    async def reload(self) -> AsyncToken:
        """A new snapshot with the token's current data (`ListTokens(TokenIds=[id])`; there is no GetToken)."""
        return await self._lm.tokens.get(self.token_id)

    async def delete(self) -> None:
        """Delete the token (`DeleteToken`); access tokens can no longer be made from it."""
        await self._lm.tokens.delete(self.token_id)

    def __repr__(self) -> str:
        return f"AsyncToken(token_id={self.token_id!r})"


class AsyncCreatedToken:
    """What `await lm.tokens.create()` returns: the `AsyncToken` and its refresh token, shown only this once."""

    __slots__ = ("refresh_token", "token", "token_type")

    def __init__(self, token: AsyncToken, refresh_token: SecretStr, token_type: str | None) -> None:
        self.token = token
        self.refresh_token = refresh_token
        self.token_type = token_type

    def __repr__(self) -> str:
        return f"AsyncCreatedToken(token={self.token!r}, refresh_token=SecretStr('**********'))"


class AsyncTokens:
    """`lm.tokens` of the async client: create, get, list, delete and exchange refresh tokens."""

    def __init__(self, lm: AsyncLicenseManager) -> None:
        self._lm = lm

    async def create(
        self,
        license: AsyncLicense | str,
        *,
        role_arns: list[str] | None = None,
        expiration_in_days: int | None = None,
        token_properties: list[str] | None = None,
        client_token: str | None = None,
    ) -> AsyncCreatedToken:
        """Create a refresh token for a license (`CreateToken`), as `LicenseManager.tokens.create`; the token is read
        back (`ListTokens`) so `created.token.data` is there."""
        arn = license.arn if isinstance(license, AsyncLicense) else license
        response = await self._lm.api.create_token(
            license_arn=arn,
            role_arns=role_arns,
            expiration_in_days=expiration_in_days,
            token_properties=token_properties,
            client_token=client_token,
        )
        if not response.token_id or response.token is None:
            raise ResponseValidationError("CreateToken answered without TokenId or Token")
        token_type = None if response.token_type is None else str(response.token_type)
        return AsyncCreatedToken(await self.get(response.token_id), response.token, token_type)

    async def get(self, token_id: str) -> AsyncToken:
        """The token `token_id` (`ListTokens(TokenIds=[id])`)."""
        response = await self._lm.api.list_tokens(token_ids=[token_id])
        for item in response.tokens:
            if item.token_id == token_id:
                return AsyncToken(self._lm, item)
        raise not_found(token_id, response)

    async def delete(self, token_id: str) -> None:
        """Delete the token `token_id` (`DeleteToken`)."""
        await self._lm.api.delete_token(token_id=token_id)

    def list(
        self,
        *,
        license_arn: OneOrMany[AsyncLicense | str] | None = None,
        token_ids: builtins.list[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPaginator[AsyncToken, ListTokensResponse]:
        """This account's tokens (`ListTokens`), `async for`, as `AsyncToken` snapshots; deleted ones too (status
        DELETED). `license_arn` takes one value or several (one call each, merged by token id)."""
        return _LIST.paginate_async(
            self._lm.api,
            self._token,
            key=lambda item: item.token_id,
            filters={"license_arn": license_arn},
            token_ids=token_ids,
            page_size=page_size,
            max_items=max_items,
        )

    async def get_access_token(
        self, refresh_token: SecretStr | str, *, token_properties: builtins.list[str] | None = None
    ) -> SecretStr:
        """Exchange a refresh token for a one-hour access token (`GetAccessToken`)."""
        response = await self._lm.api.get_access_token(token=refresh_token, token_properties=token_properties)
        if response.access_token is None:
            raise ResponseValidationError("GetAccessToken answered without an AccessToken")
        return response.access_token

    def _token(self, data: TokenData) -> AsyncToken:
        return AsyncToken(self._lm, data)
