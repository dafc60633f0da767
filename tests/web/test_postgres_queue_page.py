"""On the ward's PostgreSQL, as deployed: the web process logs in with its own role
(``ward_web``), a kiosk issues a ticket, a counter calls it, and the phone's page (a real
browser) says where to go within 2 seconds of the call."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.queue import QueueService
from kiosk.storage import Store
from tests.storage.test_roles_postgres import (
    WardDatabase,
    counter,  # noqa: F401 (fixtures)
    kiosk,  # noqa: F401
    ward,  # noqa: F401
)
from tests.web.test_browser import KIOSK, browser, shoot, wait_until_serving  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

By = pytest.importorskip("selenium.webdriver.common.by").By
WebDriverWait = pytest.importorskip("selenium.webdriver.support.ui").WebDriverWait


@pytest.fixture
def web_server(ward: WardDatabase, tmp_path: Path) -> Iterator[str]:  # noqa: F811
    """``ward-kiosk web`` logged in as the ward's web login, nothing more."""
    config = tmp_path / "config.toml"
    url = ward.url_as(ward.logins["web"])
    config.write_text(f'[database]\nurl = "{url}"\nrole = "web"\n', encoding="utf-8")
    with wait_until_serving(
        [KIOSK, "web", "--config", str(config), "--host", "127.0.0.1"]
    ) as address:
        yield address


def queue_of(store: Store) -> QueueService:
    return QueueService(store, Catalog.load(), Settings().counters)


def test_the_phone_page_changes_within_2_s_of_the_counters_call(
    web_server: str,
    browser,  # noqa: F811
    kiosk: Store,  # noqa: F811
    counter: Store,  # noqa: F811
):
    issued = queue_of(kiosk).issue("resident").ticket
    assert issued.token, "every ticket gets the secret of its phone page"
    browser.get(f"{web_server}/t/{issued.token}")
    headline = browser.find_element(By.ID, "t-headline")
    assert issued.code in browser.page_source
    assert "お待ちください" in headline.text
    time.sleep(0.5)  # the page's event stream is open

    calls = queue_of(counter)
    while (called := calls.call_next("resident")) is not None and called.code != issued.code:
        pass  # tickets issued before this one in the same database are called first
    assert called is not None
    called_at = time.monotonic()
    WebDriverWait(browser, 2).until(
        lambda d: "2番窓口へお越しください" in d.find_element(By.ID, "t-headline").text
    )
    seen_after = time.monotonic() - called_at
    assert seen_after < 2, f"seen after {seen_after:.2f} s"
    shoot(browser, "ticket-postgres-called")
