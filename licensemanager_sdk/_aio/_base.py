"""`AsyncSnapshot`: what `AsyncLicense`, `AsyncGrant` and `AsyncToken` share (the data they were made with, an
identity read from it, equality, hash)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from licensemanager_sdk._exceptions import ResponseValidationError

if TYPE_CHECKING:
    from licensemanager_sdk._async_client import AsyncLicenseManager

__all__ = ["AsyncSnapshot"]

DataT = TypeVar("DataT")


class AsyncSnapshot(Generic[DataT]):
    """A snapshot of one service resource: `.data` as read when it was made (an attribute cannot be awaited, so async
    snapshots always carry their data). Identity (`_identity`: the ARN or the token id) decides `==` and `hash`."""

    _noun: ClassVar[str]
    _wire_id: ClassVar[str]
    __slots__ = ("_lm", "data")

    def __init__(self, lm: AsyncLicenseManager, data: DataT) -> None:
        if not self._identity_of(data):
            raise ResponseValidationError(f"a {self._noun} without a {self._wire_id} cannot be acted on")
        self._lm = lm
        self.data = data

    @staticmethod
    def _identity_of(data: DataT) -> str | None:
        raise NotImplementedError

    @property
    def _identity(self) -> str:
        return str(self._identity_of(self.data))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._identity == self._identity

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._identity))
