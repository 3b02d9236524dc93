"""`lmsdk grants`: list; accept, activate and reject (one shared command); distribute to many accounts."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

import click

from licensemanager_sdk.cli.options import Group, State, pass_state
from licensemanager_sdk.resources import Grant

__all__ = ["grants"]

_DEFAULT_OPERATIONS = ("CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense", "ListPurchasedLicenses")

_STATUS_CHANGES: dict[str, tuple[Callable[[Grant], Grant], str]] = {
    "accept": (Grant.accept, "Accept a grant as its grantee (AcceptGrant)."),
    "activate": (
        Grant.accept_and_activate,
        "Accept (if needed) and activate a grant: the licenses become usable in this account.",
    ),
    "reject": (Grant.reject, "Reject a grant as its grantee (RejectGrant)."),
}


@click.group(cls=Group)
def grants() -> None:
    """List, accept, activate, reject and distribute grants."""


@grants.command("list")
@click.option("--distributed", is_flag=True, help="Grants this account created (default: grants it received).")
@click.option("--license", "license_arn", help="Only grants of this license ARN.")
@click.option("--status", help="Only grants with this status (ACTIVE, PENDING_ACCEPT, ...).")
@pass_state
def grants_list(state: State, distributed: bool, license_arn: str | None, status: str | None) -> None:
    """List grants, one JSON object per line."""
    lm = state.lm
    listing = (
        lm.grants.list_distributed(license_arn=license_arn, status=status)
        if distributed
        else lm.grants.list_received(license_arn=license_arn, status=status)
    )
    columns = ["GrantArn", "GrantName", "LicenseArn", "GranteePrincipalArn", "GrantStatus", "Version"]
    state.output.many((g.data for g in listing), columns)


def _add_status_change(name: str, change: Callable[[Grant], Grant], help_text: str) -> None:
    """Add `lmsdk grants NAME GRANT_ARN`: `change` the grant, print `{"GrantArn", "Status", "Version"}`."""

    @grants.command(name, help=help_text)
    @click.argument("grant_arn")
    @pass_state
    def status_change(state: State, grant_arn: str) -> None:
        grant = change(Grant(state.lm, grant_arn))
        status = None if grant.status is None else str(grant.status)
        state.output.one({"GrantArn": grant.arn, "Status": status, "Version": grant.version})


for _name, (_change, _help) in _STATUS_CHANGES.items():
    _add_status_change(_name, _change, _help)


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
@pass_state
def grants_distribute(
    state: State,
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
    lm = state.lm
    with ExitStack() as stack:
        # No progressbar(hidden=...): click 8.1, our floor, lacks it; --no-progress makes no bar at all.
        bar = (
            None
            if no_progress
            else stack.enter_context(click.progressbar(length=len(set(targets)), label="Granting", file=sys.stderr))
        )

        def progress(_done: int, _total: int, _outcome: object) -> None:
            if bar is not None:
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
    columns = ["principal", "outcome", "grant_arn", "grant_status", "error_code", "message"]
    state.output.many((asdict(item) for item in report.outcomes), columns)
    click.echo(str(report), err=True)
    if not report.ok:
        sys.exit(1)
