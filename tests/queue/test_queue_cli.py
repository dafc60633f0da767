"""``ward-kiosk queue ...`` through click's CliRunner, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Path:
    path = tmp_path / "kiosk.toml"
    key = tmp_path / "keys" / "data.key"
    path.write_text(f'[database]\nurl = "{db_url}"\nkey_file = "{key}"\n', encoding="utf-8")
    return path


def _run(config: Path, *args: str) -> object:
    result = CliRunner().invoke(main, ["queue", *args, "--config", str(config)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_issue_call_status(config: Path) -> None:
    first = _run(config, "issue", "--category", "resident")
    assert first == {
        "ticket": "A-001",
        "number": 1,
        "category": "resident",
        "priority": False,
        "waiting_ahead": 0,
        "counter": "resident",
        "estimated_wait_minutes": 0,
        "url": "",
    }
    second = _run(config, "issue", "--category", "resident", "--priority")
    assert isinstance(second, dict)
    assert (second["ticket"], second["priority"]) == ("A-002", True)
    status = _run(config, "status")
    assert isinstance(status, dict)
    assert (status["resident"]["waiting"], status["resident"]["waiting_priority"]) == (2, 1)
    called = _run(config, "call", "--counter", "resident")
    assert isinstance(called, dict)
    assert (called["ticket"], called["status"], called["counter"]) == (
        "A-002",
        "called",
        "resident",
    )
    _run(config, "call", "--counter", "resident")
    assert _run(config, "call", "--counter", "resident") is None


def test_categories_and_counters(config: Path) -> None:
    categories = _run(config, "categories")
    assert isinstance(categories, list)
    assert categories[0] == {
        "id": "resident",
        "letter": "A",
        "order": 1,
        "service_minutes": 10.0,
        "counters": ["resident"],
    }
    counters = _run(config, "counters")
    assert isinstance(counters, list)
    assert {c["id"]: c["categories"] for c in counters}["information"] == ["consultation"]


def test_unknown_ids_are_named(config: Path) -> None:
    result = CliRunner().invoke(
        main, ["queue", "issue", "--category", "tax", "--config", str(config)]
    )
    assert result.exit_code == 1
    assert "unknown category 'tax'; known: children, consultation" in result.output
    result = CliRunner().invoke(main, ["queue", "call", "--counter", "9", "--config", str(config)])
    assert result.exit_code == 1
    assert "counter '9' serves no category" in result.output


def test_errors_are_messages_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    down = "postgresql+psycopg://kiosk@/ward?host=/nonexistent-socket-dir"
    path.write_text(f'[database]\nurl = "{down}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["queue", "status", "--config", str(path)])
    assert result.exit_code == 1
    assert "Error: Database postgresql+psycopg://kiosk@/ward" in result.output
    assert "unavailable" in result.output
    assert "Traceback" not in result.output
