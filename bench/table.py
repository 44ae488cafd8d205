"""Plain-text tables: text columns to the left, numbers to the right."""

from __future__ import annotations

from collections.abc import Sequence


def render_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [
        max([len(headers[column]), *(len(row[column]) for row in rows)])
        for column in range(len(headers))
    ]
    numeric = [all(_is_number(row[column]) for row in rows) for column in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([title, line(headers), rule, *(line(row) for row in rows)])


def _is_number(cell: str) -> bool:
    stripped = cell.replace(",", "").replace(".", "").replace("x", "").replace("+", "")
    return stripped.isdigit() or cell in {"—", ""}
