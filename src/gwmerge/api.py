"""The library API the CLI and tests call: merge, check, verify, new, kinds.

Data flows one way: read workbook → outline → checks → numbering → layout → render → file.
Each input is handled on its own, so one bad workbook never stops the others.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from . import checks, importing, kinds, layout, numbering, outline, render, to_workbook
from . import sheetformat as sf
from .checks.similarity import Gathered, Para
from .errors import Finding, GwError, InputInvalid, InternalError, Location, Severity, os_message
from .kinds import Kind
from .model import Document
from .profile import DEFAULT, combine
from .recognise import Recognised
from .safetext import for_cell, safe_filename
from .template_build import template_bytes
from .text import one_line
from .verify import verify as check_format
from .workbook import Grid, SectionRows, read_grid, refuse_format, rewrite_cells, write_workbook
from .xmlsafe import Unsafe

if TYPE_CHECKING:
    from .batch import BatchResult, DocSummary

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Outcome:
    """What happened to one input: the file written, the findings, or why it failed."""

    source: Path
    output: Path | None = None
    findings: list[Finding] = field(default_factory=list)
    error: GwError | None = None
    crash: InternalError | None = None
    pdf: Path | None = None
    recognised: Recognised | None = None  # import/format: what the source was read as
    #: Counts, page estimate and names of a written document (see ``batch.DocSummary``).
    summary: DocSummary | None = None
    #: The system error number when writing failed (a full disk is reported once per batch).
    os_errno: int | None = None
    #: This workbook's paragraphs for the checks across the batch (雷同); dropped once they ran.
    paragraphs: list[Para] | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None and self.crash is None

    @property
    def status(self) -> str:
        """已生成, 内容过少 (written, but nothing beyond headings), 失败, or 未处理 (batch stopped first)."""
        if not self.ok:
            return "失败"
        if self.output is None:
            return "未处理"
        if self.summary is not None and self.summary.nearly_empty:
            return "内容过少"
        return "已生成"

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]


def collect_inputs(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their workbooks (sorted), skipping Excel/WPS lock and temp files."""
    from .batch import scan

    return scan(paths)[0]


def read(path: Path, kind_name: str | None = None,
         rules_off: Iterable[str] = ()) -> tuple[Document, Kind, list[Finding]]:
    """Read and check one workbook; the kind is the explicit one, the workbook's, or the default."""
    refused = refuse_format(path)
    if refused:
        raise GwError(refused, Location(path))
    grid: Grid = read_grid(path)
    doc, findings = outline.build(grid)
    findings.extend(grid.findings)
    kind_cell = doc.info.get(sf.FIELD_KIND)
    try:
        kind = kinds.find(kind_name or (kind_cell.value if kind_cell else None))
    except GwError as exc:
        if kind_name or kind_cell is None:
            raise
        raise GwError(exc.message, kind_cell.location) from exc
    findings.extend(checks.run(doc, kind, grid, rules_off))
    return doc, kind, sorted(findings, key=_reading_order([sheet.title for sheet in grid.sheets]))


def _reading_order(sheets: list[str]) -> Callable[[Finding], tuple[int, int, int]]:
    """Sort findings as a user reads the workbook: sheet by sheet, row by row, left to right."""
    def key(finding: Finding) -> tuple[int, int, int]:
        loc = finding.location
        sheet = sheets.index(loc.sheet) if loc.sheet in sheets else -1
        m = re.fullmatch(r"([A-Z]+)(\d+)", loc.cell or "")
        if not m:
            return sheet, 0, 0
        column = functools.reduce(lambda n, ch: n * 26 + ord(ch) - 64, m.group(1), 0)
        return sheet, int(m.group(2)), column
    return key


def check(paths: Iterable[Path], kind: str | None = None, rules_off: Iterable[str] = ()) -> list[Outcome]:
    """Validate without writing; every finding of every input, with its location.

    Several workbooks are also compared with each other (雷同).
    """
    rules_off = checks.validate_off(rules_off)
    outcomes = []
    for path in collect_inputs(paths):
        outcome = Outcome(path)
        try:
            doc, doc_kind, outcome.findings = read(path, kind, rules_off)
            outcome.paragraphs = checks.batch_input(doc, doc_kind, rules_off)
        except GwError as exc:
            outcome.error = exc
        except Exception as exc:  # reported per input, the batch goes on
            outcome.crash = InternalError.wrap(exc)
        outcomes.append(outcome)
    add_batch_findings(outcomes, rules_off)
    return outcomes


def add_batch_findings(outcomes: Iterable[Outcome], rules_off: Iterable[str] = (),
                       gathered: Gathered | None = None) -> None:
    """雷同 across the batch, added to the outcome of the workbook each pair is reported on
    (``gathered``: the paragraphs a batch collected as its results arrived)."""
    outcomes = list(outcomes)
    found = checks.compare(gathered if gathered is not None else [o.paragraphs for o in outcomes if o.paragraphs],
                           rules_off)
    for outcome in outcomes:
        outcome.findings.extend(found.get(outcome.source, []))
        outcome.paragraphs = None


@dataclass
class Fixed:
    """What ``fix`` did to one workbook: the copy written and the changes by cell."""

    source: Path
    output: Path
    changes: list[tuple[Location, list[str]]]


def fix(path: Path, dest: Path, *, kind: str | None = None, rules_off: Iterable[str] = (),
        force: bool = False) -> Fixed:
    """Write a copy of ``path`` to ``dest`` with the mechanical fixes applied (never in place)."""
    rules_off = checks.validate_off(rules_off)
    if dest.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise GwError("改正后的副本应保存为 .xlsx 文件。", Location(dest))
    if dest.resolve() == path.resolve() or (dest.exists() and path.exists() and dest.samefile(path)):
        raise GwError("不能把改正写回原工作簿，请用 -o 指定另一个文件名（如“改正-原名.xlsx”）。", Location(dest))
    if dest.exists() and not force:
        raise GwError("已存在，为免覆盖没有写入；确需覆盖请加 --force。", Location(dest))
    doc, doc_kind, _ = read(path, kind, rules_off)
    off = checks.switched_off(doc_kind, rules_off, doc)
    cells: dict[tuple[str, str], Location] = {}
    for text in checks.base.texts(doc):
        loc = text.location
        if text and loc.sheet and loc.cell and re.fullmatch(r"[A-Z]+\d+", loc.cell):
            cells[(loc.sheet, loc.cell)] = loc
    for name in (sf.FIELD_KIND, sf.FIELD_DATE, sf.FIELD_NAME, sf.FIELD_SIGNATURE, sf.FIELD_CHECKS_OFF):
        field_text = doc.info.get(name)
        if field_text is not None:  # names, dates and choices are not prose
            cells.pop((field_text.location.sheet, field_text.location.cell), None)
    changes: dict[tuple[str, str], list[str]] = {}

    def edit(sheet: str, ref: str, value: str) -> str | None:
        new, done = checks.fix_text(value, off)
        if done:
            changes[(sheet, ref)] = done
        return new

    try:
        rewrite_cells(path, dest, list(cells), edit)
    except OSError as exc:  # named by the copy, not by its hidden temporary file, and the batch goes on
        raise _write_error(exc, dest) from exc
    return Fixed(path, dest, [(loc, changes[key]) for key, loc in cells.items() if key in changes])


@functools.cache
def _kind_template(kind: Kind, profiles: tuple[str, ...]) -> Path | bytes:
    """The kind's template file, or one built in memory (no file, or extra format variants)."""
    if not profiles and kind.template.is_file():
        return kind.template
    try:
        profile = combine(kind.profile, profiles)
    except ValueError as exc:
        raise GwError(f"{exc}。") from exc
    return template_bytes(profile)


def merge(paths: Iterable[Path], out_dir: Path, *, kind: str | None = None, template: Path | None = None,
          profiles: Iterable[str] = (), pdf: bool = False, zip: bool = False, bundle: bool = False,
          name_pattern: str | None = None, jobs: int | None = None, force: bool = False,
          progress: Callable[[Outcome], None] | None = None, report: bool | None = None,
          order: Path | None = None, rules_off: Iterable[str] = ()) -> BatchResult:
    """Merge workbooks (files or folders) into ``out_dir``; failures are reported, never fatal.

    * ``jobs``: worker processes (default: the CPU count; each workbook runs in a worker, so one
      that kills its process costs only itself). Outcomes keep the order of the inputs.
    * ``name_pattern``: output names from the information sheet, e.g. ``"{单位}-{姓名}-{职务}"``;
      default: the workbook's name. Collisions get ``-2``, ``-3`` in input order (a notice says so).
    * ``force``: overwrite outputs that were edited since gwmerge wrote them.
    * ``pdf``: PDFs beside the documents, from ``jobs`` LibreOffice converters.
    * ``bundle``: one print PDF (``打印合订本.pdf``), each document starting on an odd page, after a
      contents page; in the order of ``order`` (a roster workbook with a 姓名 column) or file order.
    * ``zip``: ``合并结果.zip`` with the documents, PDFs and the 汇总表.
    * ``report``: write ``汇总表.xlsx`` (default: when the batch has more than one entry, or for zip/bundle).
    * ``progress``: called with each outcome once its document is in place.
    * ``rules_off``: check rules switched off (ids from ``gwmerge check --rules``).

    Returns a :class:`~gwmerge.batch.BatchResult` (iterable over the outcomes). Raises GwError for
    mistakes in the options themselves, before any input is touched.
    """
    from .batch import run

    return run(paths, out_dir, kind=kind, template=template, profiles=profiles, pdf=pdf, zip=zip, bundle=bundle,
               name_pattern=name_pattern, jobs=jobs, force=force, progress=progress, report=report, order=order,
               rules_off=rules_off)


def export_pdfs(outcomes: Iterable[Outcome], out_dir: Path, jobs: int = 1) -> None:
    """PDFs beside already written documents (``merge(..., pdf=True)`` does this within the batch).

    Raises PdfUnavailable (with how to get PDFs) when LibreOffice is missing.
    """
    from .pdf import convert_to_pdf

    outcomes = list(outcomes)
    written = [o.output for o in outcomes if o.output is not None]
    if not written:
        return
    produced = convert_to_pdf(written, out_dir, jobs=jobs)
    for outcome in outcomes:
        if outcome.output is not None:
            outcome.pdf = produced.get(outcome.output)


def verify(paths: Iterable[Path], profiles: Iterable[str] = ()) -> list[Outcome]:
    """Check .docx files (ours or made by hand) against the official format."""
    try:
        profile = combine(DEFAULT, profiles)
    except ValueError as exc:
        raise GwError(f"{exc}。") from exc
    outcomes = []
    for path in paths:
        found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".docx" and not p.name.startswith(
            ("~$", ".~"))) if path.is_dir() else [path]
        for doc in found:
            outcome = Outcome(doc)
            try:
                if doc.suffix.lower() != ".docx":
                    raise GwError("不是 .docx 文件；.doc 或 .wps 文件请先在 Word/WPS 中另存为 .docx。", Location(doc))
                outcome.findings = check_format(doc, profile)
            except GwError as exc:
                outcome.error = exc
            except Unsafe as exc:
                part = f"（{exc.part}）" if exc.part else ""
                outcome.error = GwError(f"文件{exc.reason}{part}，为安全起见没有检查；请检查文件来源。", Location(doc))
            except MemoryError:
                outcome.error = GwError("文件内容过大，内存不足以检查；文件可能已损坏或是恶意构造的。", Location(doc))
            except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
                outcome.error = GwError("无法读取，文件可能已损坏或不是 Word 文档。", Location(doc))
            except Exception as exc:  # reported per input, the others go on
                outcome.crash = InternalError.wrap(exc)
            outcomes.append(outcome)
    return outcomes


def list_kinds() -> list[Kind]:
    return list(kinds.available().values())


@dataclass(frozen=True)
class Person:
    """One workbook to write for ``new``: who it is for and where the roster listed them."""

    name: str
    position: str = ""
    unit: str = ""
    location: Location | None = None
    row: int | None = None


def _field(value: str) -> str:
    """A one-line field typed by the user (--name, a roster cell): control characters dropped."""
    return for_cell(one_line(value))


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
    aspects = doc_kind.theme(theme).aspects if theme else {}
    notes = notes if notes is not None else []
    people = read_roster(roster, notes) if roster else [Person(_field(name), _field(position), _field(unit))]
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
                                          sf.FIELD_UNIT: person.unit or _field(unit)}
        try:
            write_workbook(target, info, sections, [k.id for k in list_kinds()])
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


_NAME_LABELS = ("姓名", "名字")
_POSITION_LABELS = ("职务", "职位", "职务职级")
_UNIT_LABELS = ("单位", "工作单位")
_HEADER_SEARCH_ROWS = 10


def _label(text: str) -> str:
    """A header cell as a label: spaces, a final colon and required-field stars dropped."""
    return re.sub(r"[\s\u3000*＊:：]", "", text)


def read_roster(path: Path, notes: list[Finding] | None = None) -> list[Person]:
    """A roster workbook (or CSV): a header row with 姓名 (and 职务, 单位) columns, one person per row.

    The header may sit under a title line (within the first ten rows) and be written ``姓名：`` or
    ``姓 名``. Rows without a name are skipped and reported in ``notes``.
    """
    notes = notes if notes is not None else []
    if path.suffix.lower() == ".csv":
        from .csvread import read_csv_grid

        grid = read_csv_grid(path)
    else:
        refused = refuse_format(path)
        if refused:
            raise GwError(refused, Location(path))
        grid = read_grid(path)
    sheet = next((s for s in grid.sheets if s.rows), None)
    people: list[Person] = []
    header: dict[str, int] = {}
    for row in sheet.rows if sheet else []:
        if not header:
            if row.number > _HEADER_SEARCH_ROWS:
                break
            labels = {_label(c.text): i for i, c in enumerate(row.cells) if c is not None}
            column = {key: next((labels[w] for w in words if w in labels), -1)
                      for key, words in (("name", _NAME_LABELS), ("job", _POSITION_LABELS), ("unit", _UNIT_LABELS))}
            if column["name"] >= 0:
                header = column
            continue
        cell = row.get(header["name"])
        person = _field(cell.text) if cell else ""
        if not person.strip():
            notes.append(Finding(sheet.location.at(row.ref(header["name"])),
                                 f"第 {row.number} 行没有填写姓名，已跳过。", Severity.WARNING))
            continue
        job = row.get(header["job"]) if header["job"] >= 0 else None
        unit = row.get(header["unit"]) if header["unit"] >= 0 else None
        people.append(Person(person.strip(), _field(job.text).strip() if job else "",
                             _field(unit.text).strip() if unit else "", cell.location if cell else None, row.number))
    for where in sheet.uncalculated if sheet and header else []:
        notes.append(Finding(where, "这一格是没有计算结果的公式，这一行已跳过；请填写姓名本身。", Severity.WARNING))
    if not header:
        raise GwError("名单第一张表的前几行应有一行表头，含“姓名”（和“职务”）两列。", Location(path))
    if not people:
        raise GwError("名单里没有人员，请在“姓名”列下逐行填写。", Location(path))
    return people


def _write_error(exc: OSError, dest: Path) -> GwError:
    return GwError(f"无法写入：{os_message(exc)}。", Location(dest))


def import_documents(paths: Iterable[Path], out: Path | None = None, kind: str | None = None, *,
                     force: bool = False) -> list[Outcome]:
    """.docx/.txt materials (files or folders) → one filled workbook each that merges back to them.

    ``out`` is a folder, or the workbook's file name for a single source; by default each workbook
    goes beside its source. An existing workbook is never overwritten without ``force``.
    """
    if kind is not None:
        kinds.find(kind)
    sources = importing.collect_sources(paths)
    if out is not None and out.suffix.lower() == ".xlsx" and len(sources) > 1:
        raise GwError("导入多个文件时，-o 应是一个文件夹。", Location(out))
    targets = importing.destinations(sources, out, ".xlsx")
    taken: dict[Path, Path] = {}
    outcomes = []
    for source in sources:
        outcome = Outcome(source)
        dest = targets[source]
        try:
            other = taken.setdefault(dest, source)
            if other != source:
                raise GwError(f"与 {other.name} 会生成同名工作簿，请给其中一个改名。", Location(source))
            if dest.exists() and not force:
                raise GwError("已存在，为免覆盖已填写的内容没有导入；确需覆盖请加 --force。", Location(dest))
            found = importing.read_source(source, kind)
            outcome.recognised = found
            # What check would say, located in the source (第 N 行): where to look before merging.
            outcome.findings = list(found.findings) + checks.run(found.document, found.kind)
            try:
                problems = to_workbook.write(found.document, dest)
            except OSError as exc:
                raise _write_error(exc, dest) from exc
            if any(f.is_error for f in problems):
                raise InputInvalid(problems)
            outcome.findings.extend(problems)
            outcome.output = dest
        except GwError as exc:
            outcome.error = exc
        except Exception as exc:  # reported per input, the others go on
            outcome.crash = InternalError.wrap(exc)
        outcomes.append(outcome)
    return outcomes


def format_documents(paths: Iterable[Path], out_dir: Path, kind: str | None = None,
                     profiles: Iterable[str] = (), *, force: bool = False,
                     keep_workbook: bool = False) -> list[Outcome]:
    """一键排版: each .docx/.txt draft → ``out_dir/<name>.docx`` in the official format, same text.

    Import and merge in one step, in memory; the workbook is written too only with ``keep_workbook``.
    """
    profiles = tuple(profiles)
    if kind is not None:
        kinds.find(kind)
    try:
        combine(DEFAULT, profiles)
    except ValueError as exc:
        raise GwError(f"{exc}。") from exc
    outcomes = []
    taken: dict[Path, Path] = {}
    for source in importing.collect_sources(paths):
        outcome = Outcome(source)
        dest = out_dir / f"{safe_filename(source.stem)}.docx"
        try:
            other = taken.setdefault(dest, source)
            if other != source:
                raise GwError(f"与 {other.name} 会生成同名文档，请给其中一个改名。", Location(source))
            if dest.exists() and dest.resolve() == source.resolve():
                raise GwError("输出会覆盖原文件，请用 -o 指定另一个文件夹。", Location(source))
            if dest.exists() and not force and render.edited_by_hand(dest):
                raise GwError("输出文件已存在且在 Word/WPS 中修改过，为免覆盖未重新生成；确需覆盖请加 --force。",
                              Location(dest))
            found = importing.read_source(source, kind)
            outcome.recognised = found
            outcome.findings = list(found.findings) + checks.run(found.document, found.kind)
            if any(f.is_error for f in outcome.findings):
                raise InputInvalid(outcome.findings)
            plan = layout.plan(numbering.number(found.document), found.kind)
            render.render(plan, _kind_template(found.kind, profiles), dest)
            outcome.output = dest
            if keep_workbook:
                book = dest.with_suffix(".xlsx")
                if book.exists() and not force:
                    raise GwError("工作簿已存在，为免覆盖没有保存；确需覆盖请加 --force。", Location(book))
                try:
                    outcome.findings.extend(to_workbook.write(found.document, book))
                except OSError as exc:
                    raise _write_error(exc, book) from exc
        except GwError as exc:
            outcome.error = exc
        except Exception as exc:  # reported per input, the others go on
            outcome.crash = InternalError.wrap(exc)
        outcomes.append(outcome)
    return outcomes
