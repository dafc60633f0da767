"""A real phone browser: Debian's chromium, driven by Selenium, against ``ward-kiosk web``.

The server is the installed command started as a subprocess on a free port with a
temporary SQLite configuration; the browser is headless at a phone's 390×844 viewport.
Every page is saved as a full-page screenshot in ``artifacts/web/``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.pre_entry import normalize_code
from kiosk.queue import QueueService
from tests.keys import open_store

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "web"
KIOSK = str(Path(sys.executable).parent / "ward-kiosk")
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844, "pixelRatio": 2}
MOVING_IN = (
    "move_in", "other_municipality", "2", "yes", "national", "none", "none",
)  # fmt: skip

webdriver = pytest.importorskip("selenium.webdriver")
if not (os.path.exists(CHROMEDRIVER) and os.path.exists(CHROMIUM)):
    pytest.skip(
        "needs Debian's chromium and chromium-driver (setup.sh --dev installs them)",
        allow_module_level=True,
    )

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web")
    path = folder / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{folder / "kiosk.db"}"\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def queue(config: Path) -> Iterator[QueueService]:
    """Tickets issued in this process, on the server's database (migrated here first)."""
    settings = Settings(database={"url": config.read_text().split('"')[1]})
    with open_store(settings.database_url(), config.parent / "keys" / "ward.key") as store:
        yield QueueService(store, Catalog.load(), settings.counters)


@contextmanager
def wait_until_serving(command: list[str], log: list[str] | None = None) -> Iterator[str]:
    """``command`` (``ward-kiosk web …``) on a free port, once it answers; its output is
    appended to ``log`` when it has stopped."""
    port = _free_port()
    process = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/waits", timeout=1).close()  # noqa: S310
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                process.kill()
                pytest.fail(f"ward-kiosk web did not start:\n{output}")
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not None and process.stdout is not None:
            log.append(process.stdout.read().decode())


@pytest.fixture(scope="module")
def server(config: Path, queue: QueueService) -> Iterator[str]:
    output: list[str] = []
    command = [KIOSK, "web", "--config", str(config), "--host", "127.0.0.1"]
    with wait_until_serving(command, output) as url:
        yield url
    log = "".join(output)
    for code in _codes_seen:
        assert code not in log and code.replace("-", "") not in log, "a code in the log"
    for token in _tokens_seen:
        assert token not in log, "a ticket's token in the log"
        assert "GET /t/{token} 200" in log, "the access log names the route"


_codes_seen: list[str] = []
_tokens_seen: list[str] = []


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--lang=ja"):
        options.add_argument(argument)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(15)
    yield driver
    driver.quit()


def shoot(driver: WebDriver, name: str) -> None:
    """A full-page screenshot at the phone's width."""
    import base64

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.execute_async_script("document.fonts.ready.then(arguments[arguments.length - 1])")
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    (ARTIFACTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def h1(driver: WebDriver) -> str:
    return str(driver.find_element(By.TAG_NAME, "h1").text)


def answer_questions(driver: WebDriver, prefix: str) -> None:
    """Tap the moving-in answers until the result page; a screenshot of each question."""
    for step in range(1, 12):
        buttons = driver.find_elements(By.CSS_SELECTOR, "button[name=answer]")
        if not buttons:
            return
        if step <= 2:
            shoot(driver, f"{prefix}-question-{step}")
        _check_tap_targets(driver)
        wanted = [b for b in buttons if b.get_attribute("value") in MOVING_IN]
        tap(driver, (wanted or buttons)[0])
    raise AssertionError("the questions did not end")


def tap(driver: WebDriver, element: WebElement) -> None:
    """Tap ``element`` and wait for the page it leads to."""
    element.click()
    WebDriverWait(driver, 5).until(expected_conditions.staleness_of(element))


def _check_tap_targets(driver: WebDriver) -> None:
    for element in driver.find_elements(By.CSS_SELECTOR, "main button, main a.button"):
        if element.is_displayed():
            assert element.size["height"] >= 48, element.text


def test_moving_in_prepared_at_home_in_japanese(server: str, browser: WebDriver):
    browser.get(server + "/")
    shoot(browser, "ja-01-languages")
    tap(browser, browser.find_element(By.LINK_TEXT, "日本語"))
    answer_questions(browser, "ja-02")
    assert h1(browser) == "必要な手続き"
    assert "転入届" in browser.page_source
    shoot(browser, "ja-03-result")
    tap(browser, browser.find_element(By.XPATH, "//button[contains(., 'お名前と住所も入力する')]"))
    browser.find_element(By.ID, "f-name").send_keys("大阪 太郎")
    browser.find_element(By.ID, "f-name_kana").send_keys("オオサカ タロウ")
    browser.find_element(By.ID, "f-postal_code").send_keys("5300001")
    tap(browser, browser.find_element(By.XPATH, "//button[contains(., '住所を探す')]"))
    address = browser.find_element(By.ID, "f-address")
    assert address.get_attribute("value") == "大阪府大阪市北区梅田", "filled from the 〒"
    address.send_keys("1丁目2番3号")
    shoot(browser, "ja-04-details")
    tap(browser, browser.find_element(By.XPATH, "//button[contains(., 'この内容でコードを作る')]"))
    code = browser.find_element(By.ID, "pre-entry-code").text
    assert normalize_code(code) is not None and len(code) == 14
    _codes_seen.append(code)
    assert browser.find_element(By.CSS_SELECTOR, "svg.qr").size["width"] >= 150
    assert browser.find_element(By.ID, "print").is_displayed(), "the print button needs JS"
    shoot(browser, "ja-05-code")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        shoot(browser, "ja-06-code-printed")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_moving_in_prepared_at_home_in_vietnamese(server: str, browser: WebDriver):
    browser.get(server + "/")
    tap(browser, browser.find_element(By.LINK_TEXT, "Tiếng Việt"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    answer_questions(browser, "vi-01")
    shoot(browser, "vi-02-result")
    tap(browser, browser.find_element(By.CSS_SELECTOR, "form[action^='/prepare/code'] button"))
    code = browser.find_element(By.ID, "pre-entry-code").text
    assert normalize_code(code) is not None
    _codes_seen.append(code)
    shoot(browser, "vi-03-code")


def test_the_ticket_page_follows_the_queue(
    server: str, browser: WebDriver, config: Path, queue: QueueService
):
    issued, code = _issue(config, queue)
    _tokens_seen.append(issued)
    browser.get(f"{server}/t/{issued}")
    headline = browser.find_element(By.ID, "t-headline")
    assert "お待ちください" in headline.text
    shoot(browser, "ticket-01-waiting")
    time.sleep(0.5)  # the EventSource is open
    for _ in range(5):  # tickets issued before this one are called first
        called = subprocess.run(
            [KIOSK, "queue", "call", "--counter", "resident", "--config", str(config)],
            check=True,
            capture_output=True,
            text=True,
        )
        if json.loads(called.stdout)["ticket"] == code:
            break
    called_at = time.monotonic()
    WebDriverWait(browser, 2).until(
        lambda d: "2番窓口へお越しください" in d.find_element(By.ID, "t-headline").text
    )
    assert time.monotonic() - called_at < 2
    shoot(browser, "ticket-02-called")
    browser.get(f"{server}/t/{issued}?lang=en")
    assert "Please go to counter 2" in browser.find_element(By.ID, "t-headline").text
    shoot(browser, "ticket-03-called-en")
    browser.get(f"{server}/t/not-a-real-token-000")
    shoot(browser, "ticket-04-unknown")


def test_the_waits_page(server: str, browser: WebDriver, queue: QueueService):
    queue.issue("insurance")
    browser.get(f"{server}/waits?lang=ja")
    assert h1(browser) == "いまの待ち状況"
    assert "国民健康保険" in browser.page_source
    shoot(browser, "waits-ja")
    browser.get(f"{server}/waits?lang=en")
    shoot(browser, "waits-en")


def _issue(config: Path, queue: QueueService) -> tuple[str, str]:
    """A ticket's token and number: from ``ward-kiosk queue issue`` when it prints the
    token, else from the store."""
    result = subprocess.run(
        [KIOSK, "queue", "issue", "--category", "resident", "--config", str(config)],
        check=True,
        capture_output=True,
        text=True,
    )
    printed = json.loads(result.stdout)
    if printed.get("token"):
        return str(printed["token"]), str(printed["ticket"])
    ticket = queue.issue("resident").ticket
    return str(ticket.token), ticket.code
