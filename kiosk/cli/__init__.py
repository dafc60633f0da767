"""The ``ward-kiosk`` command: run the kiosk, and the tools IT uses around it.

One module per command group (``kiosk/cli/<group>.py``) holds only the click layer;
what a command does lives in the core modules. Options every command shares are in
``kiosk/cli/common.py``.
"""

from __future__ import annotations

from kiosk.cli.root import main

__all__ = ["main"]


def _mount_commands() -> None:
    from kiosk.cli.about import about
    from kiosk.cli.audit import audit
    from kiosk.cli.backup import backup, restore
    from kiosk.cli.board import board
    from kiosk.cli.card import card
    from kiosk.cli.config import config
    from kiosk.cli.counter import counter
    from kiosk.cli.data import data
    from kiosk.cli.db import db
    from kiosk.cli.doctor import doctor
    from kiosk.cli.forms import forms
    from kiosk.cli.key import key
    from kiosk.cli.models import models
    from kiosk.cli.printing import print_group
    from kiosk.cli.queue import queue
    from kiosk.cli.run import run
    from kiosk.cli.speech import speech
    from kiosk.cli.staff import staff
    from kiosk.cli.stats import stats
    from kiosk.cli.web import web

    for command in (
        about,
        audit,
        backup,
        board,
        card,
        config,
        counter,
        data,
        db,
        doctor,
        forms,
        key,
        models,
        print_group,
        queue,
        restore,
        run,
        speech,
        staff,
        stats,
        web,
    ):
        main.add_command(command)


_mount_commands()
