"""The supervisor's counters, access log, kiosks and today tabs (the staff tab has its own
module). Each tab loads through ``Host.run``: never a database call on the GUI thread."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import language_name
from kiosk.queue.service import CounterOverview
from kiosk.storage import AccessEvent
from kiosk.supervision import Count, KioskHealth, TodayStats
from kiosk.ui.counter.charts import BarChart, Series
from kiosk.ui.counter.supervisor_base import (
    Host,
    SupervisorTab,
    actor_text,
    button,
    fill,
    local_time,
    table,
)

ACCESS_LOG_LIMIT = 200

# Status as a shape and a colour as well as a word (the word carries it on its own).
STATUS_MARKS = {"ok": ("●", "#1b7f3b"), "warning": ("▲", "#a35200"), "error": ("✖", "#b91c1c")}


ITEM_PADDING = 12  # QTableWidget::item padding in the panel's style sheet


# -- counters ---------------------------------------------------------------------------


class CountersTab(SupervisorTab):
    def __init__(self, host: Host) -> None:
        super().__init__(host, "counters.intro")
        t = host.t
        self.counters: list[CounterOverview] = []
        self.table = table(
            [
                t("counters.counter"),
                t("counters.desks"),
                t("counters.categories"),
                t("counters.state"),
                t("counters.action"),
            ],
            stretch=3,
        )
        self.table.verticalHeader().setDefaultSectionSize(64)
        self.layout_.addWidget(self.table, 1)

    def load(self) -> None:
        self.host.run(self.host.supervision.counters, self.show_counters, self.fail)

    def show_counters(self, counters: list[CounterOverview]) -> None:
        self.counters = sorted(counters, key=self._sign_order)
        t = self.host.t
        fill(
            self.table,
            [
                (
                    self.counter_name(c.counter),
                    str(c.desks),
                    t("common.separator").join(self.category_name(x) for x in c.categories),
                    self._state_text(c),
                    "",
                )
                for c in self.counters
            ],
        )
        for row, counter in enumerate(self.counters):
            item = self.table.item(row, 3)
            if item is not None:
                colour = Qt.GlobalColor.darkGreen if counter.open else Qt.GlobalColor.darkRed
                item.setForeground(colour)
            self.table.setCellWidget(row, 4, self._toggle_button(counter))
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        """Size the button column to its buttons: ResizeToContents sees only the items."""
        cells = [self.table.cellWidget(row, 4) for row in range(self.table.rowCount())]
        # Cell widgets sit inside the item's padding (PANEL_STYLE: 12 px each side).
        widths = [cell.sizeHint().width() + 2 * ITEM_PADDING for cell in cells if cell]
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(4, max([header.sectionSizeHint(4), *widths]))

    def _toggle_button(self, counter: CounterOverview) -> QWidget:
        key = "counters.close_button" if counter.open else "counters.open_button"
        cid, open_ = counter.counter, not counter.open
        widget = button(self.host.t(key), lambda: self.set_open(cid, open_))
        widget.setObjectName(f"counter-{cid}")
        cell = QWidget()  # a margin round the button, so it does not fill the row
        layout = QHBoxLayout(cell)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(widget)
        return cell

    def button_for(self, counter: str) -> QPushButton:
        """The open/close button of ``counter`` (tests press it)."""
        row = [c.counter for c in self.counters].index(counter)
        cell = self.table.cellWidget(row, 4)
        found = cell.findChild(QPushButton) if cell is not None else None
        if found is None:
            raise LookupError(f"no button for counter {counter}")
        return found

    def _sign_order(self, counter: CounterOverview) -> tuple[tuple[int, str], str]:
        """As the signs count: counter 1, 2, 5, 8 (numbers that are not numbers last)."""
        settings = self.host.supervision.settings.counters.get(counter.counter)
        key = settings.sign_key() if settings is not None else (10**6, "")
        return (key, counter.counter)

    def _state_text(self, counter: CounterOverview) -> str:
        t = self.host.t
        state = f"● {t('counters.open')}" if counter.open else f"■ {t('counters.closed')}"
        if counter.changed_at is None:
            return f"{state}  ({t('counters.never')})"
        who = actor_text(counter.changed_by)
        return f"{state}  ({t('counters.changed', time=local_time(counter.changed_at), who=who)})"

    def counter_name(self, counter: str) -> str:
        name = self.host.t_or(f"catalog.counters.{counter}", counter)
        settings = self.host.supervision.settings.counters.get(counter)
        if settings is None:
            return name
        return self.host.t("counters.number", number=settings.number, name=name)

    def category_name(self, category: str) -> str:
        return self.host.t_or(f"catalog.categories.{category}", category)

    def set_open(self, counter: str, open: bool) -> None:
        self.host.activity.emit()
        t = self.host.t
        name = self.counter_name(counter)
        if not open and not self.host.confirm(
            self, t("counters.confirm_close_title"), t("counters.confirm_close", counter=name)
        ):
            return
        self.host.activity.emit()
        supervision = self.host.supervision

        def done(_state: object) -> None:
            self.say(t("counters.opened" if open else "counters.closed_done", counter=name))
            self.load()

        self.host.run(lambda by: supervision.set_counter_open(by, counter, open), done, self.fail)

    def clear(self) -> None:
        super().clear()
        self.counters = []
        self.table.setRowCount(0)


# -- access log ---------------------------------------------------------------------------


class AccessLogTab(SupervisorTab):
    def __init__(self, host: Host) -> None:
        super().__init__(host, "log.intro")
        t = host.t
        self.events: list[AccessEvent] = []
        self.table = table(
            [t("log.time"), t("log.who"), t("log.action"), t("log.reference"), t("log.detail")]
        )
        self.table.setWordWrap(True)  # long details wrap rather than end in "..."
        self.layout_.addWidget(self.table, 1)

    def load(self) -> None:
        supervision = self.host.supervision
        self.host.run(
            lambda by: supervision.access_log(by, ACCESS_LOG_LIMIT), self.show_events, self.fail
        )

    def show_events(self, events: list[AccessEvent]) -> None:
        self.events = list(events)
        fill(
            self.table,
            [
                (
                    local_time(e.at, seconds=True),
                    actor_text(e.actor),
                    self.action_text(e.action),
                    e.visit_reference or "",
                    e.detail,
                )
                for e in self.events
            ],
        )
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 4)
            if item is not None and item.text():
                item.setToolTip(item.text())
        self.table.resizeRowsToContents()

    def action_text(self, action: str) -> str:
        """The translated label where there is one, the raw code otherwise."""
        return self.host.t_or(f"supervisor.log.actions.{action}", action)

    def clear(self) -> None:
        super().clear()
        self.events = []
        self.table.setRowCount(0)


# -- kiosks -------------------------------------------------------------------------------


class KiosksTab(SupervisorTab):
    def __init__(self, host: Host) -> None:
        super().__init__(host, "kiosks.intro")
        self.kiosks: list[KioskHealth] = []
        self.container = QWidget()
        self.cards = QVBoxLayout(self.container)
        self.cards.setContentsMargins(0, 0, 0, 0)
        self.cards.setSpacing(12)
        self.cards.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.container)
        self.layout_.addWidget(scroll, 1)

    def load(self) -> None:
        self.host.run(self.host.supervision.kiosk_health, self.show_kiosks, self.fail)

    def show_kiosks(self, kiosks: list[KioskHealth]) -> None:
        self._remove_cards()
        self.kiosks = list(kiosks)
        if not self.kiosks:
            self.cards.insertWidget(0, QLabel(self.host.t("kiosks.none")))
        for index, kiosk in enumerate(self.kiosks):
            self.cards.insertWidget(index, self._card(kiosk))

    def ago_text(self, seconds: float) -> str:
        t = self.host.t
        minutes = int(seconds // 60)
        if minutes < 1:
            return t("kiosks.just_now")
        if minutes < 60:
            return t("kiosks.minutes_ago", n=minutes)
        return t("kiosks.hours_ago", n=minutes // 60, m=minutes % 60)

    def _card(self, kiosk: KioskHealth) -> QFrame:
        t = self.host.t
        beat = kiosk.heartbeat
        frame = QFrame()
        frame.setObjectName("kioskCard")
        border = "#b91c1c" if kiosk.stale or beat.worst == "error" else "#9ca3af"
        frame.setStyleSheet(
            f"QFrame#kioskCard {{ border: 2px solid {border}; border-radius: 6px;"
            " background: white; }"
        )
        grid = QGridLayout(frame)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(16)
        title = QLabel(beat.kiosk_id)
        title.setStyleSheet("font-weight: bold; font-size: 22px;")
        grid.addWidget(title, 0, 0, 1, 2)
        when = t("kiosks.last", time=local_time(beat.at), ago=self.ago_text(kiosk.seconds_ago))
        grid.addWidget(QLabel(when), 0, 2)
        grid.addWidget(QLabel(t("kiosks.version", version=beat.version)), 0, 3)
        row = 1
        if kiosk.stale:
            stale = QLabel(t("kiosks.stale"))
            stale.setWordWrap(True)
            stale.setStyleSheet(
                "color: #9b1c1c; background: #fdecec; font-weight: bold; padding: 6px;"
            )
            grid.addWidget(stale, row, 0, 1, 4)
            row += 1
        for check in beat.checks:
            mark, colour = STATUS_MARKS.get(check.status, ("?", "#555555"))
            status = QLabel(f"{mark} {t(f'kiosks.{check.status}')}")
            status.setStyleSheet(f"color: {colour}; font-weight: bold;")
            name = QLabel(self.host.t_or(f"supervisor.kiosks.checks.{check.name}", check.name))
            detail = QLabel(check.detail)
            detail.setWordWrap(True)
            grid.addWidget(status, row, 0)
            grid.addWidget(name, row, 1)
            grid.addWidget(detail, row, 2, 1, 2)
            row += 1
        grid.setColumnStretch(2, 1)
        return frame

    def _remove_cards(self) -> None:
        while self.cards.count() > 1:  # the last item is the stretch
            item = self.cards.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)  # gone from the page now, not at the next event loop
                widget.deleteLater()

    def clear(self) -> None:
        super().clear()
        self.kiosks = []
        self._remove_cards()

    def texts_shown(self) -> list[str]:
        """Every text on the cards (tests check what is shown and what is cleared)."""
        return [label.text() for label in self.container.findChildren(QLabel) if label.isVisible()]


# -- today --------------------------------------------------------------------------------


class TodayTab(SupervisorTab):
    def __init__(self, host: Host) -> None:
        super().__init__(host, None)
        t = host.t
        self.stats: TodayStats | None = None
        self.heading = self.intro
        self.heading.setStyleSheet("font-weight: bold; font-size: 22px;")
        self.note = QLabel(t("today.note"))
        self.note.setWordWrap(True)
        self.layout_.insertWidget(1, self.note)
        empty = t("today.none")
        self.by_hour = BarChart(empty_text=empty)
        self.by_category = BarChart(empty_text=empty)
        self.waits = BarChart(decimals=1, empty_text=empty)
        self.services = BarChart(decimals=1, empty_text=empty)
        self.visits = BarChart(empty_text=empty)
        self.languages = BarChart(empty_text=empty)
        self.by_hour.setMinimumHeight(340)
        content = QWidget()
        grid = QGridLayout(content)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(16)
        grid.addWidget(self.by_hour, 0, 0, 1, 2)
        grid.addWidget(self.by_category, 1, 0)
        grid.addWidget(self.waits, 1, 1)
        grid.addWidget(self.services, 2, 0)
        grid.addWidget(self.languages, 2, 1)
        grid.addWidget(self.visits, 3, 0, 1, 2)  # seven labels: the whole width
        self.content = content
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.layout_.addWidget(scroll, 1)

    @property
    def charts(self) -> tuple[BarChart, ...]:
        return (
            self.by_hour,
            self.by_category,
            self.waits,
            self.services,
            self.visits,
            self.languages,
        )

    def load(self) -> None:
        self.host.run(self.host.supervision.today, self.show_stats, self.fail)

    def show_stats(self, stats: TodayStats) -> None:
        self.stats = stats
        t = self.host.t
        self.heading.setText(t("today.heading", date=stats.day.isoformat()))
        names = [self._category(c) for c in stats.categories]
        self.by_hour.set_title(t("today.tickets_by_hour"))
        self.by_hour.set_data(
            [t("today.hour", hour=h) for h in stats.hours],
            [Series(n, row) for n, row in zip(names, stats.by_hour, strict=True)],
        )
        self.by_category.set_title(t("today.tickets_by_category"))
        self.by_category.set_data(
            names,
            [
                Series(t("today.issued"), tuple(c.issued for c in stats.tickets)),
                Series(t("today.no_show"), tuple(c.no_show for c in stats.tickets)),
            ],
        )
        for chart, key, times in (
            (self.waits, "today.waits", stats.waits),
            (self.services, "today.services", stats.services),
        ):
            chart.set_title(t(key))
            chart.set_data(
                [self._category(c.category) for c in times],
                [
                    Series(t("today.median"), tuple(c.median for c in times)),
                    Series(t("today.p90"), tuple(c.p90 for c in times)),
                ],
            )
        self._show_visits(stats)

    def _show_visits(self, stats: TodayStats) -> None:
        t = self.host.t
        if stats.visits is None:
            self.visits.set_title(t("today.visits_hidden"))
        else:
            self.visits.set_title(t("today.visits", n=stats.visits))
        parts: Sequence[tuple[str, Count]] = (*stats.outcomes, *stats.card, *stats.voice)
        labels = [t(f"today.{key}") for key, _ in parts] if stats.visits else []
        values = tuple(n for _, n in parts) if stats.visits else ()
        self.visits.set_data(labels, [Series(self.visits.title, values)])
        self.languages.set_title(t("today.languages"))
        languages = stats.languages if stats.visits else ()
        self.languages.set_data(
            [language_name(c, self.host.texts.language) for c, _ in languages],
            [Series(t("today.languages"), tuple(n for _, n in languages))],
        )

    def _category(self, category: str) -> str:
        return self.host.t_or(f"catalog.categories.{category}", category)

    def clear(self) -> None:
        super().clear()
        self.stats = None
        self.heading.clear()
        for chart in self.charts:
            chart.clear()
