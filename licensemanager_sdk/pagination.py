"""Lazy auto-pagination over NextToken for every list operation, and merged listings over several streams.

Nothing is requested until you iterate. Iterating yields items; `.pages()` yields whole pages. Each new iteration starts
again from `starting_token`, and only one page is held in memory at a time. `AsyncPaginator` is the same walk for the
async client (`async for`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

from licensemanager_sdk._exceptions import PaginationError

__all__ = ["AsyncFetch", "AsyncPaginator", "Fetch", "Page", "PaginationError", "Paginator", "merged", "merged_async"]

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

AsyncFetch: TypeAlias = Callable[[str | None, int | None], Awaitable[Page[ItemT, ResponseT]]]
"""Fetches one page asynchronously: called with (next_token, page_size)."""


class _Walk(Generic[ItemT, ResponseT]):
    """One iteration's bookkeeping, shared by both paginators: what to ask for next, and what a fetched page yields."""

    def __init__(
        self,
        page_size: int | None,
        max_items: int | None,
        starting_token: str | None,
        key: Callable[[ItemT], Hashable] | None,
    ) -> None:
        self.token = starting_token
        self.done = max_items == 0
        self._page_size = page_size
        self._remaining = max_items
        self._key = key
        self._seen: set[str] = set()
        self._yielded: set[Hashable] = set()

    def size(self) -> int | None:
        """`MaxResults` of the next page."""
        return self._page_size if self._remaining is None else min(self._page_size or 100, self._remaining)

    def accept(self, page: Page[ItemT, ResponseT]) -> Page[ItemT, ResponseT]:
        """The page to yield for a fetched one (duplicates dropped, cut at `max_items`)."""
        if self._key is not None:
            fresh = []
            for item in page.items:
                identity = self._key(item)
                if identity not in self._yielded:
                    self._yielded.add(identity)
                    fresh.append(item)
            page = Page(fresh, page.next_token, page.response)
        if self._remaining is not None:
            if len(page.items) >= self._remaining:
                cut, self._remaining = self._remaining, 0
                return Page(page.items[:cut], page.next_token, page.response)
            self._remaining -= len(page.items)
        return page

    def advance(self, page: Page[ItemT, ResponseT]) -> None:
        """After `page` was yielded: move to its next token, or set `done`."""
        if self._remaining == 0 or not page.next_token:
            self.done = True
        elif page.next_token in self._seen:
            raise PaginationError(f"the service returned NextToken {page.next_token!r} twice; stopping")
        else:
            self._seen.add(page.next_token)
            self.token = page.next_token


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
        _check(page_size, max_items)
        self._fetch = fetch
        self._page_size = page_size
        self._max_items = max_items
        self._starting_token = starting_token
        self._unique = unique

    def pages(self) -> Iterator[Page[ItemT, ResponseT]]:
        """Yield whole pages, fetching each when it is asked for."""
        key = _as_is if self._unique else None
        walk: _Walk[ItemT, ResponseT] = _Walk(self._page_size, self._max_items, self._starting_token, key)
        while not walk.done:
            page = walk.accept(self._fetch(walk.token, walk.size()))
            yield page
            walk.advance(page)

    def __iter__(self) -> Iterator[ItemT]:
        for page in self.pages():
            yield from page.items


class AsyncPaginator(Generic[ItemT, ResponseT]):
    """`Paginator` for the async client: `async for item in paginator`, `async for page in paginator.pages()`.

    Arguments as for `Paginator`; `fetch` is a coroutine function; `key`: drop an item whose key was already
    yielded in the same iteration (for items that are not hashable themselves, e.g. data models).
    """

    def __init__(
        self,
        fetch: AsyncFetch[ItemT, ResponseT],
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        key: Callable[[ItemT], Hashable] | None = None,
    ) -> None:
        _check(page_size, max_items)
        self._fetch = fetch
        self._page_size = page_size
        self._max_items = max_items
        self._starting_token = starting_token
        self._key = key

    async def pages(self) -> AsyncIterator[Page[ItemT, ResponseT]]:
        """Yield whole pages, fetching each when it is asked for."""
        walk: _Walk[ItemT, ResponseT] = _Walk(self._page_size, self._max_items, self._starting_token, self._key)
        while not walk.done:
            page = walk.accept(await self._fetch(walk.token, walk.size()))
            yield page
            walk.advance(page)

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def to_list(self) -> list[ItemT]:
        """Every item, fetched page by page."""
        return [item async for item in self]


def _check(page_size: int | None, max_items: int | None) -> None:
    if page_size is not None and page_size < 1:
        raise ValueError(f"page_size must be at least 1, got {page_size}")
    if max_items is not None and max_items < 0:
        raise ValueError(f"max_items must not be negative, got {max_items}")


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
        index, service_token = _stream_of(token)
        return _in_stream(index, len(streams), streams[index](service_token, size))

    return Paginator(fetch, page_size=page_size, max_items=max_items, unique=True)


def merged_async(
    streams: Sequence[AsyncFetch[ItemT, ResponseT]],
    *,
    key: Callable[[ItemT], Hashable],
    page_size: int | None = None,
    max_items: int | None = None,
) -> AsyncPaginator[ItemT, ResponseT]:
    """`merged()` for the async client: one `AsyncPaginator` over several streams, one after the other; an item
    whose `key` was yielded earlier in the same iteration is dropped."""
    if not streams:
        raise ValueError("merged_async() needs at least one stream")
    if len(streams) == 1:
        return AsyncPaginator(streams[0], page_size=page_size, max_items=max_items)

    async def fetch(token: str | None, size: int | None) -> Page[ItemT, ResponseT]:
        index, service_token = _stream_of(token)
        return _in_stream(index, len(streams), await streams[index](service_token, size))

    return AsyncPaginator(fetch, page_size=page_size, max_items=max_items, key=key)


def _as_is(item: ItemT) -> ItemT:
    return item


def _stream_of(token: str | None) -> tuple[int, str | None]:
    """A merged listing's composite token `"<stream index>:<service token>"` split (the first stream when None)."""
    if not token:
        return 0, None
    head, _, rest = token.partition(":")
    return int(head), rest or None


def _in_stream(index: int, count: int, page: Page[ItemT, ResponseT]) -> Page[ItemT, ResponseT]:
    """Stream `index`'s page with the composite token of what comes next (this stream, the next one, or none)."""
    if page.next_token:
        composite: str | None = f"{index}:{page.next_token}"
    else:
        composite = f"{index + 1}:" if index + 1 < count else None
    return Page(page.items, composite, page.response)
