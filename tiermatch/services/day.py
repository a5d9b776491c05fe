"""A matchmaking day planned from files: accepted meetings and availability in, a timetable of times and tables out.

The meetings file has ``buyer_id`` and ``supplier_id`` columns (a run's ``assignment.csv`` will do); the
availability file, optional, has ``id``, ``from`` and ``to`` (``HH:MM``), one row per window a participant
can meet in (a participant with no row can meet all day). The day is its sessions (``09:00-12:00,13:00-16:30``)
cut into meetings of ``minutes``. Bad rows are reported by file, line and field and left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InvalidFileError, InvalidInputError
from ..features.validation import RowError
from ..io import open_sheet
from ..matcher.timetable import Timetable, greedy_timetable, timetable

__all__ = ["DayPlan", "day_slots", "plan_day"]


def _time(text: str) -> dt.time:
    return dt.datetime.strptime(text.strip(), "%H:%M").time()


def day_slots(sessions: str, minutes: int) -> list[tuple[dt.time, dt.time]]:
    """The meeting slots of a day: each session cut into meetings of ``minutes`` (a remainder is left unused).

    Examples
    --------
    >>> [f"{a:%H:%M}-{b:%H:%M}" for a, b in day_slots("09:00-10:00,13:00-13:45", 20)]
    ['09:00-09:20', '09:20-09:40', '09:40-10:00', '13:00-13:20', '13:20-13:40']
    """
    if not 5 <= minutes <= 240:
        raise InvalidInputError(f"a meeting lasts 5 to 240 minutes, found {minutes}", "minutes")
    slots = []
    for part in sessions.split(","):
        try:
            start, end = (dt.datetime.combine(dt.date.min, _time(t)) for t in part.split("-"))
        except ValueError as exc:
            raise InvalidInputError(f"a session is HH:MM-HH:MM, found {part.strip()!r}", "sessions") from exc
        while start + dt.timedelta(minutes=minutes) <= end:
            slots.append((start.time(), (start + dt.timedelta(minutes=minutes)).time()))
            start += dt.timedelta(minutes=minutes)
    if not slots:
        raise InvalidInputError(f"the sessions {sessions!r} hold no meeting of {minutes} minutes", "sessions")
    return slots


@dataclass
class DayPlan:
    """The timetable, rows to write, what was left out and why, and first-come placement for comparison."""

    slots: list[tuple[dt.time, dt.time]]
    plan: Timetable
    first_come: Timetable
    meetings: list[dict] = field(default_factory=list)  # every placed meeting: time, table, buyer, SME
    unplaced: list[dict] = field(default_factory=list)  # buyer, SME, why
    rejected: list[RowError] = field(default_factory=list)


def _rows(path: Path, columns: tuple[str, ...], rejected: list[RowError]):
    """``(line, {column: cell})`` of a file's rows that have every column filled; the others reported."""
    name = str(path)
    with open_sheet(path, name) as sheet:
        header = [c.strip().casefold() for c in sheet.header]
        missing = [c for c in columns if c not in header]
        if missing:
            raise InvalidFileError(f"{name}: missing required column(s) {', '.join(missing)}; found "
                                   f"{', '.join(sheet.header)}")
        for line, cells in sheet.rows:
            row = {c: (cells[header.index(c)].strip() if header.index(c) < len(cells) else "") for c in columns}
            if not any(row.values()):
                continue
            empty = [c for c in columns if not row[c]]
            if empty:
                rejected.append(RowError(name, line, empty[0], "", "required"))
                continue
            yield line, row


def plan_day(meetings: Path, *, tables: int, availability: Path | None = None,
             sessions: str = "09:00-12:00,13:00-16:30", minutes: int = 30, blocked=(),
             time_limit: float = 60.0) -> DayPlan:
    """Plan a day from files (see the module); every meeting placed within both sides' availability.

    Raises
    ------
    InvalidInputError
        For sessions, minutes or tables that make no day.
    InvalidFileError
        For a file that cannot be read, lacks a column, or holds no meeting.
    """
    if tables < 1:
        raise InvalidInputError(f"a day needs at least one table, found {tables}", "tables")
    slots = day_slots(sessions, minutes)
    rejected: list[RowError] = []
    pairs = list(dict.fromkeys((r["buyer_id"], r["supplier_id"])
                               for _, r in _rows(meetings, ("buyer_id", "supplier_id"), rejected)))
    if not pairs:
        raise InvalidFileError(f"{meetings}: no meeting to plan")
    buyers = {b: k for k, b in enumerate(dict.fromkeys(b for b, _ in pairs))}
    smes = {s: k for k, s in enumerate(dict.fromkeys(s for _, s in pairs))}
    available_b = np.ones((len(buyers), len(slots)), bool)
    available_s = np.ones((len(smes), len(slots)), bool)
    if availability is not None:
        windows: dict[str, np.ndarray] = {}
        for line, row in _rows(availability, ("id", "from", "to"), rejected):
            try:
                start, end = _time(row["from"]), _time(row["to"])
            except ValueError:
                rejected.append(RowError(str(availability), line, "from", f"{row['from']}-{row['to']}",
                                         "a time is HH:MM"))
                continue
            inside = np.array([start <= a and b <= end for a, b in slots])
            windows[row["id"]] = windows.get(row["id"], np.zeros(len(slots), bool)) | inside
        for who, inside in windows.items():
            if who in buyers:
                available_b[buyers[who]] = inside
            if who in smes:
                available_s[smes[who]] = inside
    rows = np.array([smes[s] for _, s in pairs])
    cols = np.array([buyers[b] for b, _ in pairs])
    plan = timetable(rows, cols, available_s, available_b, tables, blocked=blocked, time_limit=time_limit)
    first_come = greedy_timetable(rows, cols, available_s, available_b, tables, blocked=blocked)
    day = DayPlan(slots, plan, first_come, rejected=rejected)
    common = (available_s[rows] & available_b[cols]).any(axis=1)
    for m, (buyer, sme) in enumerate(pairs):
        if plan.slot[m] >= 0:
            start, end = slots[plan.slot[m]]
            day.meetings.append({"from": f"{start:%H:%M}", "to": f"{end:%H:%M}", "table": int(plan.table[m]) + 1,
                                 "buyer_id": buyer, "supplier_id": sme})
        else:
            day.unplaced.append({"buyer_id": buyer, "supplier_id": sme,
                                 "why": "no time both can meet" if not common[m]
                                 else "the times both can meet are taken by their other meetings or tables"})
    day.meetings.sort(key=lambda r: (r["from"], r["table"]))
    return day
