"""`lmsdk tokens`: create (prints the refresh token once), list and delete refresh tokens."""

from __future__ import annotations

import click

from licensemanager_sdk.cli.options import Group, State, pass_state
from licensemanager_sdk.resources import Token

__all__ = ["tokens"]


@click.group(cls=Group)
def tokens() -> None:
    """Create, list and delete refresh tokens."""


@tokens.command("create")
@click.argument("license_arn")
@click.option("--role-arn", "role_arns", multiple=True, help="IAM role the token may assume (repeat).")
@click.option("--expiration-days", type=click.IntRange(1), help="Default: 365 (the service's).")
@click.option("--token-property", "token_properties", multiple=True, help="Up to 3 strings put in the token.")
@pass_state
def tokens_create(
    state: State,
    license_arn: str,
    role_arns: tuple[str, ...],
    expiration_days: int | None,
    token_properties: tuple[str, ...],
) -> None:
    """Create a refresh token; prints it ONCE (it is a secret: store it now)."""
    created = state.lm.tokens.create(
        license_arn,
        role_arns=list(role_arns) or None,
        expiration_in_days=expiration_days,
        token_properties=list(token_properties) or None,
    )
    line = {
        "TokenId": created.token.token_id,
        "TokenType": created.token_type,
        "Token": created.refresh_token.get_secret_value(),
    }
    state.output.one(line, ["TokenId", "TokenType", "Token"])


@tokens.command("list")
@click.option("--license", "license_arn", help="Only tokens of this license.")
@pass_state
def tokens_list(state: State, license_arn: str | None) -> None:
    """List this account's refresh tokens (never their secret value)."""
    listing = state.lm.tokens.list(license_arn=license_arn)
    state.output.many((t.data for t in listing), ["TokenId", "LicenseArn", "Status", "ExpirationTime"])


@tokens.command("delete")
@click.argument("token_id")
@pass_state
def tokens_delete(state: State, token_id: str) -> None:
    """Delete a refresh token (DeleteToken)."""
    Token(state.lm, token_id).delete()
    state.output.one({"TokenId": token_id, "Status": "DELETED"})
