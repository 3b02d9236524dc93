"""`lmsdk checkout`: try an entitlement check (check out, then in); verify a signed token offline."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from licensemanager_sdk.cli.options import RuntimeGroup, State, pass_state
from licensemanager_sdk.entitlements import verify

__all__ = ["checkout"]


@click.group(cls=RuntimeGroup)
def checkout() -> None:
    """Try an entitlement check; verify a signed token offline.

    With --role-arn, the calls use the role credentials a license refresh token gives (software outside AWS); the
    token comes from --refresh-token-file or $LMSDK_REFRESH_TOKEN, never from the command line."""


def _entitlement(value: str) -> tuple[str, int | None]:
    name, _, qty = value.partition("=")
    if not name:
        raise click.BadParameter(f"{value!r}: expected Name or Name=quantity", param_hint="--entitlement")
    if not qty:
        return name, None
    if not qty.isdigit() or int(qty) < 1:
        raise click.BadParameter(f"{value!r}: the quantity must be a positive whole number", param_hint="--entitlement")
    return name, int(qty)


@checkout.command("try")
@click.option("--sku", "product_sku", required=True, help="ProductSKU of the license.")
@click.option(
    "--fingerprint", required=True, help="Issuer key fingerprint (aws:<account>:<issuer>:issuer-fingerprint)."
)
@click.option(
    "--entitlement",
    "entitlements",
    multiple=True,
    required=True,
    help="Name=quantity for a counted entitlement, Name alone for an unlimited one (Unit None). Repeat.",
)
@click.option("--type", "checkout_type", type=click.Choice(["PROVISIONAL", "PERPETUAL"]), default="PROVISIONAL")
@click.option("--node-id")
@click.option("--beneficiary", help="For the issuer's own checkout: the license's Beneficiary.")
@click.option("--keep", is_flag=True, help="Do not check in afterwards (the seats stay out until they expire).")
@pass_state
def checkout_try(
    state: State,
    product_sku: str,
    fingerprint: str,
    entitlements: tuple[str, ...],
    checkout_type: str,
    node_id: str | None,
    beneficiary: str | None,
    keep: bool,
) -> None:
    """Check entitlements out, print what was granted, then check in (unless --keep or PERPETUAL)."""
    wanted = dict(_entitlement(e) for e in entitlements)
    lease = state.lm.entitlements.checkout(
        product_sku=product_sku,
        key_fingerprint=fingerprint,
        entitlements=wanted,
        checkout_type=checkout_type,
        node_id=node_id,
        beneficiary=beneficiary,
        keep_alive=False,
    )
    line = {
        "LicenseArn": lease.license_arn,
        "CheckoutType": lease.checkout_type,
        "EntitlementsAllowed": [
            e.model_dump(mode="json", by_alias=True, exclude_none=True) for e in lease.entitlements
        ],
        "Missing": [name for name in wanted if not lease.has(name)],
        "IssuedAt": lease.issued_at.isoformat(),
        "Expiration": lease.expiration.isoformat(),
        "NodeId": lease.node_id,
        "SignedToken": lease.signed_token,
    }
    if not keep:
        lease.release()
    state.output.one({k: v for k, v in line.items() if v is not None}, ["LicenseArn", "EntitlementsAllowed", "Missing"])


@checkout.command("verify")
@click.argument("token")
@click.option(
    "--public-key",
    "public_key_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Issuer public key file (PEM or DER).",
)
@click.option("--kms-key-id", help="The license's Issuer.SignKey: its public key is read with KMS GetPublicKey.")
@click.option("--license-arn", help="Refuse a token for another license.")
@click.option("--node-id", help="Refuse a token locked to another node.")
@pass_state
def checkout_verify(
    state: State,
    token: str,
    public_key_path: Path | None,
    kms_key_id: str | None,
    license_arn: str | None,
    node_id: str | None,
) -> None:
    """Verify a SignedToken offline (PS384); prints its claims. TOKEN may be '-' to read stdin."""
    if (public_key_path is None) == (kms_key_id is None):
        raise click.UsageError("give exactly one of --public-key FILE or --kms-key-id ID")
    text = sys.stdin.read().strip() if token == "-" else token
    if public_key_path is not None:
        verified = verify(text, public_key=public_key_path.read_bytes(), license_arn=license_arn, node_id=node_id)
    else:
        verified = verify(text, kms_key_id=kms_key_id, kms_client=state.kms(), license_arn=license_arn, node_id=node_id)
    state.output.one({"Valid": True, **verified.claims}, ["Valid", "licenseArn", "expiration", "nodeId"])
