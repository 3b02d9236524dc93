"""Lazy auto-pagination over NextToken for every list operation.

Nothing is requested until you iterate. Iterating yields items; `.pages()` yields whole pages. Each new iteration starts
again from `starting_token`, and only one page is held in memory at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from licensemanager_sdk._exceptions import PaginationError

__all__ = ["Page", "PaginationError", "Paginator"]

ItemT = TypeVar("ItemT")
ResponseT = TypeVar("ResponseT")


@dataclass(frozen=True, slots=True)
class Page(Generic[ItemT, ResponseT]):
    """One page: its items, the token of the next page (`None` on the last) and the whole response model."""

    items: Sequence[ItemT]
    next_token: str | None
    response: ResponseT


class Paginator(Generic[ItemT, ResponseT]):
    """A lazy, re-iterable view over a NextToken-paginated operation.

    Args:
        fetch: called with (next_token, page_size) for each page.
        page_size: `MaxResults` sent with each call (`None`: the service's default).
        max_items: stop after this many items in all. The last page may then be cut short, so its `next_token` is not
            a resume point.
        starting_token: the `NextToken` to start from.
    """

    def __init__(
        self,
        fetch: Callable[[str | None, int | None], Page[ItemT, ResponseT]],
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
    ) -> None:
        if page_size is not None and page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")
        if max_items is not None and max_items < 0:
            raise ValueError(f"max_items must not be negative, got {max_items}")
        self._fetch = fetch
        self._page_size = page_size
        self._max_items = max_items
        self._starting_token = starting_token

    def pages(self) -> Iterator[Page[ItemT, ResponseT]]:
        """Yield whole pages, fetching each when it is asked for."""
        token = self._starting_token
        seen: set[str] = set()
        remaining = self._max_items
        while remaining is None or remaining > 0:
            size = self._page_size if remaining is None else min(self._page_size or 100, remaining)
            page = self._fetch(token, size)
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
