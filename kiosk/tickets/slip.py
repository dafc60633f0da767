"""What a queue ticket shows, in the visitor's language, ready for any printer.

A :class:`TicketSlip` is plain data: every text already translated and filled in,
so the PDF and receipt layouts only place it. It holds no personal data; the QR
code carries the ticket's phone page (``<public_url>/t/<token>``, where the visitor
follows their turn, and which the counter scans too) when ``[web] public_url`` is set,
else only the visit's public reference (``WK:<reference>``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.catalog import Catalog
from kiosk.config import Settings, ticket_url
from kiosk.guidance import Step, counter_label, guidance, route
from kiosk.i18n import Translations
from kiosk.visit import Ticket, Visit, qr_payload


@dataclass(frozen=True)
class SlipTexts:
    """The ticket's labels and formatted values, from ``resources/i18n/<lang>/ticket.toml``."""

    title: str  # 受付番号票 · Queue ticket
    number: str  # label above the ticket code
    counter: str  # label of the counter box
    waiting: str  # label of the people-ahead box
    waiting_value: str  # 5人 / 5 people
    estimate: str  # label of the estimate
    estimate_value: str  # 約15分 / about 15 min / no wait
    issued: str  # 発行 令和8年（2026年）11月22日 14:05
    footer: str
    priority: str = ""  # 優先 · Priority on a priority ticket, else ""
    phone: str = ""  # "Follow your turn on your phone", with a phone page, else ""


@dataclass(frozen=True)
class TicketSlip:
    """One ticket as printed."""

    code: str
    language: str
    ward_name: str
    category_label: str
    counter_label: str
    waiting_ahead: int
    estimate_minutes: int | None  # None: no estimate (nothing printed for it)
    issued_at: datetime
    reference: str  # the visit's public reference; "" prints no QR code
    language_line: str
    texts: SlipTexts
    route: str = ""  # "2番 → 5番 → 8番窓口" when the visit has more than one counter
    phone_url: str = ""  # the ticket's phone page, printed small under the QR code; "" none

    @property
    def priority(self) -> bool:
        """A priority ticket: printed with the mark ``texts.priority``."""
        return bool(self.texts.priority)

    @property
    def qr_data(self) -> str:
        """What the QR code holds: the phone page's URL when there is one, else the visit
        reference only, e.g. ``WK:V-7K2Q9``; "" for neither (no QR code)."""
        if self.phone_url:
            return self.phone_url
        return qr_payload(self.reference) if self.reference else ""


def build_slip(
    ticket: Ticket,
    *,
    reference: str,
    texts: Translations,
    settings: Settings,
    minutes: int | None,
    steps: Sequence[Step] = (),
) -> TicketSlip:
    """The slip for ``ticket`` in the language of ``texts``, with the estimated wait
    (``minutes``, from :meth:`kiosk.queue.QueueService.estimate_minutes`; None prints none)
    and the route through the visit's ``steps`` when it has more than one counter; the
    QR code opens the ticket's phone page when ``[web] public_url`` is set."""
    phone_url = ticket_url(settings, ticket.token)
    return TicketSlip(
        code=ticket.code,
        language=texts.language,
        ward_name=settings.ward.name_in(texts.language),
        category_label=texts.text(f"catalog.categories.{ticket.category}"),
        counter_label=counter_label(settings, texts, ticket.counter),
        waiting_ahead=ticket.waiting_ahead,
        estimate_minutes=minutes,
        issued_at=ticket.issued_at,
        reference=reference,
        language_line=texts.text("ticket.slip.line"),
        texts=slip_texts(
            texts,
            ticket.waiting_ahead,
            minutes,
            ticket.issued_at,
            priority=ticket.priority,
            phone=bool(phone_url),
        ),
        route=route_text(texts, steps),
        phone_url=phone_url,
    )


def short_url(url: str) -> str:
    """The phone page's URL as printed under the QR code: without "https://"."""
    return url.removeprefix("https://").removeprefix("http://")


def visit_steps(
    visit: Visit, catalog: Catalog, settings: Settings, texts: Translations
) -> list[Step]:
    """The visit's procedures as steps, in the visit's order (cover page and ticket)."""
    steps = guidance(catalog, settings, texts, visit.answers)
    return [s for s in steps if s.procedure_id in visit.procedures]


def route_text(texts: Translations, steps: Sequence[Step]) -> str:
    """ "2番 → 5番 → 8番窓口" in the language of ``texts``; "" for one counter or none."""
    stops = route(steps)
    if len(stops) < 2:
        return ""
    arrow = texts.text("ui.route.arrow")
    line = arrow.join(texts.text("ui.route.stop", number=n) for n in stops)
    return texts.text("ticket.slip.route", route=line)


def slip_texts(
    texts: Translations,
    waiting_ahead: int,
    minutes: int | None,
    issued_at: datetime,
    *,
    priority: bool = False,
    phone: bool = False,
) -> SlipTexts:
    """The labels and values of a ticket in the language of ``texts``."""

    def t(key: str, **values: object) -> str:
        return texts.text(f"ticket.slip.{key}", **values)

    return SlipTexts(
        title=t("title"),
        number=t("number"),
        counter=t("counter"),
        waiting=t("waiting"),
        waiting_value=t("people", n=waiting_ahead),
        estimate=t("estimate"),
        estimate_value=estimate_text(texts, minutes),
        issued=t("issued", date=date_text(texts, issued_at), time=f"{issued_at:%H:%M}"),
        footer=t("footer"),
        priority=t("priority") if priority else "",
        phone=t("phone") if phone else "",
    )


def estimate_text(texts: Translations, minutes: int | None) -> str:
    """約15分 / about 15 min / 약 15분; "no wait" for 0; "" when there is no estimate."""
    if minutes is None:
        return ""
    if minutes == 0:
        return texts.text("ticket.slip.no_wait")
    return texts.text("ticket.slip.minutes", n=minutes)


def date_text(texts: Translations, when: datetime) -> str:
    """The issue date as the language writes it (Japanese with the era)."""
    return texts.info.date(when.date())
