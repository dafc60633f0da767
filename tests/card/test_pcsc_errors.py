"""PC/SC result codes map to our errors (no pcscd needed)."""

from __future__ import annotations

import pytest
from smartcard import scard

from kiosk.card.errors import (
    CardBusyError,
    CardCommunicationError,
    CardError,
    CardRemovedError,
    CardTimeoutError,
    NoCardError,
    NoReaderError,
)
from kiosk.card.pcsc import _check, _error


@pytest.mark.parametrize(
    ("hresult", "error"),
    [
        (scard.SCARD_E_NO_SERVICE, NoReaderError),
        (scard.SCARD_E_SERVICE_STOPPED, NoReaderError),
        (scard.SCARD_F_COMM_ERROR, NoReaderError),  # libpcsclite lost pcscd
        (scard.SCARD_E_NO_READERS_AVAILABLE, NoReaderError),
        (scard.SCARD_E_UNKNOWN_READER, NoReaderError),
        (scard.SCARD_E_READER_UNAVAILABLE, NoReaderError),
        (scard.SCARD_E_NO_SMARTCARD, NoCardError),
        (scard.SCARD_W_REMOVED_CARD, NoCardError),
        (scard.SCARD_W_UNRESPONSIVE_CARD, NoCardError),
        (scard.SCARD_E_TIMEOUT, CardTimeoutError),
        (scard.SCARD_E_SHARING_VIOLATION, CardBusyError),
        (scard.SCARD_E_NOT_TRANSACTED, CardCommunicationError),
        (scard.SCARD_W_RESET_CARD, CardCommunicationError),
    ],
)
def test_result_codes_become_card_errors(hresult: int, error: type[CardError]) -> None:
    assert type(_error(hresult, "doing")) is error
    with pytest.raises(error, match="doing"):
        _check(hresult, "doing")


def test_a_missing_card_during_a_command_is_a_removal() -> None:
    assert isinstance(_error(scard.SCARD_W_REMOVED_CARD, "x", CardRemovedError), CardRemovedError)


def test_success_passes() -> None:
    _check(scard.SCARD_S_SUCCESS, "doing")


def test_busy_and_timeout_keep_the_card_error_code() -> None:
    assert CardBusyError.code == CardTimeoutError.code == "card_error"
    assert not issubclass(CardBusyError, CardCommunicationError)  # the UI tells them apart
