"""``ward-kiosk queue``: issue, call and inspect the queue from the command line (IT, checks)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click

from kiosk.cli.common import config_option, settings_from

T = TypeVar("T")


@click.group("queue")
def queue() -> None:
    """The visitors' queue: issue and call tickets, waiting counts (JSON out)."""


@queue.command("issue")
@config_option
@click.option("--category", "category_id", required=True, help="Queue category id.")
@click.option("--priority", is_flag=True, help="A priority ticket (pregnancy, disability, age).")
def issue(config_file: Path | None, category_id: str, priority: bool) -> None:
    """Issue a ticket; prints its number, category, people waiting ahead and the URL of
    its phone page ("" without ``[web] public_url``)."""
    from kiosk.config import ticket_url

    with _service(config_file) as service:
        issued = _run(lambda: service.issue(category_id, priority=priority))
    ticket = issued.ticket
    url = ticket_url(settings_from(config_file), ticket.token)
    _echo(
        {
            "ticket": ticket.code,
            "number": ticket.number,
            "category": ticket.category,
            "priority": ticket.priority,
            "waiting_ahead": ticket.waiting_ahead,
            "counter": ticket.counter,
            "estimated_wait_minutes": issued.estimated_wait_minutes,
            "url": url,
        }
    )


@queue.command("call")
@config_option
@click.option("--counter", required=True, help="Counter id from the settings.")
def call(config_file: Path | None, counter: str) -> None:
    """Call the next ticket to a counter; prints it, or null when nobody waits."""
    with _service(config_file) as service:
        ticket = _run(lambda: service.call_next(counter))
    _echo(None if ticket is None else _ticket_json(ticket))


@queue.command("status")
@config_option
def status(config_file: Path | None) -> None:
    """Today's waiting tickets per category."""
    with _service(config_file) as service:
        rows = _run(service.status)
    _echo({row.category: asdict(row) for row in rows})


@queue.command("categories")
@config_option
def categories(config_file: Path | None) -> None:
    """The queue categories: letter, order, minutes per visitor, counters."""
    from kiosk.catalog import Catalog

    settings_from(config_file)
    catalog = Catalog.load()
    _echo(
        [
            {
                "id": c.id,
                "letter": c.letter,
                "order": c.order,
                "service_minutes": c.service_minutes,
                "counters": list(
                    dict.fromkeys(p.counter for p in catalog.procedures if p.category == c.id)
                ),
            }
            for c in sorted(catalog.categories.values(), key=lambda c: c.order)
        ]
    )


@queue.command("counters")
@config_option
def counters(config_file: Path | None) -> None:
    """The counters: number on the sign, desks, the categories each calls."""
    from kiosk.catalog import Catalog

    settings = settings_from(config_file)
    catalog = Catalog.load()
    _echo(
        [
            {
                "id": cid,
                "number": c.number,
                "desks": c.desks,
                "categories": sorted(
                    {p.category for p in catalog.procedures if p.counter == cid},
                    key=lambda k: catalog.categories[k].order,
                ),
            }
            for cid, c in settings.counters.items()
        ]
    )


@contextmanager
def _service(config_file: Path | None) -> Iterator[Any]:
    from kiosk.catalog import Catalog
    from kiosk.queue import QueueService
    from kiosk.ward_keys import open_store

    settings = settings_from(config_file)
    store = _run(lambda: open_store(settings, "board"))  # tickets hold no personal data
    try:
        yield QueueService(
            store, Catalog.load(), settings.counters, max_passes=settings.queue.max_passes
        )
    finally:
        store.close()


def _run(action: Callable[[], T]) -> T:
    """Run ``action``; storage and queue errors become a one-line message, exit 1."""
    from kiosk.queue import InvalidTransition, UnknownQueueItem
    from kiosk.storage import StorageError

    try:
        return action()
    except (StorageError, UnknownQueueItem, InvalidTransition) as e:
        raise click.ClickException(str(e)) from None


def _ticket_json(ticket: Any) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "ticket": ticket.code,
        "number": ticket.number,
        "category": ticket.category,
        "priority": ticket.priority,
        "status": ticket.status,
        "counter": ticket.called_by,
        "issued_at": ticket.issued_at.isoformat(),
        "called_at": ticket.status_at.isoformat(),
    }


def _echo(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))
