"""Bar charts as data for an inline SVG: drawn by the server, no script needed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["BarChart", "bar_chart"]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    length: float  # pixels
    y: int


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars: ``label_width`` pixels of labels, then bars up to ``bar_width`` pixels."""

    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_width: int
    row_height: int


def bar_chart(items: Sequence[tuple[str, float]], *, percent: bool = False, maximum: float | None = None,
              width: int = 520, row_height: int = 24) -> BarChart:
    """Lay out horizontal bars for ``(label, value)`` pairs, longest bar for the largest value.

    Parameters
    ----------
    items : sequence of (str, float)
    percent : bool
        Values are shares in [0, 1]: shown as percentages, scaled to 1.
    maximum : float, optional
        The value of a full-length bar; the largest value by default (1 for shares).
    width, row_height : int
        Pixels.

    Examples
    --------
    >>> chart = bar_chart([("a", 2), ("b", 4)], width=300)
    >>> [(bar.label, bar.text, bar.length) for bar in chart.bars]
    [('a', '2', 80.0), ('b', '4', 160.0)]
    """
    # Long labels (cluster names) are shortened rather than clipped at the chart's left edge.
    items = [(label if len(str(label)) <= 40 else str(label)[:39] + "…", value) for label, value in items]
    label_width = min(270, max(60, 7 * max((len(str(label)) for label, _ in items), default=0) + 10))
    bar_width = width - label_width - 80
    top = maximum if maximum is not None else (1.0 if percent else max((v for _, v in items), default=0))
    bars = []
    for row, (label, value) in enumerate(items):
        value = float(value or 0)
        if percent:
            text = f"{100 * value:.0f}%"
        elif maximum is not None or not value.is_integer():  # a scale of its own (features in [0, 1]): decimals
            text = f"{value:.2f}"
        else:
            text = f"{value:,.0f}"
        length = 0.0 if not top else round(bar_width * min(value / top, 1.0), 1)
        bars.append(Bar(str(label), value, text, length, row * row_height))
    return BarChart(tuple(bars), width, max(row_height, len(bars) * row_height), label_width, bar_width, row_height)
