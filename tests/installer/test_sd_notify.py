"""sd_notify without systemd: a datagram socket stands in for NOTIFY_SOCKET."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.sd_notify import Notifier


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(2)
        yield sock, path


def test_ready_watchdog_and_stopping_arrive_as_datagrams(notify_socket):
    sock, path = notify_socket
    notifier = Notifier({"NOTIFY_SOCKET": path})
    assert notifier.ready("welcome screen shown")
    assert sock.recv(4096) == b"READY=1\nSTATUS=welcome screen shown"
    assert notifier.watchdog()
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert notifier.stopping()
    assert sock.recv(4096) == b"STOPPING=1"


def test_the_abstract_namespace():
    name = f"ward-kiosk-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        sock.settimeout(2)
        assert Notifier({"NOTIFY_SOCKET": f"@{name}"}).ready()
        assert sock.recv(4096) == b"READY=1"


def test_outside_systemd_nothing_is_sent():
    notifier = Notifier({})
    assert not notifier.enabled
    assert not notifier.ready()
    assert notifier.watchdog_interval_ms() is None


def test_a_socket_gone_is_reported_once_and_not_raised(tmp_path, caplog):
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "nobody")})
    assert not notifier.watchdog()
    assert not notifier.watchdog()
    assert len([r for r in caplog.records if "could not notify" in r.message]) == 1


@pytest.mark.parametrize(
    ("pid", "interval"),
    [
        (None, 15000),  # WATCHDOG_PID unset: meant for whoever reads it
        ("self", 15000),
        ("parent", 15000),  # under cage, systemd's main process is the compositor
        ("1", None),  # another service's process
    ],
)
def test_the_watchdog_interval_is_half_of_watchdog_usec(notify_socket, pid, interval):
    _, path = notify_socket
    environ = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"}
    if pid is not None:
        environ["WATCHDOG_PID"] = {"self": str(os.getpid()), "parent": str(os.getppid())}.get(
            pid, pid
        )
    assert Notifier(environ).watchdog_interval_ms() == interval
