"""What lpstat prints, parsed: samples captured once from CUPS 2.4.2 (``LC_ALL=C``)."""

from __future__ import annotations

import pytest

from kiosk.printing import (
    OutOfPaper,
    PaperJam,
    PrinterOffline,
    QueueReport,
    parse_jobs,
    parse_queue_report,
    printer_fault,
)

LONG_FIELDS = (
    "\tForm mounted:\n\tContent types: any\n\tPrinter types: unknown\n\tDescription: {q}\n"
    "\tAlerts: {alerts}\n\tLocation: \n\tConnection: direct\n"
    "\tInterface: /etc/cups/ppd/{q}.ppd\n\tOn fault: no alert\n"
)
RUNNING = "scheduler is running\n"


def printer(q: str, first: str, alerts: str = "none", message: str = "") -> str:
    """``lpstat -r -l -p Q -a Q`` output, as CUPS 2.4.2 prints it."""
    text = RUNNING + f"printer {q} {first}\n"
    text += f"\t{message}\n" if message else ""
    return text + LONG_FIELDS.format(q=q, alerts=alerts)


SINCE = "Mon Nov 23 00:57:53 2026"
ACCEPTING = f"kiosk-pdf accepting requests since {SINCE}\n"


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        (
            printer("kiosk-pdf", f"is idle.  enabled since {SINCE}") + ACCEPTING,
            QueueReport("ready"),
        ),
        (
            printer(
                "kiosk-pdf",
                f"now printing kiosk-pdf-2.  enabled since {SINCE}",
                "media-jam-error",
                "kiosk-fault reports media-jam-error",
            )
            + ACCEPTING,
            QueueReport(
                "printing",
                ("media-jam-error",),
                "kiosk-fault reports media-jam-error",
                "kiosk-pdf-2",
            ),
        ),
        (
            printer("kiosk-pdf", f"disabled since {SINCE} -", "media-empty-error paused", "Paused")
            + ACCEPTING,
            QueueReport("stopped", ("media-empty-error", "paused"), "Paused"),
        ),
        (
            printer("kiosk-pdf", f"disabled since {SINCE} -", "paused", "reason unknown")
            + ACCEPTING,
            QueueReport("stopped", ("paused",)),
        ),
        (
            printer("kiosk-pdf", f"is idle.  enabled since {SINCE}", message="no more")
            + f"kiosk-pdf not accepting requests since {SINCE} -\n\tno more\n",
            QueueReport("rejecting", (), "no more"),
        ),
        ("scheduler is not running\n", QueueReport("no_scheduler")),
        (RUNNING, QueueReport("missing")),
    ],
    ids=["idle", "printing-jam", "stopped-empty", "stopped-no-reason", "rejecting", "down", "gone"],
)
def test_parse_queue_report(out: str, expected: QueueReport) -> None:
    assert parse_queue_report("kiosk-pdf", out) == expected


def test_a_missing_queue_says_invalid_destination() -> None:
    err = 'lpstat: Invalid destination name in list "nosuch".\n'
    assert parse_queue_report("nosuch", RUNNING, err).status == "missing"


def test_queue_names_are_case_insensitive() -> None:
    out = printer("kiosk-pdf", f"is idle.  enabled since {SINCE}") + ACCEPTING
    assert parse_queue_report("Kiosk-PDF", out).status == "ready"


def test_another_queue_with_the_same_prefix_is_not_this_one() -> None:
    out = printer("kiosk-pdf-2", f"is idle.  enabled since {SINCE}")
    assert parse_queue_report("kiosk-pdf", out).status == "missing"


JOBS = f"""\
f-empty-1               root              1024   {SINCE}
\tStatus: kiosk-fault reports media-empty-error
\tAlerts: printer-stopped
\tqueued for f-empty
f-hold-4                root              1024   {SINCE}
\tStatus: Filter failed
\tAlerts: job-hold-until-specified
\tqueued for f-hold
kiosk-pdf-13            root              2048   {SINCE}
\tStatus: \n\tAlerts: none
\tqueued for kiosk-pdf
"""


def test_parse_jobs() -> None:
    assert parse_jobs(JOBS) == {
        "f-empty-1": ("printer-stopped",),
        "f-hold-4": ("job-hold-until-specified",),
        "kiosk-pdf-13": (),
    }
    assert parse_jobs("") == {}


@pytest.mark.parametrize(
    ("reasons", "fault"),
    [
        (["media-empty-error"], OutOfPaper),
        (["media-empty"], OutOfPaper),
        (["media-needed-error", "media-empty-warning"], OutOfPaper),
        (["media-jam-error"], PaperJam),
        (["offline-report"], PrinterOffline),
        (["paused", "media-jam"], PaperJam),
        (["media-empty-warning"], None),
        (["media-low-report", "toner-low-warning"], None),
        (["connecting-to-device"], None),  # only once it lasts: see CupsPrinter.offline_after
        (["paused"], None),
        ([], None),
    ],
)
def test_printer_fault(reasons: list[str], fault: type | None) -> None:
    found = printer_fault(reasons)
    assert (found[0] if found else None) is fault
