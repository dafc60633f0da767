"""The card step of a visit: the reader, "is this your card?", the PIN, and the check.

A mixin of the kiosk window. The card is read once per visit, with one PIN
entry, after the questions: the basic data and, when a procedure needs it and
the visitor agreed on the result screen, the My Number too. A card that was on
the reader when the previous visit ended is never read without asking whose it is.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from kiosk.card.monitor import ReaderEvent
from kiosk.checkout import Checkout
from kiosk.journey import DetailsShown, Event, Journey
from kiosk.services import CardData, CardReader
from kiosk.ui.screens.confirm import ConfirmScreen
from kiosk.ui.screens.done import DoneScreen
from kiosk.ui.screens.identity import IdentityScreen
from kiosk.ui.screens.pin import PinScreen
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.visitor_messages import MIN_PIN_TRIES, Coded, refusal, too_few_tries

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kiosk.i18n import Translations

READER_SETTLE_S = 1.5  # "no reader" only once the monitor has had time to report one


class CardSteps:
    """The window's card step; the window provides the attributes declared here."""

    card: CardReader
    checkout: Checkout
    runner: TaskRunner
    identity: IdentityScreen
    pin: PinScreen
    confirm: ConfirmScreen
    done: DoneScreen
    texts: Translations
    journey: Journey | None
    _cards: dict[str, bool]  # reader name -> holds a card, from the monitor
    _checking: bool  # a tries-left check of a new card is under way
    _reading: bool  # the card is being read with the PIN
    _await_removal: bool
    _error_shown: str
    _stale_card: bool  # a card has been on the reader since the previous visit ended
    _watching_since: float

    if TYPE_CHECKING:

        def current_screen(self) -> QWidget | None: ...

        def _go(self, screen: QWidget, *, idle: bool = True) -> None: ...

        def _error_text(self, error: Exception) -> str: ...

        def follow(self, event: Event | None) -> None: ...

        def _card_lifted(self) -> None: ...

    @property
    def _with_number(self) -> bool:
        """The visitor agreed to have the My Number read with the PIN (the journey's)."""
        return self.journey is not None and self.journey.with_number

    @property
    def card_on_reader(self) -> bool:
        return any(self._cards.values())

    def go_to_card(self, *, with_number: bool) -> None:
        """The result screen's "continue with the card": the identity screen."""
        if self.journey is not None:
            self.follow(self.journey.choose_card(with_number=with_number))

    def show_identity(self, *, await_removal: bool = False, error: Exception | None = None) -> None:
        self.pin.clear()
        self.identity.retranslate(self.texts)
        self.identity.hide_whose_card()
        self._error_shown = getattr(error, "code", "unexpected") if error else ""
        if error is None:
            self.identity.notice.clear_message()
        else:
            self.identity.notice.show_message(self._error_text(error))
        self._await_removal = await_removal
        self._go(self.identity)
        self._identity_update()

    def continue_without_card(self) -> None:
        if self.journey is not None:
            self.follow(self.journey.without_card())

    def _forget_card(self) -> None:
        """Back from the check screen: the card data is dropped, the card step again."""
        if self.journey is not None:
            self.journey.forget_card()
        self.confirm.wipe()
        self.show_identity(await_removal=True)

    def _details_confirmed(self, *, something_wrong: bool = False) -> None:
        journey = self.journey
        if journey is None or journey.visit.person is None:
            return
        self.follow(journey.confirm_details(something_wrong=something_wrong))

    def _back_to_card_step(self) -> None:
        """Back from the first question after the card: its screen again."""
        if self.journey is not None:
            self.follow(self.journey.back_to_card_step())

    def _show_details(self, event: DetailsShown) -> None:
        self.confirm.retranslate(self.texts)
        self.confirm.show_person(event.person, self.texts)
        self.confirm.show_number(event.masked_number, self.texts)
        self._go(self.confirm)

    # -- the reader -----------------------------------------------------------

    def _on_reader_event(self, event: ReaderEvent) -> None:
        """The monitor saw a reader or a card come or go (delivered on the GUI thread)."""
        if event.kind == "reader_removed":
            self._cards.pop(event.reader, None)
        else:
            self._cards[event.reader] = event.card_present
        gone = event.kind in ("card_removed", "reader_removed")
        if gone and not self.card_on_reader:
            self._stale_card = False
            self._card_lifted()
        screen = self.current_screen()
        if screen is self.identity:
            self._identity_update()
        elif screen is self.pin and gone and not self._reading:
            self.show_identity(error=Coded("card_removed"))

    def _identity_update(self) -> None:
        """Act on the reader's state: say there is no reader, or check a new card."""
        if not self._cards:
            settling = READER_SETTLE_S - (time.monotonic() - self._watching_since)
            if settling > 0:  # the monitor's first report may still be on its way
                QTimer.singleShot(int(settling * 1000) + 1, self._recheck_identity)
            else:
                self._show_identity_error(Coded("no_reader"))
            return
        if self._error_shown == "no_reader":
            self._error_shown = ""
            self.identity.notice.clear_message()
        if not self.card_on_reader:
            self._await_removal = False  # the card was lifted: the next one is checked
            self.identity.hide_whose_card()
            return
        if self._await_removal or self._checking:
            return
        if self._stale_card:
            self.identity.ask_whose_card()  # left by the previous visitor?
            return
        self._checking = True
        self.identity.show_checking()
        self.runner.submit(self.card.tries_left, self._tries_known, self._check_failed)

    def _recheck_identity(self) -> None:
        if self.current_screen() is self.identity:
            self._identity_update()

    def _own_card(self) -> None:
        self._stale_card = False
        self.identity.hide_whose_card()
        self._identity_update()

    def _not_own_card(self) -> None:
        self.identity.hide_whose_card()
        self.identity.notice.show_message(self.texts.text("ui.identity.remove_other_card"))
        self._await_removal = True

    def _check_failed(self, error: Exception) -> None:
        self._checking = False
        self._show_identity_error(error)

    def _tries_known(self, tries: int) -> None:
        self._checking = False
        if self.current_screen() is not self.identity:
            return
        if tries < MIN_PIN_TRIES:
            self._show_identity_error(too_few_tries(tries))
            return
        self.pin.retranslate(self.texts)
        if self._with_number:
            self.pin.set_purpose_title(self.texts.text("ui.pin.title_with_number"))
        self.pin.start(tries)
        self._go(self.pin)

    def _show_identity_error(self, error: Exception) -> None:
        """Say what went wrong; wait for the card to be lifted before trying again."""
        self._error_shown = getattr(error, "code", "unexpected")
        self.identity.show_waiting()
        self.identity.notice.show_message(self._error_text(error))
        self._await_removal = self._error_shown != "no_reader"
        if self.current_screen() is not self.identity:
            self._go(self.identity)

    # -- the PIN: one entry reads everything the visit needs -------------------

    def _read_card(self, pin: str) -> None:
        card, checkout = self.card, self.checkout
        if self.journey is None:
            return
        visit = self.journey.visit
        with_number = self._with_number
        self._reading = True
        self.runner.submit(
            lambda: checkout.read_card(card, pin, visit, with_number=with_number),
            self._card_read,
            self._pin_failed,
        )

    def _card_read(self, data: CardData) -> None:
        self._reading = False
        if self.journey is not None:
            self.follow(self.journey.card_read(data))

    def _pin_failed(self, error: Exception) -> None:
        self._reading = False
        refused = refusal(error)
        if refused is None and getattr(error, "code", "") == "wrong_pin":
            self.pin.start(getattr(error, "tries_left", MIN_PIN_TRIES))
            self.pin.notice.show_message(self._error_text(error))
        elif refused is not None:
            self.pin.refuse(self._error_text(refused))
        else:
            code = getattr(error, "code", "")
            if code == "card_removed":  # known now; the reader monitor may report it later
                self._cards = dict.fromkeys(self._cards, False)
            self.show_identity(await_removal=code != "card_removed", error=error)
