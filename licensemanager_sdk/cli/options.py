"""What every `lmsdk` command shares: the `State` the global options fill, `--output`/`--debug`/`--debug-wire`
(accepted before the group or after the subcommand, as the AWS CLI does), and the command classes that add them.

Runtime commands (`RuntimeGroup`: `lmsdk checkout ...`) also take `--role-arn` with a refresh token read from
`--refresh-token-file PATH` or the `LMSDK_REFRESH_TOKEN` environment variable, never from the command line (argv is
visible to every user of the machine): their calls then use the role credentials the token gives."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import boto3
import click
from pydantic import SecretStr

from licensemanager_sdk import ClientConfig, LicenseManager, RetryConfig
from licensemanager_sdk.cli.errors import exit_codes
from licensemanager_sdk.cli.output import Output
from licensemanager_sdk.credentials import refresh_token_session

__all__ = [
    "REFRESH_TOKEN_ENV",
    "ROLE_ARN_ENV",
    "Command",
    "Group",
    "RuntimeCommand",
    "RuntimeGroup",
    "State",
    "pass_state",
]

#: The environment variable a runtime command reads the refresh token from (when no --refresh-token-file is given).
REFRESH_TOKEN_ENV = "LMSDK_REFRESH_TOKEN"
#: The environment variable that stands for --role-arn.
ROLE_ARN_ENV = "LMSDK_ROLE_ARN"

_WIRE_WARNING = (
    "warning: --debug-wire logs botocore's requests and responses, bodies included: they hold refresh, access and "
    "consumption tokens. Do not share this output."
)


class State:
    """What the options chose. The session and the client are built on first use, after every option was read."""

    def __init__(self) -> None:
        self.profile: str | None = None
        self.region: str | None = None
        self.endpoint_url: str | None = None
        self.max_attempts = 3
        self.fmt = "json"
        self.debug = False
        self.debug_wire = False
        self.role_arn: str | None = None
        self.refresh_token_file: Path | None = None
        self._session: boto3.Session | None = None
        self._lm: LicenseManager | None = None

    @property
    def output(self) -> Output:
        return Output(self.fmt)

    def session(self) -> boto3.Session:
        if self._session is None:
            if self.role_arn is not None or self.refresh_token_file is not None:
                self._session = self._refresh_token_session()
            else:
                self._session = boto3.Session(profile_name=self.profile, region_name=self.region)
        return self._session

    def _refresh_token_session(self) -> boto3.Session:
        """Role credentials from the refresh token (file, else environment) for --role-arn."""
        if self.role_arn is None:
            raise click.UsageError("--refresh-token-file needs --role-arn: the role the token's credentials assume.")
        if self.refresh_token_file is not None:
            token = self.refresh_token_file.read_text(encoding="utf-8").strip()
        else:
            token = os.environ.get(REFRESH_TOKEN_ENV, "").strip()
        if not token:
            raise click.UsageError(
                f"--role-arn needs the refresh token: --refresh-token-file PATH, or the {REFRESH_TOKEN_ENV} "
                "environment variable (never on the command line)."
            )
        return refresh_token_session(
            SecretStr(token), role_arn=self.role_arn, region_name=self.region, endpoint_url=self.endpoint_url
        )

    @property
    def lm(self) -> LicenseManager:
        if self._lm is None:
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


pass_state = click.make_pass_decorator(State, ensure=True)


@contextmanager
def _debug_logs(state: State) -> Iterator[None]:
    """While a command runs: the loggers `--debug`/`--debug-wire` asked for at DEBUG on stderr; restored afterwards."""
    names = ["licensemanager_sdk"] if state.debug or state.debug_wire else []
    if state.debug_wire:
        click.echo(_WIRE_WARNING, err=True)
        names.append("botocore")
    with ExitStack() as stack:
        for name in names:
            logger = logging.getLogger(name)
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
            stack.callback(logger.setLevel, logger.level)
            stack.callback(logger.removeHandler, handler)
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
        yield


def _set_output(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(State).fmt = value


def _set_flag(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and param.name in ("debug", "debug_wire"):
        setattr(ctx.ensure_object(State), param.name, True)


def _set_state(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is not None and param.name is not None:
        setattr(ctx.ensure_object(State), param.name, value)


def _refresh_token_options() -> list[click.Parameter]:
    return [
        click.Option(
            ["--role-arn"],
            envvar=ROLE_ARN_ENV,
            expose_value=False,
            callback=_set_state,
            help=f"Act as this role, with credentials from the license's refresh token (or ${ROLE_ARN_ENV}).",
        ),
        click.Option(
            ["--refresh-token-file"],
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            expose_value=False,
            callback=_set_state,
            help=f"File holding the refresh token for --role-arn (else ${REFRESH_TOKEN_ENV}; never on argv).",
        ),
    ]


def _shared_options() -> list[click.Parameter]:
    output = click.Option(
        ["--output"],
        type=click.Choice(["json", "table"]),
        expose_value=False,
        callback=_set_output,
        help="json (default: one object per line) or table.",
    )
    flags = {
        "--debug": "The SDK's own log (licensemanager_sdk.*) at DEBUG on stderr.",
        "--debug-wire": "Also botocore's wire log on stderr: it PRINTS SECRETS (the tokens in request bodies).",
    }
    return [
        output,
        *(
            click.Option([flag], is_flag=True, expose_value=False, callback=_set_flag, help=text)
            for flag, text in flags.items()
        ),
    ]


class Command(click.Command):
    """A command that takes the shared options after its name too and turns SDK errors into exit codes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(_shared_options())

    def invoke(self, ctx: click.Context) -> Any:
        with _debug_logs(ctx.ensure_object(State)), exit_codes():
            return super().invoke(ctx)


class Group(click.Group):
    """A command group that takes the shared options too; its commands are `Command`s."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(_shared_options())


class RuntimeCommand(Command):
    """A command software runs at a customer's site: also `--role-arn` and `--refresh-token-file`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(_refresh_token_options())


class RuntimeGroup(Group):
    """A group of runtime commands (`RuntimeCommand`s)."""

    command_class = RuntimeCommand
