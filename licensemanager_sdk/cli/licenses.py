"""`lmsdk licenses`: list, get, create (from a JSON or YAML file) and usage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import yaml
from pydantic import ValidationError

from licensemanager_sdk.cli.options import Group, State, pass_state
from licensemanager_sdk.resources import License
from licensemanager_sdk.types import CreateLicenseRequest

__all__ = ["licenses"]


@click.group(cls=Group)
def licenses() -> None:
    """Create, read and list licenses; show usage."""


@licenses.command("list")
@click.option("--received", is_flag=True, help="Licenses granted to this account (default: issued by it).")
@click.option("--status", help="Only licenses with this status (AVAILABLE, DEACTIVATED, ...).")
@click.option("--sku", "product_sku", help="Only this ProductSKU.")
@click.option("--fingerprint", help="Only this issuer key fingerprint.")
@pass_state
def licenses_list(
    state: State, received: bool, status: str | None, product_sku: str | None, fingerprint: str | None
) -> None:
    """List licenses, one JSON object per line."""
    lm = state.lm
    columns = ["LicenseArn", "LicenseName", "ProductSKU", "Status", "Version"]
    if received:
        items: Iterator[Any] = (
            r.data for r in lm.licenses.list_received(status=status, product_sku=product_sku, fingerprint=fingerprint)
        )
    else:
        items = (lic.data for lic in lm.licenses.list(status=status, product_sku=product_sku, fingerprint=fingerprint))
    state.output.many(items, columns)


@licenses.command("get")
@click.argument("license_arn")
@pass_state
def licenses_get(state: State, license_arn: str) -> None:
    """Show one license (GetLicense)."""
    state.output.one(state.lm.licenses.get(license_arn).data, ["LicenseArn", "LicenseName", "ProductSKU", "Status"])


@licenses.command("create")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CreateLicense input in AWS names (JSON or YAML); ClientToken and HomeRegion are optional.",
)
@pass_state
def licenses_create(state: State, path: Path) -> None:
    """Create a license from a JSON or YAML file; prints LicenseArn, Status, Version."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))  # YAML is a superset of JSON
    except yaml.YAMLError as err:
        raise click.BadParameter(f"{path} is neither JSON nor YAML: {err}", param_hint="--file") from err
    if not isinstance(document, dict):
        raise click.BadParameter(f"{path} must hold one object (the CreateLicense input)", param_hint="--file")
    lm = state.lm
    document.setdefault("HomeRegion", lm.region_name)
    try:
        request = CreateLicenseRequest.model_validate(document)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors(include_url=False))
        raise click.BadParameter(
            f"{path} is not a valid CreateLicense input: {problems}", param_hint="--file"
        ) from None
    state.output.one(lm.api.create_license(request), ["LicenseArn", "Status", "Version"])


@licenses.command("usage")
@click.argument("license_arn")
@pass_state
def licenses_usage(state: State, license_arn: str) -> None:
    """Consumed and maximum quantity per entitlement (GetLicenseUsage), one line each."""
    usage = License(state.lm, license_arn).usage()
    state.output.many(usage.entitlement_usages, ["Name", "ConsumedValue", "MaxCount", "Unit"])
