"""`LocalLicenseManager`: the local AWS License Manager (engine + transport), in process or over HTTP."""

from __future__ import annotations

import datetime as _dt
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, overload

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

from .core.settings import Settings
from .core.statefile import claim
from .engine import Engine
from .marketplace import MarketplaceLicense, marketplace_public_key_pem, seed_marketplace_license
from .server.attach import Attachment, attach, attach_session, detach
from .server.control import health
from .server.dispatch import Dispatcher
from .server.http import LocalServer
from .server.injection import ANY_OPERATION, FaultBoard, FaultRule, Phase
from .server.wire import DEFAULT_ACCOUNT, LICENSE_MANAGER, Answer

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_license_manager import LicenseManagerClient
    from mypy_boto3_sts import STSClient
    from pydantic import SecretStr

    from .._async_client import AsyncLicenseManager
    from .._client import LicenseManager

__all__ = ["PINNED_ENDPOINT", "LocalLicenseManager"]

PINNED_ENDPOINT = "http://localhost.local-license-manager.invalid"
"""The endpoint of clients made by `boto3_client()`/`client()`: `.invalid` never resolves, so a detached
client fails instead of reaching AWS."""

_loader_lock = threading.Lock()
_shared_loader: botocore.loaders.Loader | None = None
_clients_lock = threading.Lock()
_clients_session: boto3.Session | None = None


def _hermetic_botocore_session() -> botocore.session.Session:
    """A botocore session that ignores the user's AWS profile and config files, sharing one model loader."""
    global _shared_loader
    session = botocore.session.Session(
        session_vars={
            "profile": (None, None, None, None),
            "config_file": (None, None, os.devnull, None),
            "credentials_file": (None, None, os.devnull, None),
        }
    )
    with _loader_lock:
        if _shared_loader is None:
            _shared_loader = botocore.loaders.create_loader()
        session.register_component("data_loader", _shared_loader)
    return session


def _no_sleep(_seconds: float) -> None:
    """The SDK client's retry sleep under the emulator: retries happen at once."""


class LocalLicenseManager:
    """A faithful local AWS License Manager (plus the KMS and STS calls its users need).

    One engine, reached three ways that answer byte for byte the same: boto3 clients attached in process
    (`attach`, `boto3_client`, `client`), HTTP (`serve`, or `python -m licensemanager_sdk.local`), and
    `handle_http` directly. `state_path` makes the state durable in SQLite; default in memory.
    """

    def __init__(
        self,
        *,
        state_path: str | os.PathLike[str] | None = None,
        settings: Settings | None = None,
        region: str = "us-east-1",
    ) -> None:
        self._region = region
        self._state_path = os.fspath(state_path) if state_path is not None else None
        self._state_lock = claim(self._state_path) if self._state_path is not None else None
        try:
            self._engine = Engine(state_path=self._state_path, settings=settings)
        except BaseException:
            if self._state_lock is not None:
                self._state_lock.release()
            raise
        self._faults = FaultBoard()
        self._dispatcher = Dispatcher(self._engine, self._faults, region, self._state_path)
        self._servers: list[LocalServer] = []
        self._closed = False

    # -- the engine and its wire ------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The business logic; `engine.clock` and `engine.settings` are here."""
        return self._engine

    @property
    def region(self) -> str:
        """The default region: for unsigned calls and for clients made without `region=`."""
        return self._region

    @property
    def settings(self) -> Settings:
        return self._engine.settings

    def handle_http(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        """Answer one raw HTTP request: `(status, headers, body)`. What both the server and `attach` use."""
        return self._dispatcher.handle_http(method, path, headers, body)

    # -- in process ---------------------------------------------------------------------------------

    def attach(self, boto_client: Any) -> Attachment:
        """Answer `boto_client`'s calls (license-manager, kms or sts) in process, from this emulator.

        Attached at once; `with emulator.attach(client): ...` detaches at the end of the block.
        """
        attach(boto_client, self._dispatcher.handle_http, self)
        return Attachment(boto_client, self)

    def detach(self, boto_client: Any) -> None:
        detach(boto_client, self)

    @overload
    def boto3_client(
        self, service: Literal["license-manager"] = ..., *, account: str = ..., region: str | None = ...
    ) -> LicenseManagerClient: ...
    @overload
    def boto3_client(self, service: Literal["kms"], *, account: str = ..., region: str | None = ...) -> KMSClient: ...
    @overload
    def boto3_client(self, service: Literal["sts"], *, account: str = ..., region: str | None = ...) -> STSClient: ...
    @overload
    def boto3_client(self, service: Literal["iam"], *, account: str = ..., region: str | None = ...) -> IAMClient: ...
    @overload
    def boto3_client(self, service: str, *, account: str = ..., region: str | None = ...) -> Any: ...
    def boto3_client(
        self, service: str = LICENSE_MANAGER, *, account: str = DEFAULT_ACCOUNT, region: str | None = None
    ) -> Any:
        """A plain boto3 client acting as `account`, attached, with botocore's retries off.

        Its endpoint is `PINNED_ENDPOINT`, which cannot reach AWS even if detached.
        """
        global _clients_session
        with _clients_lock:  # one shared session (credentials go per client): later clients build in ~3 ms
            if _clients_session is None:
                _clients_session = boto3.Session(botocore_session=_hermetic_botocore_session())
            client = _clients_session.client(
                service,  # type: ignore[call-overload]
                region_name=region or self._region,
                endpoint_url=PINNED_ENDPOINT,
                aws_access_key_id=account,
                aws_secret_access_key="local",
                config=Config(retries={"total_max_attempts": 1}),
            )
        self.attach(client)
        return client

    def client(self, *, account: str = DEFAULT_ACCOUNT, region: str | None = None) -> LicenseManager:
        """A ready SDK client (`licensemanager_sdk.LicenseManager`) acting as `account`; retries do not sleep."""
        from .. import ClientConfig, LicenseManager, RetryConfig  # the SDK imports the emulator lazily too

        region = region or self._region
        session = boto3.Session(
            botocore_session=_hermetic_botocore_session(),
            aws_access_key_id=account,
            aws_secret_access_key="local",
            region_name=region,
        )
        # Attached to the session: the SDK client and the KMS client it makes (`lm.entitlements.verify`) answer here.
        attach_session(session._session, self._dispatcher.handle_http, self)
        return LicenseManager(
            session=session,
            region_name=region,
            endpoint_url=PINNED_ENDPOINT,
            config=ClientConfig(retry=RetryConfig(sleep=_no_sleep)),
        )

    def aio_session(self, *, account: str = DEFAULT_ACCOUNT, region: str | None = None) -> Any:
        """An aiobotocore session acting as `account` whose clients answer here in process (the `[async]` extra)."""
        from .server.attach_async import hermetic_aio_session  # lazy: aiobotocore is optional

        return hermetic_aio_session(self.handle_http, self, account=account, region=region or self._region)

    def aio_client(self, *, account: str = DEFAULT_ACCOUNT, region: str | None = None) -> AsyncLicenseManager:
        """A ready `AsyncLicenseManager` acting as `account` (enter it with `async with`); retries do not sleep."""
        from .. import AsyncLicenseManager, ClientConfig, RetryConfig  # the SDK imports the emulator lazily too

        session = self.aio_session(account=account, region=region)
        config = ClientConfig(retry=RetryConfig(sleep=_no_sleep))
        return AsyncLicenseManager(session=session, endpoint_url=PINNED_ENDPOINT, config=config)

    def refresh_token_client(
        self,
        refresh_token: str | SecretStr,
        *,
        role_arn: str,
        region: str | None = None,
        session_name: str | None = None,
        token_properties: Sequence[str] | None = None,
    ) -> LicenseManager:
        """What `LicenseManager.from_refresh_token(...)` gives software outside AWS, answered in process: role
        credentials from `refresh_token` (a `str` or `SecretStr`) through unsigned GetAccessToken and
        AssumeRoleWithWebIdentity, refreshed when they expire on the emulator clock; retries do not sleep."""
        from .. import ClientConfig, LicenseManager, RetryConfig  # the SDK imports the emulator lazily too
        from ..credentials import refresh_token_session

        session = refresh_token_session(
            refresh_token,
            role_arn=role_arn,
            region_name=region or self._region,
            endpoint_url=PINNED_ENDPOINT,
            session_name=session_name,
            token_properties=token_properties,
            prepare_session=lambda botocore_session: attach_session(
                botocore_session, self._dispatcher.handle_http, self
            ),
        )
        return LicenseManager(
            session=session,
            region_name=session.region_name,
            endpoint_url=PINNED_ENDPOINT,
            config=ClientConfig(retry=RetryConfig(sleep=_no_sleep)),
        )

    # -- controls -----------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget all state (licenses, grants, tokens, keys) and every injected fault and latency."""
        self._engine.reset()
        self._faults.clear()

    def advance_clock(self, seconds: float) -> _dt.datetime:
        """Move the emulator clock forward; returns the new emulator time."""
        if seconds < 0:
            raise ValueError("the emulator clock never goes back")
        self._engine.clock.advance(seconds)
        now: _dt.datetime = self._engine.clock.now()
        return now

    def inject_fault(
        self,
        operation: str = ANY_OPERATION,
        error: str = "ServerInternalException",
        times: int = 1,
        phase: Phase = "before",
        *,
        service: str = LICENSE_MANAGER,
        message: str | None = None,
    ) -> None:
        """Make the next `times` calls of `operation` (`"*"`: any) answer `error` with its AWS status.

        `phase="before"`: nothing is done. `phase="after"`: the work is done and stored, then the error is
        answered (a lost response; spent only by calls that succeed).
        """
        self._faults.add_fault(FaultRule(service, operation, error, times, phase, message))

    def set_latency(self, ms: float, operation: str = ANY_OPERATION, *, service: str = LICENSE_MANAGER) -> None:
        """Delay every call of `operation` (`"*"`: any) by `ms` milliseconds; 0 removes the delay."""
        self._faults.set_latency(service, operation, ms)

    def clear_faults(self) -> None:
        """Drop every pending fault and latency setting."""
        self._faults.clear()

    def health(self) -> dict[str, Any]:
        """What `GET /_local/health` answers: `{"status": "ok", "now": ..., "faults": [...], ...}`."""
        return health(self._dispatcher)

    # -- AWS Marketplace and AWS Organizations ------------------------------------------------------

    def seed_marketplace_license(
        self,
        *,
        buyer_account: str,
        product_sku: str,
        entitlements: Iterable[Mapping[str, Any]],
        region: str | None = None,
        product_name: str = "Marketplace product",
        validity_end: str | _dt.datetime | None = None,
        signed: bool = True,
    ) -> MarketplaceLicense:
        """A license as AWS Marketplace issues it to a buyer: issuer `AWS/Marketplace` (account 294406891311),
        Beneficiary the buyer's root ARN, 60-minute provisional checkouts, and a grant to `buyer_account` that is
        already ACTIVE (Marketplace grants are accepted and activated for the buyer).

        Args:
            buyer_account: the 12-digit account that bought the product; it checks out with KeyFingerprint
                `aws:294406891311:AWS/Marketplace:issuer-fingerprint` and no Beneficiary.
            product_sku: the Marketplace product id the software checks out with.
            entitlements: wire `Entitlement` objects, e.g. `{"Name": "PremiumTier", "Unit": "None",
                "Value": "Enabled"}` or `{"Name": "Seats", "Unit": "Count", "MaxCount": 10}`.
            region: the license home region (default: this emulator's region).
            validity_end: when the contract ends (ISO 8601 text or a datetime; naive is UTC); default: none.
            signed: whether checkouts answer a SignedToken (PS384) that `marketplace_public_key_pem()` verifies.
                Default True: License Manager signs Marketplace licenses on behalf of the ISV.

        Raises:
            ValueError: an input CreateLicense would refuse (the message names it).
        """
        return seed_marketplace_license(
            self._engine,
            buyer_account=buyer_account,
            product_sku=product_sku,
            entitlements=entitlements,
            region=region or self._region,
            product_name=product_name,
            validity_end=validity_end,
            signed=signed,
        )

    def marketplace_public_key_pem(self) -> str:
        """The PEM public key that verifies SignedTokens of seeded Marketplace licenses (as PyJWT takes it)."""
        return marketplace_public_key_pem(self._engine)

    def set_organization(
        self,
        *,
        organization_id: str,
        management_account: str,
        accounts: Iterable[str] = (),
        ous: Mapping[str, Iterable[str]] | None = None,
        all_features: bool = True,
    ) -> str:
        """Define (or replace) an AWS Organization; returns its ARN (`arn:aws:organizations::<mgmt>:organization/<id>`).

        Grants to the organization or to one of its OUs reach the member accounts (one child grant each); with
        `all_features`, grants the management account distributes are accepted for the members (DISABLED, ready
        to activate). The management account may call ListReceivedLicensesForOrganization and
        ListReceivedGrantsForOrganization. Kept with the state (`state_path`).

        Args:
            organization_id: `o-` and 10 to 32 lowercase letters or digits.
            management_account: the 12-digit management account.
            accounts: member accounts (an account belongs to one organization).
            ous: OU id (`ou-<root>-<id>`) -> its accounts, which become members too.

        Raises:
            ValueError: a malformed id, or an account that already belongs to another organization.
        """
        return self._engine.set_organization(
            organization_id=organization_id,
            management_account=management_account,
            accounts=accounts,
            ous=ous,
            all_features=all_features,
        )

    # -- HTTP and lifetime --------------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> LocalServer:
        """Serve this emulator over HTTP from a background thread; `port=0` picks a free port."""
        server = LocalServer(self._dispatcher.handle_http, host, port).start()
        self._servers.append(server)
        return server

    def close(self) -> None:
        """Stop servers started by `serve()` and close the engine (and its SQLite file). Idempotent."""
        if self._closed:
            return
        self._closed = True
        for server in self._servers:
            server.stop()
        self._servers.clear()
        self._engine.close()
        if self._state_lock is not None:
            self._state_lock.release()

    def __enter__(self) -> LocalLicenseManager:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self._state_path or ":memory:"
        return f"LocalLicenseManager(state_path={where!r}, region={self._region!r})"
