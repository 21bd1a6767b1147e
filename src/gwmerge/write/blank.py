"""Blank self-explaining workbooks for ``new``: one, or one per person of a roster."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from gwmerge.core.errors import Finding, GwError, Location, Severity, os_message
from gwmerge.core.safetext import safe_filename
from gwmerge.document import kinds
from gwmerge.document import sheetformat as sf
from gwmerge.read.roster import Person, clean_field, read_roster
from gwmerge.write.xlsx import SectionRows, write_workbook


def new(dest: Path, *, kind: str | None = None, name: str = "", position: str = "", unit: str = "",
        roster: Path | None = None, force: bool = False, notes: list[Finding] | None = None,
        on_written: Callable[[Path], None] | None = None, theme: str | None = None) -> list[Path]:
    """Write blank self-explaining workbooks: one, or one per person of a roster.

    ``theme`` (a year such as ``2021``, or a theme's name) pre-fills that theme's aspects as
    （一） rows; without it they are left empty, since each year words them differently.

    An existing workbook is never overwritten without ``force``: it may already be filled in.
    Roster rows skipped and names changed to make file names are appended to ``notes``;
    ``on_written`` hears of each workbook as soon as it is complete, so that a failure later on
    (a full disk) still leaves the user knowing which ones exist.
    """
    doc_kind = kinds.find(kind)
    chosen = doc_kind.theme(theme) if theme else None
    aspects = chosen.aspects if chosen else {}
    notes = notes if notes is not None else []
    people = (read_roster(roster, notes) if roster
              else [Person(clean_field(name), clean_field(position), clean_field(unit))])
    targets = _new_targets(dest, people, doc_kind.id, notes, per_person=bool(roster) or dest.suffix.lower() != ".xlsx")
    try:
        existing = [t for t in targets if t.exists()]
    except OSError as exc:
        raise GwError(f"无法使用这个位置：{os_message(exc)}。", Location(dest)) from exc
    if existing and not force:
        raise GwError("已存在，为免覆盖已填写的内容，没有生成任何工作簿；确需覆盖请加 --force。", Location(existing[0]))
    written: list[Path] = []
    sections = [SectionRows(s.heading, [(sf.Level.ITEM2.value, a, "") for a in aspects.get(s.heading, ())],
                            hint=s.hint) for s in doc_kind.sections]
    for person, target in zip(people, targets, strict=True):
        info: dict[str, str | dt.date] = {sf.FIELD_KIND: doc_kind.id, sf.FIELD_NAME: person.name,
                                          sf.FIELD_POSITION: person.position,
                                          sf.FIELD_UNIT: person.unit or clean_field(unit)}
        if chosen is not None and chosen.year is not None:  # the title pattern then names the theme's year
            info[sf.FIELD_YEAR] = str(chosen.year)
        try:
            write_workbook(target, info, sections, [k.id for k in kinds.available().values()])
        except OSError as exc:
            done = f"（已生成 {len(written)} 个，见上）" if written else "，没有生成任何工作簿"
            raise GwError(f"无法写入：{os_message(exc)}{done}。", Location(target)) from exc
        written.append(target)
        if on_written:
            on_written(target)
    return written


def _new_targets(dest: Path, people: list[Person], fallback: str, notes: list[Finding], *,
                 per_person: bool) -> list[Path]:
    """File names for ``new``: 职务-姓名, safe on Windows, and never the same file twice."""
    if not per_person:
        return [dest]
    targets: list[Path] = []
    taken: dict[str, Person] = {}
    suffixes: dict[str, int] = {}  # the last -N given per name: a roster of one name 10,000 times stays linear
    for person in people:
        wanted = "-".join(p for p in (person.position, person.name) if p.strip())
        stem = safe_filename(wanted, fallback=fallback)
        if stem != wanted.strip() and wanted.strip():
            notes.append(Finding(person.location or Location(dest), f"“{wanted[:40]}”不能直接作文件名，"
                                 f"工作簿命名为“{stem}.xlsx”。", Severity.WARNING))
        n = suffixes.get(stem.casefold(), 1)
        unique = stem if n == 1 else f"{stem}-{n}"
        while unique.casefold() in taken:
            n += 1
            unique = f"{stem}-{n}"
        suffixes[stem.casefold()] = n
        if n > 1:
            first = taken[stem.casefold()]
            where = f"与第 {first.row} 行" if first.row else "与前面的人员"
            notes.append(Finding(person.location or Location(dest), f"{where}同名，两人都生成，"
                                 f"此人的工作簿命名为“{unique}.xlsx”。", Severity.WARNING))
        taken[unique.casefold()] = person
        targets.append(dest / f"{unique}.xlsx")
    return targets


