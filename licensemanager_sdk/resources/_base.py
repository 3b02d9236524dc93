"""`Resource`: what `License`, `Grant` and `Token` share (identity, lazy data, equality, repr)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

if TYPE_CHECKING:
    from licensemanager_sdk._client import LicenseManager

__all__ = ["Resource"]

DataT = TypeVar("DataT")


class Resource(Generic[DataT]):
    """A snapshot of one service resource: an identity plus data loaded at most once.

    Identity (`id`: the ARN, or the token id) decides `==` and `hash`. The data is loaded on first access of `.data`
    and then kept; it is never refreshed in place. `reload()` and every action return a NEW snapshot.
    """

    _id_name: ClassVar[str] = "arn"
    __slots__ = ("_data", "_id", "_lm")

    def __init__(self, client: LicenseManager, identity: str, *, data: DataT | None = None) -> None:
        if not identity:
            raise ValueError(f"{type(self).__name__} needs a non-empty {self._id_name}")
        self._lm = client
        self._id = identity
        self._data = data

    @property
    def client(self) -> LicenseManager:
        """The `LicenseManager` this snapshot calls through (escape hatch: `.client.api.<operation>(...)`)."""
        return self._lm

    @property
    def data(self) -> DataT:
        """The resource's data, loaded by the first access (one call) and then kept for this snapshot."""
        if self._data is None:
            self._data = self._load()
        return self._data

    @property
    def is_loaded(self) -> bool:
        """Whether `.data` is already known (no call on access)."""
        return self._data is not None

    def _load(self) -> DataT:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._id == self._id

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._id))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._id_name}={self._id!r})"
