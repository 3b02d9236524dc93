"""Keyword filters -> the service's `Filters`, and lazy merged listings for several values of one filter.

The service takes exactly ONE value per filter ("You cannot have more than 1 filter values."). A keyword given
several values (a list, tuple or set) therefore becomes several calls, one per combination of values (the cartesian
product when several keywords have several values). `merged_listing` runs them one after another, lazily, and drops
items already seen (by identity) in this iteration.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Protocol, TypeAlias, TypeVar

from licensemanager_sdk.pagination import Page, Paginator

if TYPE_CHECKING:
    from licensemanager_sdk.types import Filter

__all__ = ["FilterSpec", "OneOrMany", "filter_sets", "merged_listing", "values_of"]

T = TypeVar("T")
ItemT = TypeVar("ItemT")
ResponseT = TypeVar("ResponseT", bound="_Paged")

OneOrMany: TypeAlias = T | list[T] | tuple[T, ...] | AbstractSet[T]
"""One value, or several (a list, tuple or set): several values mean one call per value."""

FilterSpec: TypeAlias = Sequence[tuple[str, list[str] | None]]
"""(service filter name, values or None) pairs, in the order the calls should vary."""


class _Paged(Protocol):
    @property
    def next_token(self) -> str | None: ...


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


def filter_sets(spec: FilterSpec) -> list[list[Filter]]:
    """One `Filters` list per call: the cartesian product of the given values (`[[]]` when nothing is filtered)."""
    from licensemanager_sdk.types import Filter

    given = [(name, values) for name, values in spec if values is not None]
    combos = itertools.product(*[[(name, value) for value in values] for name, values in given])
    return [[Filter(name=name, values=[value]) for name, value in combo] for combo in combos]


def merged_listing(
    fetch: Callable[[list[Filter], str | None, int | None], ResponseT],
    items: Callable[[ResponseT], Sequence[ItemT]],
    key: Callable[[ItemT], str],
    sets: list[list[Filter]],
    *,
    page_size: int | None,
    max_items: int | None,
) -> Paginator[ItemT, ResponseT]:
    """A lazy paginator over `fetch(filters, next_token, page_size)` for each filter set in turn.

    One filter set: a plain `Paginator` whose pages carry the service's NextToken. Several: the calls run one after
    the other (the next only when the previous stream is exhausted), items seen earlier in the same iteration are
    dropped, and `Page.next_token` is a composite `"<set index>:<service token>"`.
    """
    if len(sets) == 1:
        only = sets[0]

        def fetch_one(token: str | None, size: int | None) -> Page[ItemT, ResponseT]:
            response = fetch(only, token, size)
            return Page(items(response), response.next_token, response)

        return Paginator(fetch_one, page_size=page_size, max_items=max_items)

    def fetch_many(token: str | None, size: int | None) -> Page[ItemT, ResponseT]:
        index, service_token = 0, None
        if token:
            head, _, rest = token.partition(":")
            index, service_token = int(head), rest or None
        response = fetch(sets[index], service_token, size)
        following = response.next_token
        if following:
            composite: str | None = f"{index}:{following}"
        else:
            composite = f"{index + 1}:" if index + 1 < len(sets) else None
        return Page(items(response), composite, response)

    return _MergedPaginator(fetch_many, key, page_size=page_size, max_items=max_items)


class _MergedPaginator(Paginator[ItemT, ResponseT]):
    """A `Paginator` that drops items whose key was already yielded in the same iteration."""

    def __init__(
        self,
        fetch: Callable[[str | None, int | None], Page[ItemT, ResponseT]],
        key: Callable[[ItemT], str],
        *,
        page_size: int | None,
        max_items: int | None,
    ) -> None:
        super().__init__(fetch, page_size=page_size)
        if max_items is not None and max_items < 0:
            raise ValueError(f"max_items must not be negative, got {max_items}")
        self._key = key
        self._limit = max_items

    def pages(self) -> Iterator[Page[ItemT, ResponseT]]:
        seen: set[str] = set()
        remaining = self._limit
        if remaining == 0:
            return
        for page in super().pages():
            fresh: list[ItemT] = []
            for item in page.items:
                identity = self._key(item)
                if identity not in seen:
                    seen.add(identity)
                    fresh.append(item)
            if remaining is not None and len(fresh) >= remaining:
                yield Page(fresh[:remaining], page.next_token, page.response)
                return
            if remaining is not None:
                remaining -= len(fresh)
            yield Page(fresh, page.next_token, page.response)
