"""The click application of `lmsdk` (imported only when click is installed; see `_cli.main`)."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from licensemanager_sdk._cli_output import Output
from licensemanager_sdk._exceptions import LicenseManagerError, ServiceError, TransportError

if TYPE_CHECKING:
    from licensemanager_sdk._client import LicenseManager

__all__ = ["cli"]

F = TypeVar("F", bound=Callable[..., Any])

_DEFAULT_OPERATIONS = ("CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense", "ListPurchasedLicenses")


class _State:
    """What the global options chose; the client is built on first use."""

    def __init__(
        self, profile: str | None, region: str | None, endpoint_url: str | None, max_attempts: int, output: Output
    ) -> None:
        self.output = output
        self.profile = profile
        self.region = region
        self.endpoint_url = endpoint_url
        self.max_attempts = max_attempts
        self._lm: LicenseManager | None = None
        self._session: Any = None

    def session(self) -> Any:
        if self._session is None:
            import boto3

            self._session = boto3.Session(profile_name=self.profile, region_name=self.region)
        return self._session

    @property
    def lm(self) -> LicenseManager:
        if self._lm is None:
            from licensemanager_sdk import ClientConfig, LicenseManager, RetryConfig

            self._lm = LicenseManager(
                session=self.session(),
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                config=ClientConfig(retry=RetryConfig(max_attempts=self.max_attempts)),
            )
        return self._lm

    def kms(self) -> Any:
        """A KMS client on the same credentials, region and endpoint (for `checkout verify --kms-key-id`)."""
        return self.session().client("kms", region_name=self.region, endpoint_url=self.endpoint_url)


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _errors(func: F) -> F:
    """Exit 1 with code, message and request id on stderr for service and transport errors; 2 for bad input."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError

        try:
            return func(*args, **kwargs)
        except ValueError as err:  # RequestValidationError too: bad input, nothing was sent
            raise click.UsageError(str(err)) from err
        except ServiceError as err:
            request = f" (request id: {err.request_id})" if err.request_id else ""
            _fail(f"{err.error_code}: {err.message}{request}")
        except TransportError as err:
            _fail(f"TransportError: {err}")
        except LicenseManagerError as err:
            _fail(f"{type(err).__name__}: {err}")
        except BotoCoreError as err:
            _fail(f"{type(err).__name__}: {err}")

    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature click reads


def _state(ctx: click.Context) -> _State:
    state = ctx.find_object(_State)
    assert state is not None
    return state


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--profile", envvar="AWS_PROFILE", help="AWS profile to use.")
@click.option("--region", envvar=["AWS_REGION", "AWS_DEFAULT_REGION"], help="AWS region (the license's home region).")
@click.option("--endpoint-url", help="Another endpoint, e.g. the local service: http://127.0.0.1:4566.")
@click.option("--max-attempts", type=click.IntRange(1), default=3, show_default=True, help="Attempts per call.")
@click.option("--output", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--debug", is_flag=True, help="Log the SDK at DEBUG level on stderr.")
@click.version_option(package_name="aws-license-manager-sdk", prog_name="lmsdk")
@click.pass_context
def cli(
    ctx: click.Context,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
    max_attempts: int,
    fmt: str,
    debug: bool,
) -> None:
    """AWS License Manager managed entitlements from the shell. JSON lines by default (pipe into jq)."""
    if debug:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    ctx.obj = _State(profile, region, endpoint_url, max_attempts, Output(fmt))


# -- licenses ---------------------------------------------------------------------------------------


@cli.group()
def licenses() -> None:
    """Create, read and list licenses; show usage."""


@licenses.command("list")
@click.option("--received", is_flag=True, help="Licenses granted to this account (default: issued by it).")
@click.option("--status", help="Only licenses with this status (AVAILABLE, DEACTIVATED, ...).")
@click.option("--sku", "product_sku", help="Only this ProductSKU.")
@click.option("--fingerprint", help="Only this issuer key fingerprint.")
@click.pass_context
@_errors
def licenses_list(
    ctx: click.Context, received: bool, status: str | None, product_sku: str | None, fingerprint: str | None
) -> None:
    """List licenses, one JSON object per line."""
    lm = _state(ctx).lm
    columns = ["LicenseArn", "LicenseName", "ProductSKU", "Status", "Version"]
    if received:
        items: Iterator[Any] = (
            r.data for r in lm.licenses.list_received(status=status, product_sku=product_sku, fingerprint=fingerprint)
        )
    else:
        items = (lic.data for lic in lm.licenses.list(status=status, product_sku=product_sku, fingerprint=fingerprint))
    _state(ctx).output.many(items, columns)


@licenses.command("get")
@click.argument("license_arn")
@click.pass_context
@_errors
def licenses_get(ctx: click.Context, license_arn: str) -> None:
    """Show one license (GetLicense)."""
    lm = _state(ctx).lm
    _state(ctx).output.one(lm.licenses.get(license_arn).data, ["LicenseArn", "LicenseName", "ProductSKU", "Status"])


@licenses.command("create")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CreateLicense input in AWS names (JSON or YAML); ClientToken and HomeRegion are optional.",
)
@click.pass_context
@_errors
def licenses_create(ctx: click.Context, path: Path) -> None:
    """Create a license from a JSON or YAML file; prints LicenseArn, Status, Version."""
    import yaml

    from licensemanager_sdk.types import CreateLicenseRequest

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))  # YAML is a superset of JSON
    except yaml.YAMLError as err:
        raise click.BadParameter(f"{path} is neither JSON nor YAML: {err}", param_hint="--file") from err
    if not isinstance(document, dict):
        raise click.BadParameter(f"{path} must hold one object (the CreateLicense input)", param_hint="--file")
    from pydantic import ValidationError

    lm = _state(ctx).lm
    document.setdefault("HomeRegion", lm.region_name)
    try:
        request = CreateLicenseRequest.model_validate(document)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors(include_url=False))
        raise click.BadParameter(
            f"{path} is not a valid CreateLicense input: {problems}", param_hint="--file"
        ) from None
    response = lm.api.create_license(request)
    _state(ctx).output.one(response, ["LicenseArn", "Status", "Version"])


@licenses.command("usage")
@click.argument("license_arn")
@click.pass_context
@_errors
def licenses_usage(ctx: click.Context, license_arn: str) -> None:
    """Consumed and maximum quantity per entitlement (GetLicenseUsage), one line each."""
    from licensemanager_sdk.resources import License

    usage = License(_state(ctx).lm, license_arn).usage()
    _state(ctx).output.many(usage.entitlement_usages, ["Name", "ConsumedValue", "MaxCount", "Unit"])


# -- grants -----------------------------------------------------------------------------------------


@cli.group()
def grants() -> None:
    """List, accept, activate, reject and distribute grants."""


@grants.command("list")
@click.option("--distributed", is_flag=True, help="Grants this account created (default: grants it received).")
@click.option("--license", "license_arn", help="Only grants of this license ARN.")
@click.option("--status", help="Only grants with this status (ACTIVE, PENDING_ACCEPT, ...).")
@click.pass_context
@_errors
def grants_list(ctx: click.Context, distributed: bool, license_arn: str | None, status: str | None) -> None:
    """List grants, one JSON object per line."""
    lm = _state(ctx).lm
    listing = (
        lm.grants.list_distributed(license_arn=license_arn, status=status)
        if distributed
        else lm.grants.list_received(license_arn=license_arn, status=status)
    )
    columns = ["GrantArn", "GrantName", "LicenseArn", "GranteePrincipalArn", "GrantStatus", "Version"]
    _state(ctx).output.many((g.data for g in listing), columns)


def _grant_line(arn: str | None, status: object, version: str | None) -> dict[str, Any]:
    return {"GrantArn": arn, "Status": None if status is None else str(status), "Version": version}


@grants.command("accept")
@click.argument("grant_arn")
@click.pass_context
@_errors
def grants_accept(ctx: click.Context, grant_arn: str) -> None:
    """Accept a grant as its grantee (AcceptGrant)."""
    from licensemanager_sdk.resources import Grant

    grant = Grant(_state(ctx).lm, grant_arn).accept()
    _state(ctx).output.one(_grant_line(grant.arn, grant.status, grant.version))


@grants.command("activate")
@click.argument("grant_arn")
@click.pass_context
@_errors
def grants_activate(ctx: click.Context, grant_arn: str) -> None:
    """Accept (if needed) and activate a grant: the licenses become usable in this account."""
    from licensemanager_sdk.resources import Grant

    grant = Grant(_state(ctx).lm, grant_arn).accept_and_activate()
    _state(ctx).output.one(_grant_line(grant.arn, grant.status, grant.version))


@grants.command("reject")
@click.argument("grant_arn")
@click.pass_context
@_errors
def grants_reject(ctx: click.Context, grant_arn: str) -> None:
    """Reject a grant as its grantee (RejectGrant)."""
    from licensemanager_sdk.resources import Grant

    grant = Grant(_state(ctx).lm, grant_arn).reject()
    _state(ctx).output.one(_grant_line(grant.arn, grant.status, grant.version))


def _read_accounts(path: Path | None, ids: tuple[str, ...]) -> list[str]:
    found = list(ids)
    if path is not None:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        for line in text.splitlines():
            item = line.split("#", 1)[0].strip().split(",", 1)[0].strip()
            if item:
                found.append(item)
    return found


@grants.command("distribute")
@click.option("--license", "license_arn", required=True, help="The license to grant.")
@click.option(
    "--accounts",
    "accounts_file",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="File with one account id or principal ARN per line (first CSV column; '#' comments; '-' for stdin).",
)
@click.argument("principals", nargs=-1)
@click.option(
    "--operation",
    "operations",
    multiple=True,
    help=f"Allowed operation (repeat); default: {', '.join(_DEFAULT_OPERATIONS)}.",
)
@click.option("--grant-name", help="Default: the license's name.")
@click.option("--concurrency", type=click.IntRange(1), default=16, show_default=True)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this .json or .csv file.",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be created.")
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@click.pass_context
@_errors
def grants_distribute(
    ctx: click.Context,
    license_arn: str,
    accounts_file: Path | None,
    principals: tuple[str, ...],
    operations: tuple[str, ...],
    grant_name: str | None,
    concurrency: int,
    report_path: Path | None,
    dry_run: bool,
    no_progress: bool,
) -> None:
    """Grant a license to many accounts; one JSON line per principal. Exit 1 if any principal failed."""
    if report_path is not None and report_path.suffix.lower() not in (".json", ".csv"):
        raise click.BadParameter("the report file must end in .json or .csv", param_hint="--report")
    targets = _read_accounts(accounts_file, principals)
    if not targets:
        raise click.UsageError("name the accounts: --accounts FILE and/or account ids as arguments")
    lm = _state(ctx).lm
    with click.progressbar(length=len(set(targets)), label="Granting", file=sys.stderr, hidden=no_progress) as bar:

        def progress(_done: int, _total: int, _outcome: object) -> None:
            bar.update(1)

        report = lm.grants.distribute(
            license_arn,
            targets,
            list(operations or _DEFAULT_OPERATIONS),
            grant_name=grant_name,
            concurrency=concurrency,
            dry_run=dry_run,
            progress=progress,
        )
    if report_path is not None:
        (report.to_csv if report_path.suffix.lower() == ".csv" else report.to_json)(report_path)
    from dataclasses import asdict

    columns = ["principal", "outcome", "grant_arn", "grant_status", "error_code", "message"]
    _state(ctx).output.many((asdict(item) for item in report.outcomes), columns)
    click.echo(str(report), err=True)
    if not report.ok:
        sys.exit(1)


# -- checkout ---------------------------------------------------------------------------------------


@cli.group()
def checkout() -> None:
    """Try an entitlement check; verify a signed token offline."""


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
@click.pass_context
@_errors
def checkout_try(
    ctx: click.Context,
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
    lease = _state(ctx).lm.entitlements.checkout(
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
    _state(ctx).output.one(
        {k: v for k, v in line.items() if v is not None}, ["LicenseArn", "EntitlementsAllowed", "Missing"]
    )


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
@click.pass_context
@_errors
def checkout_verify(
    ctx: click.Context,
    token: str,
    public_key_path: Path | None,
    kms_key_id: str | None,
    license_arn: str | None,
    node_id: str | None,
) -> None:
    """Verify a SignedToken offline (PS384); prints its claims. TOKEN may be '-' to read stdin."""
    from licensemanager_sdk.entitlements import verify

    if (public_key_path is None) == (kms_key_id is None):
        raise click.UsageError("give exactly one of --public-key FILE or --kms-key-id ID")
    text = sys.stdin.read().strip() if token == "-" else token
    if public_key_path is not None:
        verified = verify(text, public_key=public_key_path.read_bytes(), license_arn=license_arn, node_id=node_id)
    else:
        verified = verify(
            text, kms_key_id=kms_key_id, kms_client=_state(ctx).kms(), license_arn=license_arn, node_id=node_id
        )
    _state(ctx).output.one({"Valid": True, **verified.claims}, ["Valid", "licenseArn", "expiration", "nodeId"])


# -- tokens -----------------------------------------------------------------------------------------


@cli.group()
def tokens() -> None:
    """Create, list and delete refresh tokens."""


@tokens.command("create")
@click.argument("license_arn")
@click.option("--role-arn", "role_arns", multiple=True, help="IAM role the token may assume (repeat).")
@click.option("--expiration-days", type=click.IntRange(1), help="Default: 365 (the service's).")
@click.option("--token-property", "token_properties", multiple=True, help="Up to 3 strings put in the token.")
@click.pass_context
@_errors
def tokens_create(
    ctx: click.Context,
    license_arn: str,
    role_arns: tuple[str, ...],
    expiration_days: int | None,
    token_properties: tuple[str, ...],
) -> None:
    """Create a refresh token; prints it ONCE (it is a secret: store it now)."""
    created = _state(ctx).lm.tokens.create(
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
    _state(ctx).output.one(line, ["TokenId", "TokenType", "Token"])


@tokens.command("list")
@click.option("--license", "license_arn", help="Only tokens of this license.")
@click.pass_context
@_errors
def tokens_list(ctx: click.Context, license_arn: str | None) -> None:
    """List this account's refresh tokens (never their secret value)."""
    listing = _state(ctx).lm.tokens.list(license_arn=license_arn)
    _state(ctx).output.many((t.data for t in listing), ["TokenId", "LicenseArn", "Status", "ExpirationTime"])


@tokens.command("delete")
@click.argument("token_id")
@click.pass_context
@_errors
def tokens_delete(ctx: click.Context, token_id: str) -> None:
    """Delete a refresh token (DeleteToken)."""
    from licensemanager_sdk.resources import Token

    Token(_state(ctx).lm, token_id).delete()
    _state(ctx).output.one({"TokenId": token_id, "Status": "DELETED"})


# -- local ------------------------------------------------------------------------------------------


@cli.command("local")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=4566, show_default=True, help="0 picks a free port.")
@click.option("--state", "state_path", help="SQLite file that keeps the state across restarts (default: memory).")
@click.option("--region", "local_region", default="us-east-1", show_default=True, help="Region of unsigned calls.")
def local(host: str, port: int, state_path: str | None, local_region: str) -> None:
    """Run the local License Manager over HTTP (same as python -m licensemanager_sdk.local)."""
    from licensemanager_sdk.local.__main__ import main as serve

    argv = ["--host", host, "--port", str(port), "--region", local_region]
    if state_path:
        argv += ["--state", state_path]
    sys.exit(serve(argv))
