"""The command line is one package: ``kiosk/cli/``, one module per ``ward-kiosk`` group.

Every module there (but the shared options) is mounted, and listed by the installed
command's ``--help``; no command module is left elsewhere, click is imported nowhere
else, and the core never imports the command line.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import click

import kiosk
from kiosk.cli import main

PACKAGE = Path(kiosk.__file__).parent
CLI = PACKAGE / "cli"
KIOSK = str(Path(sys.executable).parent / "ward-kiosk")
NOT_A_GROUP = {"__init__", "common", "root"}
# Entry points that start a command themselves: `python -m kiosk`, `python -m kiosk.card.virtual`.
ENTRY_POINTS = {PACKAGE / "__main__.py", PACKAGE / "card" / "virtual" / "__main__.py"}


def _group_modules() -> list[str]:
    return sorted(p.stem for p in CLI.glob("*.py") if p.stem not in NOT_A_GROUP)


def _listed_commands() -> set[str]:
    """The command names ``ward-kiosk --help`` lists, from the installed script."""
    result = subprocess.run([KIOSK, "--help"], capture_output=True, text=True, check=True)
    listing = result.stdout.split("Commands:", 1)[1]
    return {line.split()[0] for line in listing.splitlines() if line.strip()}


def _reachable(command: click.Command) -> set[int]:
    seen = {id(command)}
    for sub in getattr(command, "commands", {}).values():
        seen |= _reachable(sub)
    return seen


def _outside_cli() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if CLI not in p.parents]


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_every_module_in_kiosk_cli_is_a_group_ward_kiosk_help_lists():
    listed = _listed_commands()
    top_level: dict[str, set[str]] = {}
    for name, cmd in main.commands.items():
        if cmd.callback is not None:
            top_level.setdefault(cmd.callback.__module__, set()).add(name)
    for stem in _group_modules():
        module = f"kiosk.cli.{stem}"
        importlib.import_module(module)
        assert module in top_level, f"{module} defines no command mounted into ward-kiosk"
        assert top_level[module] <= listed, f"`ward-kiosk --help` does not list {module}"
    assert listed == set(main.commands)


def test_every_command_defined_in_kiosk_cli_is_reachable_from_ward_kiosk():
    reachable = _reachable(main)
    for stem in _group_modules():
        module = importlib.import_module(f"kiosk.cli.{stem}")
        for name, value in vars(module).items():
            defined_here = isinstance(value, click.Command) and (
                value.callback is not None and value.callback.__module__ == module.__name__
            )
            if defined_here:
                assert id(value) in reachable, f"{module.__name__}.{name} is not mounted"


def test_no_command_module_is_left_outside_kiosk_cli():
    leftovers = [
        str(p.relative_to(PACKAGE.parent))
        for p in _outside_cli()
        if p.name.endswith("_cli.py") or p.name == "cli.py" or p.stem == "cli_common"
    ]
    assert leftovers == []


def test_click_is_imported_only_in_kiosk_cli():
    users = [
        str(p.relative_to(PACKAGE.parent))
        for p in _outside_cli()
        if any(m == "click" or m.startswith("click.") for m in _imported_modules(p))
    ]
    assert users == []


def test_the_core_does_not_import_the_command_line():
    importers = [
        str(p.relative_to(PACKAGE.parent))
        for p in _outside_cli()
        if p not in ENTRY_POINTS
        and any(m == "kiosk.cli" or m.startswith("kiosk.cli.") for m in _imported_modules(p))
    ]
    assert importers == []
