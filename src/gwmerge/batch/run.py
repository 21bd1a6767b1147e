"""A whole batch: the workbooks through the workers, their documents named and put in place in
input order, then the township layer (PDFs, 汇总表, print bundle, archive).

Names and collision suffixes never depend on timing: the main process names each document in
input order. Signals (SIGINT, SIGTERM, SIGHUP) stop the batch: workers are stopped, temporary
files removed, complete documents stay, and the result says which signal stopped it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from gwmerge import checks
from gwmerge.batch import township
from gwmerge.batch.inputs import scan
from gwmerge.batch.naming import check_pattern
from gwmerge.batch.pool import Pool
from gwmerge.batch.result import BatchResult
from gwmerge.batch.signals import Interrupted, signals_raise
from gwmerge.core.errors import GwError, Location
from gwmerge.core.files import os_error, publish, sweep_temps
from gwmerge.document import kinds
from gwmerge.document.profile import DEFAULT, combine
from gwmerge.docx import render
from gwmerge.docx.render import is_own_output
from gwmerge.pipeline import Outcome, Settings, add_batch_findings, kind_template


def run(
    paths: Iterable[Path],
    out_dir: Path,
    *,
    kind: str | None = None,
    template: Path | None = None,
    profiles: Iterable[str] = (),
    pdf: bool = False,
    zip: bool = False,
    bundle: bool = False,
    name_pattern: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: Callable[[Outcome], None] | None = None,
    report: bool | None = None,
    order: Path | None = None,
    rules_off: Iterable[str] = (),
) -> BatchResult:
    """Merge a batch; see :func:`gwmerge.api.merge`."""
    profiles = tuple(profiles)
    if jobs is not None and jobs < 1:
        raise GwError(f"-j 应为 1 或更大的整数（同时处理的工作簿数），不能是 {jobs}；不写则按本机 CPU 核数。")
    if kind is not None:
        kinds.find(kind)
    try:
        combine(DEFAULT, profiles)
    except ValueError as exc:
        raise GwError(f"{exc}。") from exc
    if template is not None and profiles:
        raise GwError("使用自己的模板（-t）时不能再指定格式方案，格式以模板中的样式为准。")
    if name_pattern is not None:
        check_pattern(name_pattern)
    rules_off = tuple(checks.validate_off(rules_off))
    # The roster is read before anything is written: a missing or broken one stops the run here.
    people = township.roster(order) if order is not None else None
    inputs, skipped = scan(paths)
    if not inputs and not skipped:
        raise GwError("没有找到 .xlsx 工作簿，请检查路径。")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GwError(f"无法创建输出文件夹（{os_error(exc, out_dir).message.removeprefix('无法写入：')}），"
                      "请换一个位置。", Location(out_dir)) from exc
    sweep_temps(out_dir)
    settings = Settings(out_dir, kind, template, profiles, rules_off)
    # Compiled here, before the workers start: forked workers find them ready.
    with contextlib.suppress(GwError, OSError):
        if template is not None:
            render.compiled(template)
        else:
            for k in ([kinds.find(kind)] if kind else kinds.available().values()):
                with contextlib.suppress(GwError, OSError):
                    render.compiled(kind_template(k, profiles))

    result = BatchResult([Outcome(p) for p in inputs], skipped, out_dir, pdf_wanted=pdf, bundle_wanted=bundle)
    # LibreOffice needs a few hundred MB per converter: by default at most four run at once.
    converters = jobs or min(os.cpu_count() or 1, 4)
    jobs = jobs or os.cpu_count() or 1
    pool: Pool | None = None
    gathered = checks.similarity.Gathered()
    done: dict[int, tuple[Outcome, str]] = {}
    taken: dict[str, Path] = {}
    with signals_raise():
        try:
            if inputs:
                pool = Pool(min(jobs, len(inputs)), settings, name_pattern)
                next_index = 0
                for index, outcome, wanted in pool.run(enumerate(inputs)):
                    if outcome.paragraphs:  # for 雷同, while the workers go on, not all at the end
                        gathered.add(outcome.paragraphs)
                        outcome.paragraphs = None
                    done[index] = (outcome, wanted)
                    while next_index in done:
                        outcome, wanted = done.pop(next_index)
                        _place(outcome, wanted, out_dir, taken, force, result.notices)
                        result.outcomes[next_index] = outcome
                        next_index += 1
                        if progress:
                            progress(outcome)
                pool.close()
                pool = None
            add_batch_findings(result.outcomes, rules_off, gathered)  # 雷同, before the 汇总表 counts findings
            if people is not None:
                result.unsubmitted = township.unsubmitted(result, people)
            _after(result, pdf=pdf, zip=zip, bundle=bundle, report=report, order=order, jobs=converters)
        except Interrupted as exc:
            result.interrupted = exc.signum
        finally:
            if pool is not None:
                pool.close(stop=True)
            for outcome, _ in done.values():
                if outcome.output is not None:
                    outcome.output.unlink(missing_ok=True)
    return result


def _place(outcome: Outcome, wanted: str, out_dir: Path, taken: dict[str, Path], force: bool,
           notices: list[str]) -> None:
    """Give a finished document its final name (in input order) and move it into place."""
    temp = outcome.output
    if temp is None:
        return
    outcome.output = None
    stem, n = wanted, 1
    while stem.casefold() in taken:
        n += 1
        stem = f"{wanted}-{n}"
    if n > 1:
        notices.append(f"{outcome.source.name} 与 {taken[wanted.casefold()].name} 的输出同名，"
                       f"已命名为 {stem}.docx。")
    taken[stem.casefold()] = outcome.source
    dest = out_dir / f"{stem}.docx"
    try:
        if (dest.exists() or dest.is_symlink()) and not force and not is_own_output(dest):
            outcome.error = GwError("输出文件已存在且被修改过（在 Word/WPS/LibreOffice 中保存过，或是链接），"
                                    "为免覆盖未重新生成；确需覆盖请加 --force。", Location(dest))
            temp.unlink(missing_ok=True)
            return
        if dest.is_symlink():
            dest.unlink()
        publish(temp, dest)
        outcome.output = dest
    except PermissionError:
        temp.unlink(missing_ok=True)
        outcome.error = GwError("无法写入（文件可能正在 Word 或 WPS 中打开），请关闭后重试。", Location(dest))
    except OSError as exc:
        temp.unlink(missing_ok=True)
        outcome.error, outcome.os_errno = os_error(exc, dest), exc.errno


def _after(result: BatchResult, *, pdf: bool, zip: bool, bundle: bool, report: bool | None,
           order: Path | None, jobs: int) -> None:
    """PDFs, batch-wide notices, the 汇总表, the print bundle and the archive."""
    _shared_errors(result)
    township.indistinguishable(result)
    if pdf or bundle:
        township.make_pdfs(result, jobs=jobs, keep=pdf, bundle=bundle, order=order)
    if report is None:
        report = len(result.outcomes) + len(result.skipped) > 1 or zip or bundle
    if report:
        township.write_report(result, order)
    if zip:
        township.make_zip(result)


def _shared_errors(result: BatchResult) -> None:
    """One system error (a full disk, a read-only folder) that hit many files is said once."""
    by_errno: dict[int, list[Outcome]] = {}
    for outcome in result.outcomes:
        errno = outcome.os_errno
        if errno is not None and outcome.error is not None:
            by_errno.setdefault(errno, []).append(outcome)
    for group in by_errno.values():
        if len(group) > 1:
            first = group[0].error
            assert first is not None
            result.notices.append(f"{len(group)} 个文件因同一原因未能写入：{first.message}")
            for outcome in group:
                outcome.error = GwError("未能写入（原因见下方说明）。", Location(outcome.source))
