"""The root `lmsdk` group (the global options) and `main()`, which runs it with the command groups added."""

from __future__ import annotations

import click

from licensemanager_sdk.cli.checkout import checkout
from licensemanager_sdk.cli.grants import grants
from licensemanager_sdk.cli.licenses import licenses
from licensemanager_sdk.cli.local import local
from licensemanager_sdk.cli.options import Group, State
from licensemanager_sdk.cli.tokens import tokens

__all__ = ["lmsdk", "main"]


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--profile", envvar="AWS_PROFILE", help="AWS profile to use.")
@click.option("--region", envvar=["AWS_REGION", "AWS_DEFAULT_REGION"], help="AWS region (the license's home region).")
@click.option("--endpoint-url", help="Another endpoint, e.g. the local service: http://127.0.0.1:4566.")
@click.option("--max-attempts", type=click.IntRange(1), default=3, show_default=True, help="Attempts per call.")
@click.version_option(package_name="aws-license-manager-sdk", prog_name="lmsdk")
@click.pass_context
def lmsdk(
    ctx: click.Context, profile: str | None, region: str | None, endpoint_url: str | None, max_attempts: int
) -> None:
    """AWS License Manager managed entitlements from the shell. JSON lines by default (pipe into jq).

    --output, --debug and --debug-wire go before the command or after it.
    """
    state = ctx.ensure_object(State)
    state.profile = profile
    state.region = region
    state.endpoint_url = endpoint_url
    state.max_attempts = max_attempts


for _group in (licenses, grants, checkout, tokens, local):
    lmsdk.add_command(_group)


def main(argv: list[str] | None = None) -> None:
    """Run `lmsdk` on `argv` (default: the process's arguments); exits with the command's code."""
    lmsdk.main(args=argv, prog_name="lmsdk")
