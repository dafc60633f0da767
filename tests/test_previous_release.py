"""The previous release's code against this release's schema (the rolling-upgrade check).

The previous release is commit 8778ba4 (schema 0007); this release adds 0008-0011. Its
``kiosk`` package is taken from git (``git archive``, nothing in the working tree is
touched) and run in a child process with PYTHONPATH pointing at it, on a database
already at this release's head. What the product does (docs/storage.md, Migrations):
0009 is a contract (the access log's hash columns became NOT NULL), so the previous
release must refuse the upgraded schema at start without changing it, and this wave's
upgrade stops every PC at once. The second half shows why: with its start check
bypassed, the old code still saves a visit, issues a ticket and reads the queue, but
cannot write the access log.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.storage import create_kiosk_engine
from tests.keys import open_store

PREVIOUS_RELEASE = "8778ba4"
REPO = Path(__file__).resolve().parents[1]

_SCRIPT = r"""
import json, sys
from pathlib import Path
import kiosk
from kiosk.storage.crypto import StorageError, load_or_create_key
from kiosk.storage.store import Store, create_kiosk_engine
from kiosk.visit import Visit

url, key = sys.argv[1], Path(sys.argv[2])
result = {"kiosk": kiosk.__file__}
try:
    Store.open(url, key).close()
    result["open"] = "ok"
except StorageError as e:
    result["open"] = f"{type(e).__name__}: {e}"
store = Store(create_kiosk_engine(url), load_or_create_key(key))  # the check bypassed
steps = {
    "save_visit": lambda: store.save_visit(Visit(language="ja"), kiosk_id="old-1",
                                           status="completed"),
    "issue_ticket": lambda: store.issue_ticket(category="resident", letter="A",
                                               counter="3", visit_reference=None).code,
    "waiting_count": lambda: store.waiting_count("resident"),
    "log_access": lambda: store.log_access(actor="kiosk:old-1", action="card.read",
                                           visit_reference=None),
}
for name, step in steps.items():
    try:
        result[name] = ["ok", step()]
    except Exception as e:
        result[name] = ["failed", str(e).splitlines()[0]]
store.close()
print(json.dumps(result))
"""


@pytest.fixture(scope="session")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's source tree (``kiosk/`` only), extracted once per run."""
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("needs git and this repository's history")
    known = subprocess.run(
        [git, "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"], cwd=REPO, check=False
    )
    if known.returncode != 0:
        pytest.skip(f"commit {PREVIOUS_RELEASE} is not in this clone (a shallow clone?)")
    tree = tmp_path_factory.mktemp("previous-release")
    archive = subprocess.run(
        [git, "archive", PREVIOUS_RELEASE, "kiosk"], cwd=REPO, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def _run_previous(tree: Path, url: str, key: Path) -> dict[str, object]:
    script = tree / "probe.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARD_KIOSK_")}
    env["PYTHONPATH"] = str(tree)
    done = subprocess.run(
        [sys.executable, str(script), url, str(key)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _revision(url: str) -> str:
    engine = create_kiosk_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
    finally:
        engine.dispose()


def test_the_previous_release_refuses_the_upgraded_schema_and_leaves_it_alone(
    previous_release: Path, any_db_url: str, tmp_path: Path
) -> None:
    open_store(any_db_url, tmp_path / "ward.pem").close()  # this release's head
    head = _revision(any_db_url)

    result = _run_previous(previous_release, any_db_url, tmp_path / "old-data.key")

    assert str(result["kiosk"]).startswith(str(previous_release))
    assert str(result["open"]).startswith("DatabaseUnavailable:")
    assert f"Can't locate revision identified by '{head}'" in str(result["open"])
    assert "newer kiosk version, install that version" in str(result["open"])
    assert _revision(any_db_url) == head
    # Why it must refuse: 0009 is a contract. Reads and the queue would still work...
    steps = {name: result[name] for name in ("save_visit", "issue_ticket", "waiting_count")}
    assert [str(step).startswith("['ok'") for step in steps.values()] == [True] * 3
    assert steps["issue_ticket"] == ["ok", "A-001"] and steps["waiting_count"] == ["ok", 1]
    # ... but the access log, which every read of an individual number needs, would not.
    failed = result["log_access"]
    assert isinstance(failed, list) and failed[0] == "failed"
    assert "prev_hash" in failed[1] and "null" in failed[1].lower()
