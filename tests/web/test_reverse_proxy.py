"""The reverse proxy examples in installer/web/ as shipped: nginx in front of the installed
``ward-kiosk web`` (TLS, HSTS, live updates through it, no ticket token in its log), and
Caddy's file accepted by Caddy."""

from __future__ import annotations

import http.client
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.queue import QueueService
from tests.keys import open_store
from tests.web.test_browser import KIOSK, _free_port, wait_until_serving

pytestmark = pytest.mark.timeout(90)

WEB = Path(__file__).resolve().parents[2] / "installer" / "web"
HOST = "smart.ward.example.jp"


def _needs(tool: str) -> str:
    found = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/bin")
    if found is None:
        pytest.skip(f"{tool} is not installed (setup.sh --dev installs it)")
    return found


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[Path, QueueService]]:
    """A config for ``ward-kiosk web`` and a queue on the same (migrated) database."""
    url = f"sqlite:///{tmp_path / 'kiosk.db'}"
    config = tmp_path / "web.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    with open_store(url, tmp_path / "keys" / "ward.key") as store:
        yield config, QueueService(store, Catalog.load(), Settings().counters)


@pytest.fixture
def proxied(database, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """nginx with installer/web/nginx.conf on a free port before ``ward-kiosk web``; its
    port and its access log."""
    nginx = _needs("nginx")
    config, _queue = database
    with wait_until_serving([KIOSK, "web", "--config", str(config), "--host", "127.0.0.1"]) as url:
        port = _free_port()
        folder = _nginx_folder(tmp_path / "nginx", int(url.rsplit(":", 1)[1]), port)
        process = subprocess.Popen(
            [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
        )
        try:
            _wait_for(port, process)
            yield port, folder / "access.log"
        finally:
            process.terminate()
            process.wait(10)


def _nginx_folder(folder: Path, app_port: int, port: int) -> Path:
    """The shipped site file with this test's ports, certificate and log paths."""
    folder.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
         "-subj", f"/CN={HOST}"],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (WEB / "nginx.conf").read_text(encoding="utf-8")
    for shipped, here in {
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(folder / "cert.pem"),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(folder / "key.pem"),
        "/var/log/nginx/ward-kiosk-web.log": str(folder / "access.log"),
        "listen 443 ssl http2;": f"listen 127.0.0.1:{port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{_free_port()};",
        "listen [::]:80;": "",
        "127.0.0.1:8080": f"127.0.0.1:{app_port}",
    }.items():
        assert shipped in site, shipped
        site = site.replace(shipped, here)
    (folder / "site.conf").write_text(site, encoding="utf-8")
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nuser root;\n"
        f"events {{}}\nhttp {{\n    include {folder}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    return folder


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"nginx stopped: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            _get(port, "/api/waits").read()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("nginx did not answer")


def _connection(port: int, timeout: float = 5) -> http.client.HTTPSConnection:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own certificate
    return http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=context)


def _get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = _connection(port)
    connection.request("GET", path, headers={"Host": HOST, **headers})
    return connection.getresponse()


def test_nginx_serves_the_ticket_page_over_tls_and_logs_no_token(proxied, database):
    port, access_log = proxied
    _config, queue = database
    ticket = queue.issue("resident").ticket
    page = _get(port, f"/t/{ticket.token}", **{"X-Forwarded-For": "203.0.113.9"})
    body = page.read().decode()
    assert page.status == 200 and ticket.code in body
    assert page.getheader("Strict-Transport-Security", "").startswith("max-age=")
    assert "default-src" in page.getheader("Content-Security-Policy", "")
    assert page.getheader("Server") == "nginx", "server_tokens off: no version"
    time.sleep(0.3)  # nginx writes its log line after the response
    log = access_log.read_text(encoding="utf-8")
    assert "GET 200" in log and ticket.token not in log


def test_the_live_updates_pass_through_nginx_at_once(proxied, database):
    port, _log = proxied
    _config, queue = database
    ticket = queue.issue("resident").ticket
    connection = _connection(port, timeout=5)
    connection.request("GET", f"/t/{ticket.token}/events", headers={"Host": HOST})
    stream = connection.getresponse()
    assert stream.status == 200
    assert stream.getheader("Content-Type", "").startswith("text/event-stream")
    while (called := queue.call_next("resident")) is not None and called.code != ticket.code:
        pass
    called_at = time.monotonic()
    while True:
        line = stream.readline().decode()
        assert line, "the stream ended"
        if '"status": "called"' in line:
            break
        assert time.monotonic() - called_at < 2, "not passed on within 2 s"
    assert time.monotonic() - called_at < 2, "not passed on within 2 s"
    assert "2番窓口" in line
    connection.close()


def test_caddy_accepts_the_shipped_caddyfile():
    caddy = _needs("caddy")
    done = subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", str(WEB / "Caddyfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
