"""The declared listing helper and `pagination.merged`: filter sets, merged streams, de-duplication, max_items."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from licensemanager_sdk.pagination import Page, merged
from licensemanager_sdk.resources._listing import FilterOn, Listing
from licensemanager_sdk.types import LicenseStatus


@dataclass
class Response:
    items: list[str]
    next_token: str | None


@dataclass
class FakeOperation:
    """A list operation over fixed data: items by (filter values) key, served two per page unless asked otherwise."""

    data: dict[tuple[str, ...], list[str]]
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, api: object, **params: Any) -> Response:
        self.calls.append(params)
        key = tuple(value for f in params.get("filters") or [] for value in f.values)
        start = int(params["next_token"] or 0)
        size = params["max_results"] or 2
        rows = self.data[key][start : start + size]
        following = start + size if start + size < len(self.data[key]) else None
        return Response(rows, None if following is None else str(following))


def listing(operation: FakeOperation) -> Listing[str, Response]:
    return Listing(
        operation,
        lambda response: response.items,
        {"status": FilterOn("Status", LicenseStatus), "owner": FilterOn("Owner", convert=str.upper)},
    )


def test_several_values_become_one_stream_each_deduplicated_and_counted_after_dedup() -> None:
    op = FakeOperation({("AVAILABLE", "A"): ["x", "y", "z"], ("DEACTIVATED", "A"): ["y", "w", "v"]})
    paginator = listing(op).paginate(
        None,  # type: ignore[arg-type]
        str.upper,
        filters={"status": ["AVAILABLE", LicenseStatus.DEACTIVATED], "owner": "a"},
        page_size=None,
        max_items=4,
        license_arns=["arn:l"],
    )
    assert op.calls == []  # lazy
    assert list(paginator) == ["X", "Y", "Z", "W"]  # the second Y is dropped and not counted
    assert [(c["filters"][0].values, c["filters"][1].values) for c in op.calls] == [
        (["AVAILABLE"], ["A"]),
        (["DEACTIVATED"], ["A"]),  # only once the first stream is exhausted
        (["DEACTIVATED"], ["A"]),
    ]
    assert [c["max_results"] for c in op.calls] == [4, 1, 1]  # never asks for more than is still needed
    assert all(c["license_arns"] == ["arn:l"] for c in op.calls)
    assert list(paginator) == ["X", "Y", "Z", "W"]  # a new iteration starts afresh


def test_one_value_is_a_plain_paginator_and_keeps_duplicates() -> None:
    op = FakeOperation({("AVAILABLE", "B"): ["x", "x", "y"]})
    paginator = listing(op).paginate(
        None,  # type: ignore[arg-type]
        str,
        filters={"status": "AVAILABLE", "owner": "b"},
        page_size=2,
        max_items=None,
    )
    pages = list(paginator.pages())
    assert [list(page.items) for page in pages] == [["x", "x"], ["y"]]
    assert [page.next_token for page in pages] == ["2", None]


def test_no_declared_filters_sends_none_and_undeclared_keywords_are_refused() -> None:
    op = FakeOperation({(): ["a"]})
    plain: Listing[str, Response] = Listing(op, lambda response: response.items)
    assert list(plain.paginate(None, str, page_size=None, max_items=None, license_arn="l")) == ["a"]  # type: ignore[arg-type]
    assert "filters" not in op.calls[0]
    with pytest.raises(TypeError, match="takes the filters"):
        listing(op).paginate(None, str, filters={"status": None}, page_size=None, max_items=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is not a LicenseStatus"):
        listing(op).paginate(None, str, filters={"status": "ACTIV", "owner": None}, page_size=None, max_items=None)  # type: ignore[arg-type]


def test_merged_pages_carry_composite_tokens() -> None:
    def stream(items: list[str]) -> Any:
        def fetch(token: str | None, size: int | None) -> Page[str, None]:
            start = int(token or 0)
            rest = items[start + 1 :]
            return Page(items[start : start + 1], str(start + 1) if rest else None, None)

        return fetch

    pages = list(merged([stream(["a", "b"]), stream(["b", "c"])]).pages())
    assert [(list(page.items), page.next_token) for page in pages] == [
        (["a"], "0:1"),
        (["b"], "1:"),
        ([], "1:1"),  # "b" again: dropped
        (["c"], None),
    ]
    with pytest.raises(ValueError, match="at least one stream"):
        merged([])
