"""What every `lmsdk` command shares: the `State` the global options fill, `--output`/`--debug`/`--debug-wire`
(accepted before the group or after the subcommand, as the AWS CLI does), and the command classes that add them."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import boto3
import click

from licensemanager_sdk import ClientConfig, LicenseManager, RetryConfig
from licensemanager_sdk.cli.errors import exit_codes
from licensemanager_sdk.cli.output import Output

__all__ = ["Command", "Group", "State", "pass_state"]

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
        self._session: boto3.Session | None = None
        self._lm: LicenseManager | None = None

    @property
    def output(self) -> Output:
        return Output(self.fmt)

    def session(self) -> boto3.Session:
        if self._session is None:
            self._session = boto3.Session(profile_name=self.profile, region_name=self.region)
        return self._session

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
