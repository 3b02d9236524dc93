"""Auto-pagination: lazy, items by default, pages on request, page_size, max_items, repeated-token guard."""

from __future__ import annotations

from typing import Any

import pytest

from licensemanager_sdk import LicenseManager, PaginationError
from licensemanager_sdk.pagination import Page, Paginator
from licensemanager_sdk.types import Filter
from tests._wire import CannedWire


def _tokens(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"TokenId": f"t-{i}", "Status": "AVAILABLE"} for i in range(start, start + count)]


def test_nothing_is_sent_until_iteration(lm: LicenseManager, wire: CannedWire) -> None:
    paginator = lm.api.paginate_list_tokens()
    assert wire.sent == []
    wire.ok({"Tokens": _tokens(2), "NextToken": "n1"}).ok({"Tokens": _tokens(1, 2)})
    assert [t.token_id for t in paginator] == ["t-0", "t-1", "t-2"]
    assert [s.params.get("NextToken") for s in wire.sent] == [None, "n1"]


def test_pages_on_request_and_re_iteration_starts_again(lm: LicenseManager, wire: CannedWire) -> None:
    paginator = lm.api.paginate_list_tokens(filters=[Filter(name="LicenseArns", values=["arn:l"])], page_size=2)
    wire.ok({"Tokens": _tokens(2), "NextToken": "n1"}).ok({"Tokens": _tokens(1, 2)})
    pages = list(paginator.pages())
    assert [len(p.items) for p in pages] == [2, 1]
    assert [p.next_token for p in pages] == ["n1", None]
    assert pages[0].response.response_metadata is not None
    assert all(s.params["MaxResults"] == 2 and s.params["Filters"][0]["Values"] == ["arn:l"] for s in wire.sent)

    wire.ok({"Tokens": _tokens(2), "NextToken": "n1"}).ok({"Tokens": _tokens(1, 2)})
    assert len(list(paginator)) == 3
    assert len(wire.sent) == 4


def test_max_items_stops_early_and_asks_for_no_more_than_needed(lm: LicenseManager, wire: CannedWire) -> None:
    wire.ok({"Tokens": _tokens(3), "NextToken": "n1"}).ok({"Tokens": _tokens(3, 3), "NextToken": "n2"})
    items = list(lm.api.paginate_list_tokens(page_size=3, max_items=5))
    assert [t.token_id for t in items] == ["t-0", "t-1", "t-2", "t-3", "t-4"]
    assert [s.params["MaxResults"] for s in wire.sent] == [3, 2]
    assert len(wire.sent) == 2


def test_a_repeated_next_token_is_an_error_not_a_loop(lm: LicenseManager, wire: CannedWire) -> None:
    wire.ok({"Tokens": _tokens(1), "NextToken": "same"}).ok({"Tokens": _tokens(1), "NextToken": "same"})
    with pytest.raises(PaginationError, match="'same' twice"):
        list(lm.api.paginate_list_tokens())


def test_starting_token_resumes(lm: LicenseManager, wire: CannedWire) -> None:
    wire.ok({"Tokens": _tokens(1)})
    list(lm.api.paginate_list_tokens(starting_token="resume-here"))
    assert wire.sent[0].params["NextToken"] == "resume-here"


def test_invalid_arguments_fail_at_once() -> None:
    def fetch(token: str | None, size: int | None) -> Page[int, None]:
        raise AssertionError("must not fetch")

    with pytest.raises(ValueError, match="page_size"):
        Paginator(fetch, page_size=0)
    with pytest.raises(ValueError, match="max_items"):
        Paginator(fetch, max_items=-1)


def test_only_one_page_is_held_at_a_time() -> None:
    fetched: list[str | None] = []

    def fetch(token: str | None, size: int | None) -> Page[int, None]:
        fetched.append(token)
        index = int(token or 0)
        return Page(list(range(index * 10, index * 10 + 10)), str(index + 1) if index < 4 else None, None)

    iterator = iter(Paginator(fetch))
    assert next(iterator) == 0
    assert fetched == [None]  # the second page is fetched only when the first is used up
    assert sum(1 for _ in iterator) == 49
    assert fetched == [None, "1", "2", "3", "4"]
