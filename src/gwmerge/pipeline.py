"""One document through the pipeline: read → outline → checks → numbering → layout → render.

The library API (:mod:`gwmerge.api`) and the batch's worker processes (:mod:`gwmerge.batch`) both
call these functions; neither calls the other back. Each function handles one input and turns what
goes wrong with it into its :class:`Outcome`, so one bad input never stops the others.
"""

from __future__ import annotations

import functools
import math
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from gwmerge import checks
from gwmerge.checks.similarity import Gathered, Para
from gwmerge.core.errors import Finding, GwError, InputInvalid, InternalError, Location, os_message
from gwmerge.core.files import os_error, require_regular, write_temp
from gwmerge.core.xmlsafe import Unsafe
from gwmerge.document import kinds, layout, numbering, outline
from gwmerge.document import sheetformat as sf
from gwmerge.document.kinds import Kind
from gwmerge.document.layout import Plan
from gwmerge.document.model import Document
from gwmerge.document.profile import Profile, combine
from gwmerge.docx import render
from gwmerge.docx.build import template_bytes
from gwmerge.docx.verify import verify as check_format
from gwmerge.read import sources
from gwmerge.read.recognise import Recognised
from gwmerge.read.xlsx import WORKBOOK_SUFFIXES, Grid, oversized_span, read_grid, refuse_format
from gwmerge.write import from_document
from gwmerge.write.xlsx import rewrite_cells

#: A document whose sections hold fewer characters than this beyond their headings is "nearly empty".
NEARLY_EMPTY_CHARS = 50
#: Page estimate from the layout: GB/T 9704 gives 22 lines of 28 characters.
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28


# ---------------------------------------------------------------- what happened to one input


@dataclass
class DocSummary:
    """What the report says about one written document."""

    title: str = ""
    name: str = ""
    position: str = ""
    unit: str = ""
    chars: int = 0  #: characters of text on the page (title included, spaces not)
    content_chars: int = 0  #: characters in the sections beyond their headings
    pages: int = 0  #: estimated from the layout, or counted in the PDF when one was made
    pages_exact: bool = False  #: True once ``pages`` comes from the PDF
    named_on_page: bool = False  #: the person's name is printed (name line or signature)

    @property
    def nearly_empty(self) -> bool:
        return self.content_chars < NEARLY_EMPTY_CHARS



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
    #: Counts, page estimate and names of a written document (see :class:`DocSummary`).
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



# ---------------------------------------------------------------- workbooks


def read(path: Path, kind_name: str | None = None,
         rules_off: Iterable[str] = ()) -> tuple[Document, Kind, list[Finding]]:
    """Read and check one workbook; the kind is the explicit one, the workbook's, or the default."""
    return _read(path, kind_name, rules_off)[:3]


def _read(path: Path, kind_name: str | None,
          rules_off: Iterable[str]) -> tuple[Document, Kind, list[Finding], Grid]:
    if not path.exists():  # said as such, not as "not a workbook" (a folder name typed wrong has no suffix)
        raise GwError("找不到这个文件或文件夹，请检查路径。", Location(path))
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
        if kind_name or kind_cell is None or exc.location.file is not None:
            raise  # a kind.toml that cannot be used is named itself, not the cell asking for it
        raise GwError(exc.message, kind_cell.location) from exc
    findings.extend(checks.run(doc, kind, grid, rules_off))
    return doc, kind, sorted(findings, key=_reading_order([sheet.title for sheet in grid.sheets])), grid


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


@functools.cache
def kind_template(kind: Kind, profiles: tuple[str, ...]) -> Path | bytes:
    """The kind's template file, or one built in memory (no file, or extra format variants)."""
    if not profiles and kind.template.is_file():
        return kind.template
    try:
        profile = combine(kind.profile, profiles)
    except ValueError as exc:
        raise GwError(f"{exc}。") from exc
    return template_bytes(profile)


def check_workbook(path: Path, kind: str | None = None, rules_off: Iterable[str] = ()) -> Outcome:
    """Read and check one workbook, keeping its paragraphs for the checks across the batch (雷同)."""
    outcome = Outcome(path)
    try:
        doc, doc_kind, outcome.findings = read(path, kind, rules_off)
        outcome.paragraphs = checks.batch_input(doc, doc_kind, rules_off)
    except GwError as exc:
        outcome.error = exc
    except Exception as exc:  # reported per input, the batch goes on
        outcome.crash = InternalError.wrap(exc)
    return outcome


def add_batch_findings(outcomes: Iterable[Outcome], rules_off: Iterable[str] = (),
                       gathered: Gathered | None = None) -> None:
    """雷同 across the batch, added to the outcome of the workbook each pair is reported on
    (``gathered``: the paragraphs a batch collected as its results arrived)."""
    outcomes = list(outcomes)
    found = checks.compare(gathered if gathered is not None else [o.paragraphs for o in outcomes if o.paragraphs],
                           rules_off, [o.source for o in outcomes])
    for outcome in outcomes:
        outcome.findings.extend(found.get(outcome.source, []))
        outcome.paragraphs = None



# ---------------------------------------------------------------- merging one workbook


@dataclass(frozen=True)
class Settings:
    """What every worker needs to know; picklable (Windows starts workers fresh)."""

    out_dir: Path
    kind: str | None = None
    template: Path | None = None
    profiles: tuple[str, ...] = ()
    rules_off: tuple[str, ...] = ()  # check rules switched off for this run


def _width(text: str) -> float:
    """Width in body characters (half-width counts one half), from the UTF-8 length: fast enough
    for an estimate (characters of 1 and 3 bytes; the rare 2-byte ones count as 3-byte)."""
    wide = (len(text.encode("utf-8")) - len(text)) / 2
    return wide + (len(text) - wide) / 2


def summarise(doc: Document, plan: Plan) -> DocSummary:
    """Character counts, the page estimate and whether the person is named on the page."""
    # The opening and closing are content too: a material may say most of what it says there.
    content = sum(len("".join(doc.info[name].paragraphs)) for name in (sf.FIELD_OPENING, sf.FIELD_CLOSING)
                  if name in doc.info)
    for section in doc.sections:
        for node in section.nodes:
            content += len(node.body.value)
            if node.level in (sf.Level.POINT, sf.Level.PARA):
                content += len(node.heading.value)
    lines = len(plan.title_lines) + 1 + (1 if plan.name_line else 0)
    for para in plan.paragraphs:
        lines += max(1, math.ceil((_width(para.text) + 2) / CHARS_PER_LINE))
    if plan.signature is not None:
        lines += 3
    chars = sum(len("".join(p.text.split())) for p in plan.paragraphs) + len("".join(plan.title.split()))
    return DocSummary(title=plan.title, name=plan.name, position=plan.position, unit=plan.unit, chars=chars,
                      content_chars=content, pages=max(1, math.ceil(lines / LINES_PER_PAGE)),
                      named_on_page=bool(plan.name_line) or plan.signature is not None)


def merge_to_temp(path: Path, settings: Settings) -> tuple[Outcome, Document | None]:
    """Merge one workbook into a hidden temporary file in the output folder.

    Returns the outcome (``output`` is the temporary file) and the document read (for its name).
    """
    outcome = Outcome(path)
    doc: Document | None = None
    try:
        doc, doc_kind, outcome.findings = read(path, settings.kind, settings.rules_off)
        outcome.paragraphs = checks.batch_input(doc, doc_kind, settings.rules_off)  # for 雷同
        if any(f.is_error for f in outcome.findings):
            raise InputInvalid(outcome.findings)
        tpl = settings.template or kind_template(doc_kind, settings.profiles)
        if isinstance(tpl, Path) and not tpl.is_file():
            raise GwError("模板文件不存在。", Location(tpl))
        plan = layout.plan(numbering.number(doc), doc_kind)
        data = render.compiled(tpl).document(plan)
        outcome.summary = summarise(doc, plan)
        outcome.output = write_temp(settings.out_dir, data, ".docx")
    except GwError as exc:
        outcome.error = exc
    except OSError as exc:
        outcome.error, outcome.os_errno = os_error(exc, settings.out_dir), exc.errno
    except Exception as exc:  # reported per input, the batch goes on
        outcome.crash = InternalError.wrap(exc)
    return outcome, doc



# ---------------------------------------------------------------- fixing one workbook


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
    doc, doc_kind, _, grid = _read(path, kind, rules_off)
    too_large = oversized_span(grid)  # before openpyxl makes an object for each of its cells
    if too_large is not None:
        raise too_large
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




def _write_error(exc: OSError, dest: Path) -> GwError:
    return GwError(f"无法写入：{os_message(exc)}。", Location(dest))


# ---------------------------------------------------------------- drafts (import, format)


def import_source(source: Path, dest: Path, kind: str | None = None, *, force: bool = False) -> Outcome:
    """One .docx/.txt material → a filled workbook at ``dest`` that merges back to it."""
    outcome = Outcome(source)
    try:
        if dest.exists() and not force:
            raise GwError("已存在，为免覆盖已填写的内容没有导入；确需覆盖请加 --force。", Location(dest))
        found = sources.read_source(source, kind)
        outcome.recognised = found
        # What check would say, located in the source (第 N 行): where to look before merging.
        outcome.findings = list(found.findings) + checks.run(found.document, found.kind)
        try:
            problems = from_document.write(found.document, dest)
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
    return outcome


def format_source(source: Path, dest: Path, kind: str | None = None, profiles: tuple[str, ...] = (), *,
                  force: bool = False, keep_workbook: bool = False) -> Outcome:
    """一键排版 of one draft: import and merge in one step, in memory (the workbook only if kept)."""
    outcome = Outcome(source)
    try:
        if dest.exists() and dest.resolve() == source.resolve():
            raise GwError("输出会覆盖原文件，请用 -o 指定另一个文件夹。", Location(source))
        if dest.exists() and not force and render.edited_by_hand(dest):
            raise GwError("输出文件已存在且在 Word/WPS 中修改过，为免覆盖未重新生成；确需覆盖请加 --force。",
                          Location(dest))
        found = sources.read_source(source, kind)
        outcome.recognised = found
        outcome.findings = list(found.findings) + checks.run(found.document, found.kind)
        if any(f.is_error for f in outcome.findings):
            raise InputInvalid(outcome.findings)
        plan = layout.plan(numbering.number(found.document), found.kind)
        render.render(plan, kind_template(found.kind, profiles), dest)
        outcome.output = dest
        if keep_workbook:
            book = dest.with_suffix(".xlsx")
            if book.exists() and not force:
                raise GwError("工作簿已存在，为免覆盖没有保存；确需覆盖请加 --force。", Location(book))
            try:
                outcome.findings.extend(from_document.write(found.document, book))
            except OSError as exc:
                raise _write_error(exc, book) from exc
    except GwError as exc:
        outcome.error = exc
    except Exception as exc:  # reported per input, the others go on
        outcome.crash = InternalError.wrap(exc)
    return outcome


# ---------------------------------------------------------------- verifying one .docx


def verify_file(path: Path, profile: Profile) -> Outcome:
    """Check one .docx (ours or made by hand) against the official format."""
    outcome = Outcome(path)
    try:
        if not path.exists():
            raise GwError("找不到这个文件或文件夹，请检查路径。", Location(path))
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            raise GwError("这是工作簿，不是 Word 文档；请先把它合并成文档，再检查文档的格式。", Location(path))
        if path.suffix.lower() != ".docx":
            raise GwError("不是 .docx 文件；.doc 或 .wps 文件请先在 Word/WPS 中另存为 .docx。", Location(path))
        require_regular(path, "文档")  # a pipe would hang, a device never end
        outcome.findings = check_format(path, profile)
    except GwError as exc:
        outcome.error = exc
    except Unsafe as exc:
        part = f"（{exc.part}）" if exc.part else ""
        outcome.error = GwError(f"文件{exc.reason}{part}，为安全起见没有检查；请检查文件来源。", Location(path))
    except MemoryError:
        outcome.error = GwError("文件内容过大，内存不足以检查；文件可能已损坏或是恶意构造的。", Location(path))
    except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
        outcome.error = GwError("无法读取，文件可能已损坏或不是 Word 文档。", Location(path))
    except Exception as exc:  # reported per input, the others go on
        outcome.crash = InternalError.wrap(exc)
    return outcome
