"""Filtered, merged listings, declared once per list operation (`Listing`): keyword filters -> `Filters` -> pages.

The service takes exactly ONE value per filter ("You cannot have more than 1 filter values."). A keyword given
several values (a list, tuple or set) therefore becomes several calls, one per combination of values (the cartesian
product when several keywords have several values). They run one after another, lazily, as one `merged` paginator
that drops items already seen (by identity: `==` and hash, i.e. the ARN or token id) in this iteration.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeAlias, TypeVar

from licensemanager_sdk._generated._api import Api
from licensemanager_sdk.pagination import AsyncFetch, AsyncPaginator, Fetch, Page, Paginator, merged, merged_async
from licensemanager_sdk.types import Filter

if TYPE_CHECKING:
    from licensemanager_sdk._generated._async_api import AsyncApi

__all__ = ["FilterOn", "Listing", "OneOrMany", "values_of"]

T = TypeVar("T")
DataT = TypeVar("DataT")
ItemT = TypeVar("ItemT")
ResponseT = TypeVar("ResponseT", bound="_Paged")

OneOrMany: TypeAlias = T | list[T] | tuple[T, ...] | AbstractSet[T]
"""One value, or several (a list, tuple or set): several values mean one call per value."""


class _Paged(Protocol):
    @property
    def next_token(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class FilterOn:
    """One keyword filter: the service's filter `name`, the `enum` its values must belong to, a `convert` per value."""

    name: str
    enum: type[enum.Enum] | None = None
    convert: Callable[[str], str] | None = None

    def values(self, keyword: str, value: object) -> list[str] | None:
        """The wire values of `keyword=value`: None (no filter) or 1+ strings."""
        values = values_of(keyword, value, self.enum)
        if values is None or self.convert is None:
            return values
        return [self.convert(item) for item in values]


@dataclass(frozen=True, slots=True)
class Listing(Generic[DataT, ResponseT]):
    """One list operation as a lazy, filtered, merged listing.

    Args:
        operation: the `Api` method, unbound (`Api.list_licenses`); called with `next_token`, `max_results`,
            `filters` (when any are declared) and the extra parameters given to `paginate`.
        items: the items of one response (`lambda response: response.licenses`).
        filters: keyword argument -> `FilterOn`, in the order the calls should vary.
    """

    operation: Callable[..., ResponseT]
    items: Callable[[ResponseT], Sequence[DataT]]
    filters: Mapping[str, FilterOn] = field(default_factory=dict)

    def paginate(
        self,
        api: Api,
        wrap: Callable[[DataT], ItemT],
        *,
        filters: Mapping[str, object] | None = None,
        page_size: int | None,
        max_items: int | None,
        **params: Any,
    ) -> Paginator[ItemT, ResponseT]:
        """The listing for these keyword filter values (checked now; nothing is sent before you iterate).

        Args:
            wrap: turns each listed item into what the paginator yields (a `License`, `Grant`, ...).
            filters: keyword argument -> its value (None: not filtered), for every declared keyword.
            params: sent as they are with every call (`license_arns=...`).
        """

        def stream(sent: dict[str, Any]) -> Fetch[ItemT, ResponseT]:
            def fetch(token: str | None, size: int | None) -> Page[ItemT, ResponseT]:
                return self._page(self.operation(api, next_token=token, max_results=size, **sent), wrap)

            return fetch

        streams = [stream(sent) for sent in self._calls(filters, params)]
        return merged(streams, page_size=page_size, max_items=max_items)

    def paginate_async(
        self,
        api: AsyncApi,
        wrap: Callable[[DataT], ItemT],
        *,
        key: Callable[[ItemT], Hashable],
        filters: Mapping[str, object] | None = None,
        page_size: int | None,
        max_items: int | None,
        **params: Any,
    ) -> AsyncPaginator[ItemT, ResponseT]:
        """`paginate()` for the async client: the same filters and calls, awaited (`async for`); `key` is an item's
        identity for de-duplicating a merged listing (its ARN or token id)."""
        operation: Callable[..., Awaitable[ResponseT]] = getattr(api, self.operation.__name__)

        def stream(sent: dict[str, Any]) -> AsyncFetch[ItemT, ResponseT]:
            async def fetch(token: str | None, size: int | None) -> Page[ItemT, ResponseT]:
                return self._page(await operation(next_token=token, max_results=size, **sent), wrap)

            return fetch

        streams = [stream(sent) for sent in self._calls(filters, params)]
        return merged_async(streams, key=key, page_size=page_size, max_items=max_items)

    def _calls(self, filters: Mapping[str, object] | None, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The parameters of each call (one per filter set), checked now."""
        given = dict(filters or {})
        if given.keys() != self.filters.keys():
            raise TypeError(f"this listing takes the filters {sorted(self.filters)}, got {sorted(given)}")
        if not self.filters:
            return [params]
        sets = filter_sets([(on.name, on.values(keyword, given[keyword])) for keyword, on in self.filters.items()])
        return [{**params, "filters": filter_set or None} for filter_set in sets]

    def _page(self, response: ResponseT, wrap: Callable[[DataT], ItemT]) -> Page[ItemT, ResponseT]:
        return Page([wrap(item) for item in self.items(response)], response.next_token, response)


def values_of(keyword: str, value: object, enum_cls: type[enum.Enum] | None = None) -> list[str] | None:
    """The wire values of one keyword filter: None (no filter) or 1+ distinct strings, in the order given.

    Raises:
        ValueError: an empty collection, or a value that is not a member of `enum_cls`.
        TypeError: a value of the wrong type.
    """
    if value is None:
        return None
    if isinstance(value, (str, enum.Enum)) or isinstance(getattr(value, "arn", None), str):
        items: list[object] = [value]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if isinstance(value, (set, frozenset)):
            items.sort(key=lambda item: _wire(keyword, item, None))  # a set has no order; make the calls repeatable
        if not items:
            raise ValueError(f"{keyword}= got an empty {type(value).__name__}: pass None to not filter on {keyword}")
    else:
        raise TypeError(f"{keyword}= takes a string or a list/tuple/set of strings, got {type(value).__name__}")
    out: list[str] = []
    for item in items:
        wire = _wire(keyword, item, enum_cls)
        if wire not in out:
            out.append(wire)
    return out


def _wire(keyword: str, item: object, enum_cls: type[enum.Enum] | None) -> str:
    if isinstance(item, enum.Enum):
        item = item.value
    arn = getattr(item, "arn", None)  # a License given for a license ARN filter
    if isinstance(arn, str) and not isinstance(item, str):
        item = arn
    if not isinstance(item, str) or not item:
        raise TypeError(f"{keyword}= values must be non-empty strings, got {item!r}")
    if enum_cls is not None:
        allowed = [str(member.value) for member in enum_cls]
        if item not in allowed:
            raise ValueError(f"{keyword}={item!r} is not a {enum_cls.__name__}; expected one of: {', '.join(allowed)}")
    return item


def filter_sets(spec: Sequence[tuple[str, list[str] | None]]) -> list[list[Filter]]:
    """One `Filters` list per call: the cartesian product of the given values (`[[]]` when nothing is filtered)."""
    given = [(name, values) for name, values in spec if values is not None]
    combos = itertools.product(*[[(name, value) for value in values] for name, values in given])
    return [[Filter(name=name, values=[value]) for name, value in combo] for combo in combos]
