"""Lazy auto-pagination over NextToken for every list operation, and merged listings over several streams.

Nothing is requested until you iterate. Iterating yields items; `.pages()` yields whole pages. Each new iteration starts
again from `starting_token`, and only one page is held in memory at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

from licensemanager_sdk._exceptions import PaginationError

__all__ = ["Fetch", "Page", "PaginationError", "Paginator", "merged"]

ItemT = TypeVar("ItemT")
ResponseT = TypeVar("ResponseT")


@dataclass(frozen=True, slots=True)
class Page(Generic[ItemT, ResponseT]):
    """One page: its items, the token of the next page (`None` on the last) and the whole response model."""

    items: Sequence[ItemT]
    next_token: str | None
    response: ResponseT


Fetch: TypeAlias = Callable[[str | None, int | None], Page[ItemT, ResponseT]]
"""Fetches one page: called with (next_token, page_size)."""


class Paginator(Generic[ItemT, ResponseT]):
    """A lazy, re-iterable view over a NextToken-paginated operation.

    Args:
        fetch: called with (next_token, page_size) for each page.
        page_size: `MaxResults` sent with each call (`None`: the service's default).
        max_items: stop after this many items in all. The last page may then be cut short, so its `next_token` is not
            a resume point.
        starting_token: the `NextToken` to start from.
        unique: drop an item equal to one already yielded in the same iteration (items must be hashable); dropped
            items do not count toward `max_items`.
    """

    def __init__(
        self,
        fetch: Fetch[ItemT, ResponseT],
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        unique: bool = False,
    ) -> None:
        if page_size is not None and page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")
        if max_items is not None and max_items < 0:
            raise ValueError(f"max_items must not be negative, got {max_items}")
        self._fetch = fetch
        self._page_size = page_size
        self._max_items = max_items
        self._starting_token = starting_token
        self._unique = unique

    def pages(self) -> Iterator[Page[ItemT, ResponseT]]:
        """Yield whole pages, fetching each when it is asked for."""
        token = self._starting_token
        seen: set[str] = set()
        yielded: set[ItemT] = set()
        remaining = self._max_items
        while remaining is None or remaining > 0:
            size = self._page_size if remaining is None else min(self._page_size or 100, remaining)
            page = self._fetch(token, size)
            if self._unique:
                fresh = [item for item in page.items if item not in yielded]
                yielded.update(fresh)
                page = Page(fresh, page.next_token, page.response)
            if remaining is not None:
                if len(page.items) >= remaining:
                    yield Page(page.items[:remaining], page.next_token, page.response)
                    return
                remaining -= len(page.items)
            yield page
            if not page.next_token:
                return
            if page.next_token in seen:
                raise PaginationError(f"the service returned NextToken {page.next_token!r} twice; stopping")
            seen.add(page.next_token)
            token = page.next_token

    def __iter__(self) -> Iterator[ItemT]:
        for page in self.pages():
            yield from page.items


def merged(
    streams: Sequence[Fetch[ItemT, ResponseT]], *, page_size: int | None = None, max_items: int | None = None
) -> Paginator[ItemT, ResponseT]:
    """One `Paginator` over several NextToken streams (e.g. one per filter value), one after the other.

    One stream: a plain `Paginator`. Several: the next stream starts only when the previous one is exhausted, an item
    equal to one yielded earlier in the same iteration is dropped (items must be hashable), and `Page.next_token` is
    a composite `"<stream index>:<service token>"`.
    """
    if not streams:
        raise ValueError("merged() needs at least one stream")
    if len(streams) == 1:
        return Paginator(streams[0], page_size=page_size, max_items=max_items)

    def fetch(token: str | None, size: int | None) -> Page[ItemT, ResponseT]:
        index, service_token = 0, None
        if token:
            head, _, rest = token.partition(":")
            index, service_token = int(head), rest or None
        page = streams[index](service_token, size)
        if page.next_token:
            composite: str | None = f"{index}:{page.next_token}"
        else:
            composite = f"{index + 1}:" if index + 1 < len(streams) else None
        return Page(page.items, composite, page.response)

    return Paginator(fetch, page_size=page_size, max_items=max_items, unique=True)
