"""The library API the CLI, the web page and tests call: check, fix, merge, verify, new, import, format.

A thin face: one document's work is :mod:`gwmerge.pipeline`, a batch's is :mod:`gwmerge.batch`.
Each input is handled on its own, so one bad workbook never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from gwmerge import checks
from gwmerge.batch.inputs import scan
from gwmerge.batch.pdf import convert_to_pdf
from gwmerge.batch.result import BatchResult
from gwmerge.batch.run import run
from gwmerge.core.errors import GwError, Location
from gwmerge.core.safetext import safe_filename
from gwmerge.document import kinds
from gwmerge.document.kinds import Kind
from gwmerge.document.profile import DEFAULT, combine
from gwmerge.pipeline import (
    Fixed,
    Outcome,
    add_batch_findings,
    check_workbook,
    fix,
    format_source,
    import_source,
    read,
    verify_file,
)
from gwmerge.read import sources
from gwmerge.read.roster import Person, read_roster
from gwmerge.read.sources import collect_sources, describe
from gwmerge.read.xlsx import WORKBOOK_SUFFIXES
from gwmerge.write.blank import new

__all__ = [
    "WORKBOOK_SUFFIXES", "BatchResult", "Fixed", "Outcome", "Person", "check", "collect_inputs",
    "collect_sources", "describe", "export_pdfs", "fix", "format_documents", "import_documents", "list_kinds",
    "merge", "new", "read", "read_roster", "verify",
]


def collect_inputs(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their workbooks (sorted), skipping Excel/WPS lock and temp files."""
    return scan(paths)[0]


def check(paths: Iterable[Path], kind: str | None = None, rules_off: Iterable[str] = ()) -> list[Outcome]:
    """Validate without writing; every finding of every input, with its location.

    Several workbooks are also compared with each other (雷同).
    """
    rules_off = checks.validate_off(rules_off)
    outcomes = [check_workbook(path, kind, rules_off) for path in collect_inputs(paths)]
    add_batch_findings(outcomes, rules_off)
    return outcomes


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

    Returns a :class:`~gwmerge.batch.result.BatchResult` (iterable over the outcomes). Raises GwError for
    mistakes in the options themselves, before any input is touched.
    """
    return run(paths, out_dir, kind=kind, template=template, profiles=profiles, pdf=pdf, zip=zip, bundle=bundle,
               name_pattern=name_pattern, jobs=jobs, force=force, progress=progress, report=report, order=order,
               rules_off=rules_off)


def export_pdfs(outcomes: Iterable[Outcome], out_dir: Path, jobs: int = 1) -> None:
    """PDFs beside already written documents (``merge(..., pdf=True)`` does this within the batch).

    Raises PdfUnavailable (with how to get PDFs) when LibreOffice is missing.
    """
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
        outcomes.extend(verify_file(doc, profile) for doc in found)
    return outcomes


def list_kinds() -> list[Kind]:
    return list(kinds.available().values())


def import_documents(paths: Iterable[Path], out: Path | None = None, kind: str | None = None, *,
                     force: bool = False) -> list[Outcome]:
    """.docx/.txt materials (files or folders) → one filled workbook each that merges back to them.

    ``out`` is a folder, or the workbook's file name for a single source; by default each workbook
    goes beside its source. An existing workbook is never overwritten without ``force``.
    """
    if kind is not None:
        kinds.find(kind)
    found = sources.collect_sources(paths)
    if out is not None and out.suffix.lower() == ".xlsx" and len(found) > 1:
        raise GwError("导入多个文件时，-o 应是一个文件夹。", Location(out))
    targets = sources.destinations(found, out, ".xlsx")
    taken: dict[Path, Path] = {}
    outcomes = []
    for source in found:
        dest = targets[source]
        other = taken.setdefault(dest, source)
        if other != source:
            outcomes.append(Outcome(source, error=GwError(f"与 {other.name} 会生成同名工作簿，请给其中一个改名。",
                                                          Location(source))))
            continue
        outcomes.append(import_source(source, dest, kind, force=force))
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
    for source in sources.collect_sources(paths):
        dest = out_dir / f"{safe_filename(source.stem)}.docx"
        other = taken.setdefault(dest, source)
        if other != source:
            outcomes.append(Outcome(source, error=GwError(f"与 {other.name} 会生成同名文档，请给其中一个改名。",
                                                          Location(source))))
            continue
        outcomes.append(format_source(source, dest, kind, profiles, force=force, keep_workbook=keep_workbook))
    return outcomes
