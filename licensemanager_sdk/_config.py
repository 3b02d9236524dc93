"""`ClientConfig` and `RetryConfig`: frozen option sets, checked when they are made."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from licensemanager_sdk._exceptions import ConfigurationError

if TYPE_CHECKING:
    from botocore.config import Config

__all__ = ["ClientConfig", "RetryConfig"]


@dataclass(frozen=True, slots=True)
class RetryConfig:
    """How the client retries: attempts in all, full-jitter exponential backoff with a cap, and the sleep to use.

    What is retried is fixed (see docs/retries.md): RateLimitExceededException always; 5xx answers and transport errors
    only where a replay is harmless (reads, and calls that carry a ClientToken); never 4xx answers.
    """

    max_attempts: int = 3
    """Attempts in all, the first included. `1` turns retries off."""
    initial_backoff: float = 0.5
    """Upper bound, in seconds, of the first random wait; it doubles with each attempt."""
    max_backoff: float = 20.0
    """Cap, in seconds, on any single wait (also on a service's Retry-After)."""
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    """Called with each wait; tests pass a recorder so nothing really sleeps."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError(
                f"RetryConfig.max_attempts must be at least 1 (1 means no retries), got {self.max_attempts}"
            )
        if self.initial_backoff < 0 or self.max_backoff < self.initial_backoff:
            raise ConfigurationError(
                "RetryConfig needs 0 <= initial_backoff <= max_backoff, "
                f"got initial_backoff={self.initial_backoff}, max_backoff={self.max_backoff}"
            )


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Options of a `LicenseManager` client. Timeouts and pool size apply to the boto3 client the SDK builds."""

    retry: RetryConfig = field(default_factory=RetryConfig)
    connect_timeout: float = 10.0
    """Seconds to wait for a connection."""
    read_timeout: float = 60.0
    """Seconds to wait for an answer."""
    max_pool_connections: int = 10
    """HTTP connections kept per client; raise it for many threads sharing one client."""
    follow_redirects: bool = False
    """Re-send a call once to the region a RedirectException names, instead of raising `RedirectError`."""
    botocore_config: Config | None = None
    """botocore options (proxies, user_agent_extra, max_pool_connections, ...) merged into the Config of the client the
    SDK builds. The SDK keeps one botocore attempt (it retries itself) and appends its user-agent suffix."""

    def __post_init__(self) -> None:
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ConfigurationError("ClientConfig timeouts must be positive numbers of seconds")
        if self.max_pool_connections < 1:
            raise ConfigurationError(
                f"ClientConfig.max_pool_connections must be at least 1, got {self.max_pool_connections}"
            )
        if self.botocore_config is not None:
            _check_botocore_config(self)

    def botocore_options(self) -> dict[str, Any]:
        """The options set explicitly in `botocore_config` (what botocore's own `Config.merge` takes), by name."""
        if self.botocore_config is None:
            return {}
        return dict(self.botocore_config.__dict__["_user_provided_options"])


_SHARED = ("connect_timeout", "read_timeout", "max_pool_connections")


def _check_botocore_config(config: ClientConfig) -> None:
    """Refuse botocore options the SDK would override, and settings given differently in both places."""
    from botocore.config import Config  # lazy: botocore.config costs ~0.4 s, only paid by users who pass one

    if not isinstance(config.botocore_config, Config):
        got = type(config.botocore_config).__name__
        raise ConfigurationError(f"ClientConfig.botocore_config must be a botocore.config.Config, got {got}")
    given = config.botocore_options()
    if "region_name" in given:
        raise ConfigurationError("set the region with LicenseManager(region_name=...), not in botocore_config")
    retries = given.get("retries") or {}
    if retries.get("total_max_attempts", 1) != 1 or "max_attempts" in retries:
        raise ConfigurationError(
            "botocore_config may not set retry attempts: the SDK retries itself (botocore makes one attempt); "
            "use ClientConfig(retry=RetryConfig(max_attempts=...)) instead"
        )
    defaults = {f.name: f.default for f in fields(ClientConfig)}
    for name in _SHARED:
        mine = getattr(config, name)
        if name in given and mine != defaults[name] and given[name] != mine:
            raise ConfigurationError(
                f"{name} is set both on ClientConfig ({mine}) and in botocore_config ({given[name]}): set it once"
            )
