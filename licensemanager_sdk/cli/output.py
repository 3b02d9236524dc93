"""How `lmsdk` prints results: JSON (one object per line for lists, AWS wire names) or an aligned table."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import click
from pydantic import BaseModel

from licensemanager_sdk._models import ResponseShape

__all__ = ["Output"]

_Item = BaseModel | ResponseShape | Mapping[str, Any]
"""A result to print: a response model or shape, or a plain mapping."""


def _wire(item: _Item) -> dict[str, Any]:
    if isinstance(item, (BaseModel, ResponseShape)):
        dumped: dict[str, Any] = item.model_dump(mode="json", by_alias=True, exclude_none=True)
        return dumped
    return dict(item)


class Output:
    """Writes results to stdout: `json` streams each item as it arrives; `table` collects rows, then aligns them."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt

    def one(self, item: _Item, columns: Sequence[str] | None = None) -> None:
        """One result object."""
        self.many([item], columns)

    def many(self, items: Iterable[_Item], columns: Sequence[str] | None = None) -> int:
        """A list of results; returns how many were written."""
        count = 0
        if self.fmt == "json":
            for item in items:
                if isinstance(item, (BaseModel, ResponseShape)):
                    text = item.model_dump_json(by_alias=True, exclude_none=True)
                else:
                    text = json.dumps(dict(item), default=str, separators=(",", ":"))
                click.echo(text)
                count += 1
            return count
        rows = [_wire(item) for item in items]
        names = list(columns) if columns else sorted({k for row in rows for k in row})
        cells = [[_cell(row.get(name)) for name in names] for row in rows]
        widths = [max([len(n), *(len(c[i]) for c in cells)]) for i, n in enumerate(names)]
        click.echo("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip())
        for line in cells:
            click.echo("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        return len(rows)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (dict, list)):
        if isinstance(value, list) and all(isinstance(v, dict) and "Name" in v for v in value):
            return ",".join(str(v["Name"]) + (f"={v['Value']}" if v.get("Value") else "") for v in value)
        return json.dumps(value, separators=(",", ":"))
    return str(value)
