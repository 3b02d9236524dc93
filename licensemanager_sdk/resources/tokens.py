"""`Token` (a refresh-token snapshot), `CreatedToken` and the `lm.tokens` namespace."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from pydantic import SecretStr

from licensemanager_sdk._exceptions import ResponseValidationError
from licensemanager_sdk._generated._api import Api
from licensemanager_sdk._generated._errors import ResourceNotFoundError
from licensemanager_sdk.pagination import Paginator
from licensemanager_sdk.resources._base import Resource
from licensemanager_sdk.resources._listing import FilterOn, Listing, OneOrMany
from licensemanager_sdk.resources.licenses import License
from licensemanager_sdk.types import ListTokensResponse, TokenData

if TYPE_CHECKING:
    from licensemanager_sdk._client import LicenseManager

__all__ = ["CreatedToken", "Token", "Tokens", "not_found"]

_LIST: Listing[TokenData, ListTokensResponse] = Listing(
    Api.list_tokens, lambda response: response.tokens, {"license_arn": FilterOn("LicenseArns")}
)


class Token(Resource["TokenData"]):
    """A refresh token, identified by its token id. `.data` (a `TokenData`) loads with `ListTokens(TokenIds=[id])`.

    The token's secret value is never part of it: `tokens.create()` returns it once, in `CreatedToken`.
    """

    __slots__ = ()
    _id_name = "token_id"

    @property
    def token_id(self) -> str:
        return self._id

    @property
    def status(self) -> str | None:
        """`data.status`: AVAILABLE or DELETED."""
        return self.data.status

    def _load(self) -> TokenData:
        response = self._lm.api.list_tokens(token_ids=[self._id])
        for item in response.tokens:
            if item.token_id == self._id:
                return item
        raise not_found(self._id, response)

    def reload(self) -> Token:
        """A new snapshot with the token's current data (`ListTokens(TokenIds=[id])`; there is no GetToken)."""
        return Token(self._lm, self._id, data=self._load())

    def delete(self) -> None:
        """Delete the token (`DeleteToken`); access tokens can no longer be made from it."""
        self._lm.api.delete_token(token_id=self._id)


def not_found(token_id: str, response: ListTokensResponse) -> ResourceNotFoundError:
    """The error for a `ListTokens(TokenIds=[token_id])` that did not list the token."""
    metadata = response.response_metadata
    return ResourceNotFoundError(
        operation="ListTokens",
        error_code="ResourceNotFoundException",
        message=f"ListTokens(TokenIds=[{token_id!r}]) returned no such token: "
        "it does not exist or belongs to another account",
        request_id=metadata.request_id if metadata else None,
        status_code=metadata.http_status_code if metadata else None,
    )


class CreatedToken:
    """What `tokens.create()` returns: the `Token` and its refresh token, a secret shown only this once.

    `refresh_token` is a `SecretStr`: `repr`/`str` show `**********`; `.get_secret_value()` reads it.
    """

    __slots__ = ("refresh_token", "token", "token_type")

    def __init__(self, token: Token, refresh_token: SecretStr, token_type: str | None) -> None:
        self.token = token
        self.refresh_token = refresh_token
        self.token_type = token_type

    def __repr__(self) -> str:
        return f"CreatedToken(token={self.token!r}, refresh_token=SecretStr('**********'))"


class Tokens:
    """`lm.tokens`: create, list and exchange refresh tokens. Resource methods live on `Token`."""

    def __init__(self, client: LicenseManager) -> None:
        self._lm = client

    def create(
        self,
        license: License | str,
        *,
        role_arns: list[str] | None = None,
        expiration_in_days: int | None = None,
        token_properties: list[str] | None = None,
        client_token: str | None = None,
    ) -> CreatedToken:
        """Create a refresh token for a license (`CreateToken`), e.g. for software running outside AWS.

        Args:
            license: a `License` or license ARN (the token's `aud`).
            role_arns: IAM roles the token may assume (AssumeRoleWithWebIdentity).
            expiration_in_days: default 365 (the service's).
            token_properties: up to 3 strings put in the token (`amr`).

        Returns:
            `CreatedToken(token=Token, refresh_token=SecretStr)`: store the refresh token now; it is not shown again.
        """
        arn = license.arn if isinstance(license, License) else license
        response = self._lm.api.create_token(
            license_arn=arn,
            role_arns=role_arns,
            expiration_in_days=expiration_in_days,
            token_properties=token_properties,
            client_token=client_token,
        )
        if not response.token_id or response.token is None:
            raise ResponseValidationError("CreateToken answered without TokenId or Token")
        token_type = None if response.token_type is None else str(response.token_type)
        return CreatedToken(Token(self._lm, response.token_id), response.token, token_type)

    def get(self, token_id: str) -> Token:
        """The token `token_id`, loaded now (`ListTokens(TokenIds=[id])`)."""
        return Token(self._lm, token_id).reload()

    def list(
        self,
        *,
        license_arn: OneOrMany[License | str] | None = None,
        token_ids: list[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Paginator[Token, ListTokensResponse]:
        """This account's tokens (`ListTokens`), lazily; deleted ones too (status DELETED).

        `license_arn` (the `LicenseArns` filter) takes one value or several; several mean one call each,
        merged and de-duplicated by token id.
        """
        return _LIST.paginate(
            self._lm.api,
            self._token,
            filters={"license_arn": license_arn},
            token_ids=token_ids,
            page_size=page_size,
            max_items=max_items,
        )

    def get_access_token(
        self, refresh_token: SecretStr | str, *, token_properties: builtins.list[str] | None = None
    ) -> SecretStr:
        """Exchange a refresh token for a one-hour access token (`GetAccessToken`), for AssumeRoleWithWebIdentity.

        Args:
            refresh_token: `CreatedToken.refresh_token` (or the JWT string).
            token_properties: properties the token must carry.
        """
        response = self._lm.api.get_access_token(token=refresh_token, token_properties=token_properties)
        if response.access_token is None:
            raise ResponseValidationError("GetAccessToken answered without an AccessToken")
        return response.access_token

    def _token(self, data: TokenData) -> Token:
        if not data.token_id:
            raise ResponseValidationError("a listed token has no TokenId")
        return Token(self._lm, data.token_id, data=data)
