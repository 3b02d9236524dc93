"""Exit codes of `lmsdk`: 1 with `error: ...` on stderr when the service, the transport or a check failed; 2 (a click
usage error) for input refused before anything was sent."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from botocore.exceptions import BotoCoreError

from licensemanager_sdk import LicenseManagerError, ServiceError, TransportError

__all__ = ["exit_codes"]


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@contextmanager
def exit_codes() -> Iterator[None]:
    """Turn SDK and botocore errors raised inside into the exit codes above (code, message and request id)."""
    try:
        yield
    except ValueError as err:  # RequestValidationError too: bad input, nothing was sent
        raise click.UsageError(str(err)) from err
    except ServiceError as err:
        request = f" (request id: {err.request_id})" if err.request_id else ""
        _fail(f"{err.error_code}: {err.message}{request}")
    except TransportError as err:
        _fail(f"TransportError: {err}")
    except (LicenseManagerError, BotoCoreError) as err:
        _fail(f"{type(err).__name__}: {err}")
