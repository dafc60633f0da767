"""The core stays Qt-free: checked by import-linter on every test run."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import kiosk

ROOT = Path(__file__).resolve().parent.parent


def test_only_kiosk_ui_imports_qt():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is not installed in this environment"
    result = subprocess.run(
        [lint, "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_contract_covers_every_module_but_the_ui():
    with (ROOT / "pyproject.toml").open("rb") as f:
        contract = tomllib.load(f)["tool"]["importlinter"]["contracts"][0]
    package = Path(kiosk.__file__).parent
    modules = {
        f"kiosk.{p.stem if p.is_file() else p.name}"
        for p in package.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert set(contract["source_modules"]) == modules - {"kiosk.ui", "kiosk.__main__"}


def test_starting_the_kiosk_loads_no_database_pdf_or_speech_library():
    # They load on worker threads after the welcome screen is up (Checkout.warm_up, the
    # speech models): importing one of them at start doubled the time to the welcome screen.
    code = (
        "import sys, kiosk.ui.app; "
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'reportlab', 'vosk', 'escpos', "
        "'psycopg', 'argon2') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]", result.stdout
