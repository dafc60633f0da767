"""Bar charts drawn with QPainter (QtCharts is not part of PySide6-Essentials).

Made to be read at a counter: large type, a value written on every bar, axis labels,
and series told apart by a pattern and the legend as well as by colour. A value of
None is a suppressed figure (see kiosk.stats.MIN_COUNT): drawn as "x" without a bar.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SUPPRESSED_MARK = "x"

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
# Series after the first also get a pattern, so print-outs and grey screens still work.
PATTERNS = (
    Qt.BrushStyle.NoBrush,
    Qt.BrushStyle.BDiagPattern,
    Qt.BrushStyle.Dense5Pattern,
    Qt.BrushStyle.CrossPattern,
    Qt.BrushStyle.FDiagPattern,
    Qt.BrushStyle.HorPattern,
    Qt.BrushStyle.VerPattern,
)

TITLE_PX = 20
LABEL_PX = 16
VALUE_PX = 15
PAD = 10
TEXT_COLOUR = QColor("#1a1a1a")
AXIS_COLOUR = QColor("#555555")
GRID_COLOUR = QColor("#dddddd")


@dataclass(frozen=True)
class Series:
    """One row of bars: its name (for the legend) and a value per label."""

    name: str
    values: tuple[float | None, ...]


class BarChart(QWidget):
    """Grouped vertical bars: one group per label, one bar per series."""

    def __init__(
        self,
        title: str = "",
        *,
        decimals: int = 0,
        empty_text: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._title = title
        self._decimals = decimals
        self._empty_text = empty_text
        self._labels: tuple[str, ...] = ()
        self._series: tuple[Series, ...] = ()
        self.setMinimumHeight(280)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    # -- data ---------------------------------------------------------------------

    def set_title(self, title: str) -> None:
        self._title = title
        self.update()

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.update()

    def set_data(self, labels: Sequence[str], series: Sequence[Series]) -> None:
        """Replace the data; every series needs one value per label."""
        for s in series:
            if len(s.values) != len(labels):
                raise ValueError(
                    f"series {s.name!r} has {len(s.values)} values for {len(labels)} labels"
                )
        self._labels = tuple(labels)
        self._series = tuple(series)
        self.update()

    def clear(self) -> None:
        self._title = ""
        self._labels = ()
        self._series = ()
        self.update()

    @property
    def title(self) -> str:
        return self._title

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    @property
    def series(self) -> tuple[Series, ...]:
        return self._series

    def value_text(self, value: float | None) -> str:
        """What is written on a bar."""
        if value is None:
            return SUPPRESSED_MARK
        return f"{value:.{self._decimals}f}"

    def sizeHint(self) -> QSize:
        return QSize(520, 320)

    # -- painting -----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        area = QRectF(self.rect()).adjusted(PAD, PAD, -PAD, -PAD)
        painter.fillRect(self.rect(), QColor("white"))
        top = area.top()
        if self._title:
            painter.setFont(_font(TITLE_PX, bold=True))
            painter.setPen(TEXT_COLOUR)
            height = painter.fontMetrics().height()
            title_rect = QRectF(area.left(), top, area.width(), height)
            painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft, self._title)
            top += height + PAD
        if not self._labels or not self._series:
            painter.setFont(_font(LABEL_PX))
            painter.setPen(AXIS_COLOUR)
            rest = QRectF(area.left(), top, area.width(), area.bottom() - top)
            painter.drawText(rest, Qt.AlignmentFlag.AlignCenter, self._empty_text)
            return
        if len(self._series) > 1:
            top = self._paint_legend(painter, area.left(), top, area.width()) + PAD
        self._paint_plot(painter, QRectF(area.left(), top, area.width(), area.bottom() - top))

    def _paint_legend(self, painter: QPainter, left: float, top: float, width: float) -> float:
        painter.setFont(_font(LABEL_PX))
        metrics = painter.fontMetrics()
        height = metrics.height()
        x, y = left, top
        for index, series in enumerate(self._series):
            item_width = height + 8 + metrics.horizontalAdvance(series.name) + 24
            if x > left and x + item_width > left + width:
                x, y = left, y + height + 4
            _bar(painter, QRectF(x, y + 2, height - 4, height - 4), index)
            painter.setPen(TEXT_COLOUR)
            painter.drawText(
                QRectF(x + height + 4, y, item_width, height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                series.name,
            )
            x += item_width
        return y + height

    def _paint_plot(self, painter: QPainter, area: QRectF) -> None:
        painter.setFont(_font(LABEL_PX))
        metrics = painter.fontMetrics()
        highest = max((v for s in self._series for v in s.values if v is not None), default=0)
        ticks = _ticks(highest, whole=self._decimals == 0)
        axis_width = max(metrics.horizontalAdvance(self.value_text(t)) for t in ticks) + 10
        label_height = metrics.height() * 2 + 4
        plot = QRectF(
            area.left() + axis_width,
            area.top() + metrics.height(),  # room for the values above the highest bar
            area.width() - axis_width,
            area.height() - label_height - metrics.height(),
        )
        if plot.height() < 20 or plot.width() < 20:
            return
        top_value = ticks[-1] or 1.0
        for tick in ticks:
            y = plot.bottom() - plot.height() * tick / top_value
            painter.setPen(QPen(GRID_COLOUR, 1))
            painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            painter.setPen(AXIS_COLOUR)
            painter.drawText(
                QRectF(area.left(), y - metrics.height() / 2, axis_width - 6, metrics.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self.value_text(tick),
            )
        painter.setPen(QPen(AXIS_COLOUR, 2))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())

        slot = plot.width() / len(self._labels)
        bars = len(self._series)
        bar_width = min(72.0, slot * 0.8 / bars)
        for i, label in enumerate(self._labels):
            group_left = plot.left() + slot * i + (slot - bar_width * bars) / 2
            for j, series in enumerate(self._series):
                x = group_left + bar_width * j
                self._paint_bar(painter, x, bar_width, plot, top_value, series.values[i], j)
            painter.setFont(_font(LABEL_PX))
            painter.setPen(TEXT_COLOUR)
            painter.drawText(
                QRectF(plot.left() + slot * i, plot.bottom() + 4, slot, label_height),
                Qt.AlignmentFlag.AlignHCenter
                | Qt.AlignmentFlag.AlignTop
                | Qt.TextFlag.TextWordWrap,
                label,
            )

    def _paint_bar(
        self,
        painter: QPainter,
        x: float,
        width: float,
        plot: QRectF,
        top_value: float,
        value: float | None,
        index: int,
    ) -> None:
        height = 0.0 if value is None else plot.height() * value / top_value
        if height > 0:
            _bar(painter, QRectF(x + 1, plot.bottom() - height, width - 2, height), index)
        size = VALUE_PX if width >= 28 else max(11, int(width * 0.5))
        painter.setFont(_font(size, bold=True))
        painter.setPen(AXIS_COLOUR if value is None else TEXT_COLOUR)
        text_height = painter.fontMetrics().height()
        painter.drawText(
            QRectF(x - 8, plot.bottom() - height - text_height, width + 16, text_height),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
            self.value_text(value),
        )


def _bar(painter: QPainter, rect: QRectF, index: int) -> None:
    colour = QColor(COLOURS[index % len(COLOURS)])
    painter.setPen(QPen(colour.darker(140), 1))
    painter.setBrush(colour)
    painter.drawRect(rect)
    pattern = PATTERNS[index % len(PATTERNS)]
    if pattern != Qt.BrushStyle.NoBrush:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(255, 255, 255, 170), pattern))
        painter.drawRect(rect)
    painter.setBrush(Qt.BrushStyle.NoBrush)


def _font(pixels: int, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


def _ticks(maximum: float, *, whole: bool) -> list[float]:
    """0 and about four round steps up to at least ``maximum`` (whole steps for counts)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = [m * magnitude for m in (1, 2, 2.5, 5, 10)]
    if whole:
        steps = [s for s in steps if s >= 1 and s == int(s)] or [1.0]
    step = next((s for s in steps if s >= raw), steps[-1])
    count = math.ceil(maximum / step - 1e-9)
    return [step * i for i in range(count + 1)]
