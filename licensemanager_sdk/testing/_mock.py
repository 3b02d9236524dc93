"""`mock_license_manager`: License Manager from a fresh in-process engine for every boto3 client in the process.

How: while the context is active, `botocore.hooks.HierarchicalEmitter.emit` (the class every client's event
emitter is) answers the `before-send` event of License Manager requests itself, ahead of every registered handler
(moto's `BotocoreStubber` included), with the engine's real wire bytes. Clients made before or after entering, in
any session, are covered; the original `emit` is put back on exit, so nothing is intercepted afterwards. Alone, the
engine also answers KMS, STS and the other services it implements; inside moto's `mock_aws` those go to moto.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import sys
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar, cast, overload
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.hooks import HierarchicalEmitter

from ..local import LocalLicenseManager, Settings
from ..local.emulator import PINNED_ENDPOINT
from ..local.kms.models import KmsKey
from ..local.server.attach import BeforeSend
from ..local.server.wire import LICENSE_MANAGER, Answer

__all__ = ["MockLicenseManager", "mock_license_manager"]

_F = TypeVar("_F", bound=Callable[..., Any])

_BEFORE_SEND = "before-send."
_PINNED_HOST = urlsplit(PINNED_ENDPOINT).hostname
_CREDENTIAL = re.compile(r"(Credential=)([^/,\s]+)")
_DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "mock-license-manager", "AWS_SECRET_ACCESS_KEY": "mock-license-manager"}

_active: MockLicenseManager | None = None


def moto_active() -> bool:
    """Whether moto's `mock_aws` is active (moto is imported and its botocore stubber enabled)."""
    models = sys.modules.get("moto.core.models")
    return bool(getattr(getattr(models, "botocore_stubber", None), "enabled", False))


def _moto_sign_key(key_ref: str, account: str, region: str) -> KmsKey | None:
    if not moto_active():
        return None
    from ._moto import moto_sign_key  # lazy: moto is an optional extra, imported by the user before it is active

    return moto_sign_key(key_ref, account, region)


class MockLicenseManager:
    """The context manager and decorator `mock_license_manager()` returns (see its docstring)."""

    def __init__(self, *, settings: Settings | None = None) -> None:
        self._settings = settings
        self._local: LocalLicenseManager | None = None
        self._original_emit: Any = None
        self._env: dict[str, str | None] = {}
        self._send = BeforeSend(self._handle_http)

    # -- context manager --------------------------------------------------------------------------

    def __enter__(self) -> LocalLicenseManager:
        global _active
        if _active is not None:
            raise RuntimeError(
                "mock_license_manager() is already active: use the LocalLicenseManager it gave you "
                "(the fixture's value, or `with mock_license_manager() as local:`) instead of entering it again"
            )
        local = LocalLicenseManager(settings=self._settings)
        local.engine.use_key_source(_moto_sign_key)
        self._local = local
        if not any(name in os.environ for name in _DUMMY_CREDENTIALS):
            self._env = {name: os.environ.get(name) for name in _DUMMY_CREDENTIALS}
            os.environ.update(_DUMMY_CREDENTIALS)
        self._original_emit = HierarchicalEmitter.__dict__["emit"]
        HierarchicalEmitter.emit = self._emit_for(self._original_emit)  # type: ignore[method-assign]
        _active = self
        return local

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        global _active
        HierarchicalEmitter.emit = self._original_emit  # type: ignore[method-assign]
        _active = None
        for name, value in self._env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._env = {}
        if self._local is not None:
            self._local.close()
            self._local = None

    # -- decorator --------------------------------------------------------------------------------

    def __call__(self, target: _F) -> _F:
        """Decorate a function (sync or async: a fresh engine per call) or a class (each `test*` method)."""
        if inspect.isclass(target):
            for name in dir(target):
                if name.startswith("test") and inspect.isfunction(inspect.getattr_static(target, name)):
                    setattr(target, name, self(getattr(target, name)))
            return target
        settings = self._settings
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with MockLicenseManager(settings=settings):
                    return await target(*args, **kwargs)

            return cast(_F, run_async)

        @functools.wraps(target)
        def run(*args: Any, **kwargs: Any) -> Any:
            with MockLicenseManager(settings=settings):
                return target(*args, **kwargs)

        return cast(_F, run)

    # -- interception -----------------------------------------------------------------------------

    def _emit_for(self, original: Callable[..., list[tuple[Any, Any]]]) -> Callable[..., list[tuple[Any, Any]]]:
        def emit(emitter: HierarchicalEmitter, event_name: str, **kwargs: Any) -> list[tuple[Any, Any]]:
            if event_name.startswith(_BEFORE_SEND):
                # `before-send.<service id>.<Operation>`
                response = self._answer(event_name[len(_BEFORE_SEND) :].partition(".")[0], kwargs.get("request"))
                if response is not None:
                    return [(self._send, response)]
            return original(emitter, event_name, **kwargs)

        return emit

    def _answer(self, service: str, request: AWSPreparedRequest | None) -> AWSResponse | None:
        local = self._local
        if local is None or request is None or urlsplit(request.url).hostname == _PINNED_HOST:
            return None  # a LocalLicenseManager's own client answers from its own emulator
        if service != LICENSE_MANAGER and (moto_active() or not local.engine.operations(service)):
            return None  # moto's, or a service the engine does not emulate
        return self._send(request)

    def _handle_http(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        if self._local is None:
            raise RuntimeError("mock_license_manager() has exited")
        if moto_active():
            headers = _as_moto_account(headers)
        return self._local.handle_http(method, path, headers, body)


def _as_moto_account(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with the SigV4 credential's access key replaced by the 12-digit account moto serves it as."""
    from ._moto import moto_account  # lazy: moto is an optional extra, imported by the user before it is active

    out = dict(headers)
    for name, value in headers.items():
        if name.lower() == "authorization":
            match = _CREDENTIAL.search(value)
            if match is not None:
                account = moto_account(match.group(2), headers)
                out[name] = value[: match.start(2)] + account + value[match.end(2) :]
    return out


@overload
def mock_license_manager(target: _F, /) -> _F: ...


@overload
def mock_license_manager(target: None = None, /, *, settings: Settings | None = None) -> MockLicenseManager: ...


def mock_license_manager(target: Any = None, /, *, settings: Settings | None = None) -> Any:
    """Answer License Manager from a fresh in-process engine for every boto3 client in the process.

    Use it the way moto's `mock_aws` is used: `with mock_license_manager() as local:` (`local` is the engine's
    `LocalLicenseManager`: clock, faults), `@mock_license_manager` on a test function (sync or async) or a class
    (each `test*` method), or the pytest fixture of the same name. State is fresh on every entry.

    Inside moto's `mock_aws()` (entered before or after) it answers License Manager only: every other service is
    moto's, moto's KMS keys sign the checkout and borrow tokens, and the caller's account is the one moto's STS
    reports. Alone, it also answers KMS, STS and IAM (the operations the local service implements). While active
    it replaces `HierarchicalEmitter.emit` process-wide and, when neither `AWS_ACCESS_KEY_ID` nor
    `AWS_SECRET_ACCESS_KEY` is set, sets dummy ones (as moto does); enter
    it from one thread (a test's). Clients still need a region, as with moto.
    """
    mock = MockLicenseManager(settings=settings)
    return mock if target is None else mock(target)
