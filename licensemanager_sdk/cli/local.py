"""`lmsdk local`: run the local License Manager over HTTP (the same as `python -m licensemanager_sdk.local`), and
seed a running one: `lmsdk local seed-marketplace-license ...`, `lmsdk local set-organization ...`,
`lmsdk local marketplace-public-key` (its `/_local/` control endpoints, at `--endpoint-url`)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

import click

from licensemanager_sdk.cli.options import Group, State, pass_state

__all__ = ["local"]

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"
_TIMEOUT_S = 30


@click.group("local", cls=Group, invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=4566, show_default=True, help="0 picks a free port.")
@click.option("--state", "state_path", help="SQLite file that keeps the state across restarts (default: memory).")
@click.option("--region", "local_region", default="us-east-1", show_default=True, help="Region of unsigned calls.")
@click.pass_context
def local(ctx: click.Context, host: str, port: int, state_path: str | None, local_region: str) -> None:
    """Run the local License Manager over HTTP (same as python -m licensemanager_sdk.local), or seed a running one.

    The seeding commands talk to the server at --endpoint-url (else AWS_ENDPOINT_URL, else http://127.0.0.1:4566).
    """
    if ctx.invoked_subcommand is not None:
        return
    from licensemanager_sdk.local.__main__ import main as serve  # lazy: only serving loads the emulator

    argv = ["--host", host, "--port", str(port), "--region", local_region]
    if state_path:
        argv += ["--state", state_path]
    sys.exit(serve(argv))


def _entitlement(text: str) -> dict[str, Any]:
    """`{"Name": ..., ...}` (JSON) or the shorthand `Name=Seats,Unit=Count,MaxCount=10`."""
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            raise click.BadParameter(f"not JSON: {err}") from None
        if not isinstance(value, dict):
            raise click.BadParameter("a JSON entitlement is an object")
        return value
    entitlement: dict[str, Any] = {}
    for item in text.split(","):
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{text!r}: use Name=...,Unit=...[,Value=...|,MaxCount=N] or a JSON object")
        value_text = raw.strip()
        converted: Any = value_text
        if key.strip() == "MaxCount" and value_text.isdigit():
            converted = int(value_text)
        elif key.strip() in ("Overage", "AllowCheckIn"):
            converted = value_text.lower() == "true"
        entitlement[key.strip()] = converted
    return entitlement


def _entitlements(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> list[dict[str, Any]]:
    return [_entitlement(value) for value in values]


def _endpoint(state: State) -> str:
    return (state.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT).rstrip("/")


def _control(state: State, method: str, path: str, payload: dict[str, Any] | None = None) -> bytes:
    """One request to the local service's control endpoint; a refusal exits 1 with the service's message."""
    url = _endpoint(state) + path
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as answer:
            body: bytes = answer.read()
            return body
    except urllib.error.HTTPError as err:
        detail = err.read().decode(errors="replace")
        with contextlib.suppress(ValueError, AttributeError):  # the service's JSON error message, when it is one
            detail = json.loads(detail).get("message", detail)
        raise click.ClickException(f"{method} {url}: HTTP {err.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as err:
        raise click.ClickException(
            f"cannot reach the local service at {_endpoint(state)} ({err}): start it with `lmsdk local --port 4566` "
            "or pass --endpoint-url"
        ) from None


@local.command("seed-marketplace-license")
@click.option("--buyer-account", required=True, help="The 12-digit account that bought the product.")
@click.option("--product-sku", required=True, help="The Marketplace product id the software checks out with.")
@click.option(
    "--entitlement",
    "entitlements",
    multiple=True,
    required=True,
    callback=_entitlements,
    help="Repeatable: Name=Seats,Unit=Count,MaxCount=10 or Name=PremiumTier,Unit=None,Value=Enabled or JSON.",
)
@click.option("--license-region", help="The license home region (default: the server's region).")
@click.option("--product-name", help="Product name shown on the license.")
@click.option("--validity-end", help="When the contract ends, ISO 8601 (e.g. 2030-01-01T00:00:00Z).")
@click.option("--signed/--unsigned", default=True, show_default=True, help="Checkouts answer a SignedToken.")
@pass_state
def seed_marketplace_license(
    state: State,
    buyer_account: str,
    product_sku: str,
    entitlements: list[dict[str, Any]],
    license_region: str | None,
    product_name: str | None,
    validity_end: str | None,
    signed: bool,
) -> None:
    """Seed an AWS Marketplace license for a buyer, its grant already ACTIVE; prints licenseArn and grantArn."""
    payload: dict[str, Any] = {
        "buyerAccount": buyer_account,
        "productSku": product_sku,
        "entitlements": entitlements,
        "signed": signed,
    }
    optional = {"region": license_region, "productName": product_name, "validityEnd": validity_end}
    payload.update({key: value for key, value in optional.items() if value is not None})
    state.output.one(json.loads(_control(state, "POST", "/_local/marketplace/licenses", payload)))


@local.command("set-organization")
@click.option("--organization-id", required=True, help="o-<10 to 32 lowercase letters or digits>.")
@click.option("--management-account", required=True, help="The 12-digit management account.")
@click.option("--account", "accounts", multiple=True, help="A member account (repeatable).")
@click.option("--ou", "ous", multiple=True, help="Repeatable: ou-<root>-<id>=ACCOUNT[,ACCOUNT...].")
@click.option("--all-features/--consolidated-billing", default=True, show_default=True)
@pass_state
def set_organization(
    state: State,
    organization_id: str,
    management_account: str,
    accounts: tuple[str, ...],
    ous: tuple[str, ...],
    all_features: bool,
) -> None:
    """Define (or replace) an AWS Organization in the local service; prints its ARN."""
    ou_map: dict[str, list[str]] = {}
    for item in ous:
        ou, sep, members = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: use ou-<root>-<id>=ACCOUNT[,ACCOUNT...]", param_hint="--ou")
        ou_map[ou.strip()] = [m.strip() for m in members.split(",") if m.strip()]
    payload = {
        "organizationId": organization_id,
        "managementAccount": management_account,
        "accounts": list(accounts),
        "ous": ou_map,
        "allFeatures": all_features,
    }
    state.output.one(json.loads(_control(state, "POST", "/_local/organization", payload)))


@local.command("marketplace-public-key")
@pass_state
def marketplace_public_key(state: State) -> None:
    """Print the PEM that verifies the SignedTokens of seeded Marketplace licenses."""
    click.echo(_control(state, "GET", "/_local/marketplace/public-key").decode("ascii"), nl=False)
