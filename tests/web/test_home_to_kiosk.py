"""スマート申請 end to end: a resident prepares on a phone (real browser, ``ward-kiosk
web``), the kiosk (real window, pcscd and the virtual card) loads the code from the page
and prints forms holding what was typed at home, and the counter opens the same code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.card.virtual.persona import load_persona
from kiosk.checkout import Checkout
from kiosk.counter import CounterDesk
from kiosk.counter_pre_entry import PreEntryDesk
from kiosk.pre_entry import normalize_code
from kiosk.queue import QueueService
from kiosk.resources import resource
from kiosk.staff import StaffAccounts
from tests.counter_fixture import STAFF_PIN, cheap_hasher
from tests.keys import open_store
from tests.kiosk_fixture import pdf_text
from tests.web.test_browser import (  # noqa: F401 (the browser fixture)
    KIOSK,
    answer_questions,
    browser,
    h1,
    shoot,
    tap,
    wait_until_serving,
)

pytestmark = [pytest.mark.browser, pytest.mark.pcsc, pytest.mark.timeout(180)]

By = pytest.importorskip("selenium.webdriver.common.by").By
PERSONA = load_persona(resource("personas", "demo.toml"))
ADDRESS = "大阪府大阪市北区梅田1丁目2番3号 梅田ハイツ405"


@pytest.fixture
def web_on_the_kiosks_database(kiosk_window, tmp_path: Path) -> Iterator[str]:
    """``ward-kiosk web`` on the database the kiosk uses (as a ward's server would be)."""
    config = tmp_path / "web.toml"
    url = kiosk_window.context.settings.database_url()
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    with wait_until_serving([KIOSK, "web", "--config", str(config), "--host", "127.0.0.1"]) as at:
        yield at


def prepare_on_the_phone(browser, server: str) -> str:  # noqa: F811
    """Moving in, in English, with the new address typed; the code the page shows."""
    browser.get(server + "/?lang=en")
    answer_questions(browser, "e2e")
    tap(browser, browser.find_element(By.XPATH, "//button[contains(., 'address')]"))
    browser.find_element(By.ID, "f-postal_code").send_keys("5300001")
    tap(browser, browser.find_element(By.XPATH, "//button[contains(., 'Find')]"))
    address = browser.find_element(By.ID, "f-address")
    address.send_keys("1丁目2番3号 梅田ハイツ405")
    moved = browser.find_element(By.ID, "f-moved_on")
    browser.execute_script("arguments[0].value = '2026-11-28'", moved)
    shoot(browser, "e2e-details")
    tap(browser, browser.find_element(By.CSS_SELECTOR, "form.details button.primary"))
    code = normalize_code(browser.find_element(By.ID, "pre-entry-code").text)
    assert code is not None, h1(browser)
    return code


def test_prepared_on_a_phone_printed_at_the_kiosk_opened_at_the_counter(
    browser,  # noqa: F811
    web_on_the_kiosks_database: str,
    kiosk_window,
    visitor,
    pcsc_reader,
    virtual_card,
    tmp_path: Path,
):
    code = prepare_on_the_phone(browser, web_on_the_kiosks_database)
    window = kiosk_window
    visitor.click(window.welcome.prepared)
    visitor.wait_for(window.prepared)
    for char in code:
        visitor.click(window.prepared.keys[char])
    visitor.click(window.prepared.ok)
    visitor.wait_for(window.result)
    assert window.texts.language == "en"
    visitor.with_card(PERSONA.pin, number=True)
    visitor.click(window.confirm.ok)
    visitor.answer("none")
    visitor.wait_for(window.done)
    settings = window.context.settings
    [forms] = sorted(settings.output_dir().glob("*forms*.pdf"))
    printed = pdf_text(forms).replace(" ", "")
    assert f"〒530-0001{ADDRESS}".replace(" ", "") in printed
    assert "令和8年11月28日" in printed

    with open_store(settings.database_url(), settings.private_key_file()) as store:
        checkout = Checkout(window.context, lambda: store, None, None)  # type: ignore[arg-type]
        queue = QueueService(store, window.context.catalog, settings.counters)
        desk = CounterDesk(window.context, store, queue, checkout.reprint)
        accounts = StaffAccounts(store, hasher=cheap_hasher())
        accounts.add("S001", "窓口 花子", "staff", STAFF_PIN, by="cli:tester")
        session = accounts.sign_in("S001", STAFF_PIN)
        view = PreEntryDesk(desk).open(session, code, counter="resident")
    assert view.used_at is not None, "the kiosk printed it"
    assert view.details is not None and view.details.address == ADDRESS
