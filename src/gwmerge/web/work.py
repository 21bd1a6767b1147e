"""The work behind each step: calls into the library API (as the CLI does) and describes the outcome.

Nothing here merges, checks or names documents; it only runs the API on the job's files and turns
its outcomes into what the page shows.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gwmerge import api, checks
from gwmerge.core.errors import Finding, GwError
from gwmerge.web.intake import Entry
from gwmerge.web.jobs import Job
from gwmerge.web.multipart import Refused

PREVIEW_WIDTH = 420  # pixels; the page shows first-page previews about this wide


# What the command line adds for its own user; the page has no such option.
_TERMINAL_ONLY = ("；加 --debug 可查看 LibreOffice 的输出", "，加 --debug 可查看 LibreOffice 的输出")


def clean(job: Job, text: str) -> str:
    """Messages name files by their names; the job's private folder never reaches the page."""
    for folder in (job.folder / "in", job.folder / "out", job.folder):
        text = text.replace(f"{folder}/", "").replace(f"{folder}\\", "").replace(str(folder), "")
    for said in _TERMINAL_ONLY:
        text = text.replace(said, "")
    return text


def fixable(finding: Finding) -> bool:
    """Can 一键改正 (``check --fix``) mend it? The rule says so by having a fixer."""
    rule = checks.REGISTRY.get(finding.rule)
    return rule is not None and rule.fixer is not None


def finding_view(job: Job, finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return {"error": finding.is_error, "severity": finding.severity.value,
            "where": clean(job, str(loc)), "message": clean(job, finding.message),
            "text": clean(job, str(finding)), "rule": finding.rule, "fixable": fixable(finding),
            "can_off": can_switch_off(finding)}


def can_switch_off(finding: Finding) -> bool:
    """A 提醒 of a rule that may be switched off: the page offers “这一批不再提醒”."""
    rule = checks.REGISTRY.get(finding.rule) if finding.rule else None
    return not finding.is_error and rule is not None and not rule.required


def rules_off(job: Job) -> tuple[str, ...]:
    """Rules the user switched off for this batch on the page (as ``check --off`` does)."""
    return tuple(job.data.get("rules_off", ()))


def _failure(job: Job, outcome: api.Outcome) -> dict[str, Any]:
    """The reason an input failed, as the CLI states it."""
    if outcome.error is not None:
        where = clean(job, str(outcome.error.location))
        return {"error": True, "severity": "错误", "where": where, "message": clean(job, outcome.error.message),
                "text": clean(job, str(outcome.error))}
    message = f"内部错误：{outcome.crash}（欢迎反馈）"
    return {"error": True, "severity": "错误", "where": outcome.source.name, "message": message,
            "text": f"{outcome.source.name}：{message}"}


def refused_view(entry: Entry) -> dict[str, Any]:
    return {"name": entry.display, "ok": False, "refused": True,
            "findings": [{"error": True, "severity": "错误", "where": "", "message": entry.refused,
                          "text": entry.refused}]}


def inputs(job: Job) -> list[Path]:
    return list(job.data.get("inputs", []))


def add_inputs(job: Job, entries: list[Entry]) -> None:
    """Join a new upload to the batch: a file of the same name replaces the earlier one (and its refusal)."""
    added = [e.path for e in entries if e.path]
    names = {p.name.casefold() for p in added} | {e.display.casefold() for e in entries}
    job.data["inputs"] = list(dict.fromkeys([*inputs(job), *added]))
    job.data["refused"] = [e for e in job.data.get("refused", []) if e.display.casefold() not in names]
    job.data["refused"] += [e for e in entries if e.refused]
    forget_results(job)


def forget_results(job: Job) -> None:
    """The batch changed: what was fixed or generated from the old one no longer describes it."""
    job.data.pop("fix", None)
    job.data.pop("merge", None)


def remove_input(job: Job, name: str) -> bool:
    """Take the workbook (or refused line) shown as ``name`` out of the batch; False if there is none."""
    for path in inputs(job):
        if path.name == name:
            job.data["inputs"].remove(path)
            path.unlink(missing_ok=True)
            forget_results(job)
            return True
    for entry in job.data.get("refused", []):
        if entry.display == name:
            job.data["refused"].remove(entry)
            forget_results(job)
            return True
    return False


def run_check(job: Job) -> None:
    """``gwmerge check`` on the job's workbooks; each file's findings in reading order."""
    paths = inputs(job)
    job.phase, job.total = "正在检查……", len(paths)
    files = []
    # All at once, as the CLI does: some rules compare the inputs with each other.
    for outcome in api.check(paths, rules_off=rules_off(job)):
        findings = [finding_view(job, f) for f in outcome.findings]
        if not outcome.ok:
            findings.insert(0, _failure(job, outcome))
        files.append({"name": outcome.source.name, "ok": outcome.ok and not any(f["error"] for f in findings),
                      "refused": False, "findings": findings})
        job.done += 1
    files += [refused_view(e) for e in job.data.get("refused", [])]
    for file in files:
        file["fixable"] = sum(f.get("fixable", False) for f in file["findings"])
        file["warnings"] = sum(not f["error"] for f in file["findings"])
    job.data["check"] = {"files": files, "errors": sum(f["error"] for x in files for f in x["findings"]),
                         "warnings": sum(not f["error"] for x in files for f in x["findings"]),
                         "fixable": sum(x["fixable"] for x in files)}


def run_fix(job: Job) -> None:
    """一键改正 (``check --fix``): each workbook's mechanical fixes into a copy, which the batch then uses;
    the copies are offered for download (the user's own files are never touched), then all is checked again."""
    paths = inputs(job)
    job.phase, job.total = "正在改正……", len(paths)
    folder = job.folder / "fixed"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    done: list[dict[str, Any]] = []
    copies: list[tuple[Path, str]] = []
    for path in paths:
        entry: dict[str, Any] = {"name": path.name, "changes": [], "cells": 0}
        try:
            fixed = api.fix(path, folder / path.name, rules_off=rules_off(job))
        except GwError as exc:
            entry["error"] = clean(job, str(exc))
        else:
            entry["changes"] = [{"where": clean(job, str(where)), "what": "；".join(what)}
                                for where, what in fixed.changes]
            entry["cells"] = len(fixed.changes)
            if fixed.changes:
                fixed.output.replace(path)  # the batch goes on with the corrected copy
                copies.append((path, f"{path.stem}（已改正）{path.suffix}"))
            else:
                fixed.output.unlink(missing_ok=True)
        done.append(entry)
        job.done += 1
    shutil.rmtree(folder, ignore_errors=True)
    fix: dict[str, Any] = {"files": done, "cells": sum(e["cells"] for e in done)}
    for entry in done:
        for path, name in copies:
            if path.name == entry["name"]:
                entry["download"] = {"name": name, "token": job.offer(path, name)}
    if len(copies) > 1:
        bundle = job.folder / "改正后的工作簿.zip"
        with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
            for path, name in copies:
                zf.write(path, name)
        fix["zip"] = job.offer(bundle, "改正后的工作簿.zip")
    job.done = 0
    forget_results(job)
    run_check(job)
    job.data["fix"] = fix


@dataclass(frozen=True)
class MergeOptions:
    kind: str | None = None
    profiles: tuple[str, ...] = ()
    pdf: bool = False
    bundle: bool = False
    name_pattern: str | None = None


def run_merge(job: Job, options: MergeOptions) -> None:
    """``gwmerge merge --zip`` on the job's workbooks, plus first-page previews when PDFs are made."""
    paths = inputs(job)
    out = job.folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(job.folder / "preview", ignore_errors=True)
    out.mkdir()
    job.data.pop("merge", None)
    job.phase, job.total = "正在生成文档……", len(paths)

    def step(outcome: api.Outcome) -> None:
        job.done += 1
        if job.done == job.total and (options.pdf or options.bundle):
            job.phase = "正在生成 PDF……"

    try:
        result = api.merge(paths, out, kind=options.kind, profiles=options.profiles, pdf=options.pdf, zip=True,
                           rules_off=rules_off(job),
                           bundle=options.bundle, name_pattern=options.name_pattern, progress=step)
    except GwError as exc:  # a mistake in the options: nothing was touched
        raise Refused(clean(job, str(exc))) from exc
    job.phase = "正在准备下载……"
    rows = [_merge_row(job, outcome, result.pdf_wanted and result.pdf_problem is None)
            for outcome in result.outcomes]
    rows += [refused_row(e) for e in job.data.get("refused", [])]
    failed = sum(not r["ok"] for r in rows)
    summary = f"完成：成功 {len(rows) - failed} 个，失败 {failed} 个。"
    if result.nearly_empty:
        summary += f"其中 {result.nearly_empty} 个内容过少。"
    offered = {name: job.offer(path, path.name) if path is not None else None
               for name, path in (("zip", result.zip), ("report", result.report), ("bundle", result.bundle))}
    job.data["merge"] = {"rows": rows, "summary": summary, "failed": failed, **offered,
                         "notices": [clean(job, n) for n in result.notices],
                         "pdf_problem": clean(job, result.pdf_problem) if result.pdf_problem else None}


def _merge_row(job: Job, outcome: api.Outcome, pdf_expected: bool) -> dict[str, Any]:
    """One line of the closing table: file, person, pages, status, downloads, reason or warnings."""
    facts = outcome.summary
    row: dict[str, Any] = {"name": outcome.source.name, "ok": outcome.ok, "status": outcome.status,
                           "warnings": [finding_view(job, f) for f in outcome.warnings],
                           "person": facts.name if facts else "", "position": facts.position if facts else "",
                           "pages": (f"{facts.pages}" + ("" if facts.pages_exact else "（估）"))
                           if facts and outcome.output is not None else ""}
    if outcome.ok and outcome.output is not None:
        row["docx"] = {"name": outcome.output.name, "token": job.offer(outcome.output, outcome.output.name)}
        if outcome.pdf is not None:
            row["pdf"] = {"name": outcome.pdf.name, "token": job.offer(outcome.pdf, outcome.pdf.name)}
            png = _preview(outcome.pdf, job.folder / "preview")
            if png is not None:
                row["preview"] = job.offer(png, f"{outcome.pdf.stem}.png")
        elif pdf_expected:
            row["pdf_missing"] = True
    elif not outcome.ok:
        row["reason"] = _failure(job, outcome)
    return row


def _zip(job: Job, out: Path, outcomes: list[api.Outcome]) -> Path | None:
    """The formatted documents in one zip."""
    files = [o.output for o in outcomes if o.output is not None]
    if not files:
        return None
    target = job.folder / "排版结果.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            zf.write(path, formatted_name(path))
    return target


def formatted_name(output: Path) -> str:
    """一键排版's result is named apart from the draft it came from: 初稿.docx → 初稿（排版）.docx."""
    return f"{output.stem}（排版）{output.suffix}"


def _preview(pdf: Path, folder: Path) -> Path | None:
    """The first page as a small PNG (poppler's pdftoppm); None when pdftoppm is missing or fails."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    folder.mkdir(exist_ok=True)
    stem = folder / f"page-{len(list(folder.iterdir())) + 1}"
    try:
        subprocess.run([tool, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to-x", str(PREVIEW_WIDTH),
                        "-scale-to-y", "-1", str(pdf), str(stem)], check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    png = stem.with_suffix(".png")
    return png if png.is_file() else None


def run_format(job: Job, options: MergeOptions) -> None:
    """一键排版 (``gwmerge format``): each draft → the official-format .docx, same text."""
    paths = inputs(job)
    out = job.folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    job.phase, job.total = "正在排版……", len(paths)
    try:
        outcomes = api.format_documents(paths, out, kind=options.kind, profiles=options.profiles)
    except GwError as exc:  # a mistake in the options: nothing was touched
        raise Refused(clean(job, str(exc))) from exc
    job.done = len(paths)
    rows = []
    for outcome in outcomes:
        row: dict[str, Any] = {"name": outcome.source.name, "ok": outcome.ok,
                               "warnings": [finding_view(job, f) for f in outcome.warnings]}
        if outcome.ok and outcome.output is not None:
            name = formatted_name(outcome.output)
            row["docx"] = {"name": name, "token": job.offer(outcome.output, name)}
        else:
            row["reason"] = _failure(job, outcome)
        rows.append(row)
    rows += [refused_row(e) for e in job.data.get("refused", [])]
    failed = sum(not r["ok"] for r in rows)
    bundle = _zip(job, out, outcomes) if len(paths) > 1 else None
    job.data["format"] = {"rows": rows, "summary": f"完成：成功 {len(rows) - failed} 个，失败 {failed} 个。",
                          "failed": failed, "zip": job.offer(bundle, "排版结果.zip") if bundle else None}


def refused_row(entry: Entry) -> dict[str, Any]:
    """A file refused at upload, as a failed row of a result table."""
    return {"name": entry.display, "ok": False, "warnings": [],
            "reason": {"error": True, "severity": "错误", "where": "", "message": entry.refused, "text": entry.refused}}
