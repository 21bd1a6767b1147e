"""Command line: parse, call the library API, print. Nothing else lives here.

Long because there are eight commands, each a screen of options and output; it is still one job.

The grammar (commands, options, Chinese help and usage errors) is declared with
:mod:`gwmerge.cliparse`: a command is a function taking the parsed values, registered with
``@command(name, summary, arg(...), opt(...), ...)``.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from rich.console import Console

from gwmerge.cliparse import (
    COMMANDS,
    ShowHelp,
    ShowVersion,
    UsageError,
    arg,
    command,
    command_help,
    main_help,
    opt,
    parse,
    port_number,
    positive_int,
)
from gwmerge.core.errors import Finding, GwError, Location, os_message
from gwmerge.core.safetext import for_markup, for_terminal

if TYPE_CHECKING:
    from gwmerge import api

# The library (docxtpl, lxml, openpyxl, cn2an …) is imported inside each command, so that
# `gwmerge --help` answers at once.

# soft_wrap: a message is one line, never cut inside a location when piped to a log.
# User text (file names, cell text, levels, folders) is printed only through for_markup/for_terminal:
# never taken as rich markup, emoji codes or terminal escapes.
out = Console(soft_wrap=True, emoji=False, highlight=False)
err = Console(stderr=True, soft_wrap=True, emoji=False, highlight=False)
_state = {"debug": False}


def _fail(exc: BaseException) -> SystemExit:
    if _state["debug"]:
        _print_traceback("".join(traceback.format_exception(exc)))
    if isinstance(exc, GwError):
        err.print(f"[red]错误：[/]{for_markup(exc)}", highlight=False)
    elif isinstance(exc, OSError):  # a system problem (disk, permissions), not a bug: say what it means
        where = f"{Path(exc.filename).name}：" if isinstance(exc.filename, str | Path) else ""
        err.print(f"[red]错误：[/]{for_markup(where)}{os_message(exc)}。", highlight=False)
    else:
        err.print(f"[red]内部错误：[/]{for_markup(type(exc).__name__)}: {for_markup(exc)}"
                  "（加 --debug 可查看详情，欢迎反馈）", highlight=False)
    return SystemExit(1)


def _print_traceback(text: str) -> None:
    """A traceback for --debug: its lines may quote user text, so each is made terminal-safe."""
    err.print("\n".join(for_terminal(line) for line in text.splitlines()), markup=False, highlight=False)


def _finding(finding: Finding) -> str:
    color = "red" if finding.is_error else "yellow"
    rule = f"〔{finding.rule}〕" if finding.rule else ""
    from gwmerge.checks import REGISTRY

    known = REGISTRY.get(finding.rule)
    fix = "（gwmerge check --fix 可自动改正）" if known is not None and known.fixer is not None else ""
    return f"[{color}]{finding.severity.value}[/] {for_markup(finding)}{fix}{rule}"


def _must_exist(*paths: Path | None) -> None:
    """An option naming a file that is not there (a roster, a template) stops the run before anything."""
    for path in paths:
        if path is not None and not path.exists():
            raise GwError("找不到这个文件，请检查路径。", Location(path))


WORKBOOKS = arg("paths", "工作簿或文件夹…", "工作簿文件或文件夹，可写多个。")
KIND = opt("-k", "--kind", metavar="文种", help="文种（见 gwmerge kinds）；默认取工作簿中填写的文种。")
PROFILE = opt("-p", "--profile", metavar="方案", many=True,
              help="格式方案，可叠加，如 -p 系统字体 -p 引导句加粗（见 gwmerge kinds）。")
OFF = opt("--off", metavar="规则", many=True,
          help="关闭某条检查规则，如 --off 段末标点（规则见 gwmerge check --rules）。")


@command(
    "merge", "合并工作簿为 Word 文档：每个工作簿生成一个 .docx，批量时另附汇总表。",
    WORKBOOKS,
    opt("-o", "--output", metavar="文件夹", type=Path, default=Path("out"), help="输出文件夹。"),
    KIND,
    opt("-t", "--template", metavar="模板", type=Path, help="使用自己的 docxtpl 模板（.docx）。"),
    PROFILE,
    opt("--pdf", help="同时生成 PDF（需要安装 LibreOffice）。"),
    opt("-j", "--jobs", metavar="个数", type=positive_int, help="同时处理的工作簿数，默认为本机 CPU 核数。"),
    opt("--force", help="覆盖已在 Word/WPS 中修改过的输出文件。"),
    opt("--name-pattern", metavar="格式", help="输出文件名格式，用“基本信息”中的字段，如 \"{单位}-{姓名}-{职务}\"。"),
    opt("--zip", dest="zip_", help="把文档、PDF 和汇总表打包为“合并结果.zip”。"),
    opt("--bundle", help="生成“打印合订本.pdf”：带目录，每份从单数页开始，便于双面打印。"),
    opt("--roster", metavar="名单", type=Path,
        help="名单（.xlsx 或 .csv，含“姓名”“职务”列）：合订本和汇总表按名单顺序，并列出未提交的人；"
             "名单先读，有误时什么也不生成。"),
    OFF,
    example="gwmerge merge sheets -o out",
)
def merge(a: argparse.Namespace) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from gwmerge import api

    if a.kind and a.template:
        raise _fail(GwError("--kind 和 -t 只能选一个。"))
    try:
        _must_exist(a.template, a.roster)
        # auto_refresh off: no drawing thread while worker processes start. Only on a terminal: piped to a
        # log it would leave an empty line before the first message.
        with Progress(TextColumn("[bold]合并中"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True, auto_refresh=False, disable=not err.is_terminal) as bar:
            task = bar.add_task("", total=len(api.collect_inputs(a.paths)) or None)

            def step(outcome: api.Outcome) -> None:
                bar.update(task, advance=1)
                bar.refresh()

            result = api.merge(a.paths, a.output, kind=a.kind, template=a.template, force=a.force,
                               profiles=a.profile or (), jobs=a.jobs, progress=step, pdf=a.pdf, zip=a.zip_,
                               bundle=a.bundle, name_pattern=a.name_pattern, order=a.roster, rules_off=a.off or ())
    except GwError as exc:
        raise _fail(exc) from None
    _print_batch(result)
    raise SystemExit(result.exit_code)


def _print_batch(result: Any) -> None:
    """Per-file lines, the closing table, notices and the summary of a merge."""
    from rich.table import Table
    from rich.text import Text

    for outcome in result.outcomes:
        line = Text()
        if outcome.ok and outcome.output is not None:
            mark = ("⚠", "yellow") if outcome.status == "内容过少" else ("✓", "green")
            line.append(mark[0], style=mark[1])
            line.append(f" {_safe(outcome.source.name)} → {_safe(str(outcome.output))}")
            if outcome.pdf is not None:
                line.append(f"，{_safe(outcome.pdf.name)}")
            elif result.pdf_wanted and result.pdf_problem is None:
                line.append("（PDF 未生成：已中止）" if result.interrupted else "（PDF 未能生成）", style="red")
            if outcome.status == "内容过少":
                line.append("（内容过少：除标题外几乎没有内容）", style="yellow")
        elif outcome.ok:
            line.append("-", style="yellow")
            line.append(f" {_safe(outcome.source.name)}：未处理（批处理被中止）")
        else:
            reason = str(outcome.error) if outcome.error else f"内部错误：{outcome.crash}（加 --debug 可查看详情）"
            if not reason.startswith(outcome.source.name):
                reason = f"{outcome.source.name}：{reason}"
            line.append("✗", style="red")
            line.append(f" {_safe(reason)}")
        out.print(line, highlight=False)
        if outcome.crash is not None and _state["debug"]:
            _print_traceback(outcome.crash.traceback_text)
        for warning in outcome.warnings:
            out.print(Text("    ").append(warning.severity.value, style="yellow").append(f" {_safe(str(warning))}"),
                      highlight=False)
    for item in result.skipped:
        out.print(Text("-", style="yellow").append(f" {_safe(item.path.name)}：跳过，{_safe(item.reason)}", style=""),
                  highlight=False)
    if len(result.outcomes) > 1 or result.unsubmitted:
        table = Table("文件", "姓名", "职务", "页数", "状态", "提醒", title="汇总")
        for outcome in result.outcomes:
            s = outcome.summary
            pages = "" if s is None or outcome.output is None else f"{s.pages}" + ("" if s.pages_exact else "（估）")
            status = outcome.status if outcome.output is not None or not outcome.ok else "未处理"
            table.add_row(Text(_safe(outcome.source.name)), Text(_safe(s.name if s else "")),
                          Text(_safe(s.position if s else "")), pages,
                          Text(status, style={"已生成": "green", "失败": "red"}.get(status, "yellow")),
                          str(len(outcome.warnings)))
        for name, position in result.unsubmitted:  # on the roster, no workbook: as the 汇总表 lists them
            table.add_row("", Text(_safe(name)), Text(_safe(position)), "", Text("未提交", style="yellow"), "")
        out.print(table)
    for notice in result.notices:
        out.print(Text("提醒：", style="yellow").append(_safe(notice), style=""), highlight=False)
    if result.pdf_problem:
        out.print(Text("未生成 PDF：", style="yellow").append(_safe(result.pdf_problem), style=""), highlight=False)
    if _state["debug"]:
        for line in result.pdf_log:
            err.print(Text(_safe(line)), highlight=False)
    if result.interrupted:
        out.print(Text(f"已中止：已完成的文档保留，未完成的没有留下临时文件（信号 {result.interrupted}）。",
                       style="bold red"))
    parts = [f"成功 {result.written} 个"]
    if result.nearly_empty:
        parts.append(f"内容过少 {result.nearly_empty} 个")
    parts.append(f"失败 {result.failed} 个")
    if result.unprocessed:
        parts.append(f"未处理 {result.unprocessed} 个")
    if result.skipped:
        parts.append(f"跳过 {len(result.skipped)} 个")
    if result.unsubmitted:
        parts.append(f"名单上未提交 {len(result.unsubmitted)} 人")
    done = "已中止，到中止时" if result.interrupted else "完成"
    out.print(Text(f"{done}：{'，'.join(parts)}。", style="bold red" if result.exit_code else "bold green"))
    for label, path in (("汇总表", result.report), ("打印合订本", result.bundle), ("压缩包", result.zip)):
        if path is not None:
            out.print(Text(f"{label}：{_safe(str(path))}"), highlight=False)


def _safe(text: str) -> str:
    """User text for the terminal: no control characters or escape sequences (a rich Text, no markup)."""
    return for_terminal(text)


@command(
    "check", "检查工作簿，不生成文件；列出全部问题及其位置（文件 › 工作表 › 单元格）。",
    arg("paths", "工作簿或文件夹…", "工作簿文件或文件夹，可写多个。", nargs="*"),
    opt("-k", "--kind", metavar="文种", help="按指定文种检查。"),
    OFF,
    opt("--rules", help="列出全部检查规则及其说明。"),
    opt("--fix", help="把能机械改正的问题（标点、空格、错别字、拼音缩写）改好，另存到 -o 指定的文件。"),
    opt("-o", "--output", metavar="副本", type=Path, help="--fix 时改正后的副本（.xlsx；多个工作簿时为文件夹）。"),
    opt("--force", help="--fix 时覆盖已存在的副本。"),
    example="gwmerge check sheets",
)
def check(a: argparse.Namespace) -> None:
    from gwmerge import api

    if a.rules:
        _print_rules()
        return
    try:
        if not a.paths:
            raise GwError("请给出要检查的工作簿或文件夹，如 gwmerge check sheets"
                          "（gwmerge check --rules 可查看检查规则）。")
        if a.fix:
            inputs = api.collect_inputs(a.paths)
            if not inputs:
                raise GwError("没有找到 .xlsx 工作簿，请检查路径。")
            _fix(inputs, a.output, a.kind, a.off or (), a.force)
            return
        if a.output is not None:
            raise GwError("-o 只在 --fix 时使用：check 本身不写任何文件。")
        outcomes = api.check(a.paths, a.kind, a.off or ())
        if not outcomes:
            raise GwError("没有找到 .xlsx 工作簿，请检查路径。")
    except GwError as exc:
        raise _fail(exc) from None
    _print_findings(outcomes, clean="没有发现问题")


def _print_rules() -> None:
    from rich.text import Text

    from gwmerge import checks

    family = None
    for r in checks.rules():
        if r.family != family:
            family = r.family
            out.print(Text(f"【{family}】", style="bold"))
        notes = ("（必需，不能关闭）" if r.required else "") + ("（--fix 可自动改正）" if r.fixer else "")
        out.print(Text.assemble("  ", (r.id, "cyan"), f"：{r.description}{notes}"))
    out.print("关闭某条规则：gwmerge check --off 规则名（可写多次）；文种可在 kind.toml 中写 "
              "checks_off = [\"规则名\"]。", markup=False, highlight=False)


def _fix(inputs: list[Path], output: Path | None, kind: str | None, off: list[str], force: bool) -> None:
    """check --fix: corrected copies, the changes listed, then what is left to do by hand."""
    from rich.text import Text

    from gwmerge import api

    if output is None:
        raise GwError("--fix 需要用 -o 指定改正后的副本（如 -o 改正.xlsx），原工作簿不会被修改。")
    single = output.suffix.lower() in api.WORKBOOK_SUFFIXES
    if single and len(inputs) > 1:
        raise GwError("有多个工作簿时，-o 请指定一个文件夹。", Location(output))
    from gwmerge.core.safetext import safe_filename

    targets = [output] if single else [output / f"{safe_filename(path.stem)}{path.suffix}" for path in inputs]
    for path, dest in zip(inputs, targets, strict=True):
        if dest.resolve() == path.resolve():
            raise GwError("不能把改正写回原工作簿，请用 -o 指定另一个文件名或文件夹。", Location(dest))
    written: list[Path] = []
    failed = 0
    for path, dest in zip(inputs, targets, strict=True):
        try:
            fixed = api.fix(path, dest, kind=kind, rules_off=off, force=force)
        except GwError as exc:
            out.print(Text.assemble(("错误 ", "red"), _safe(str(exc))))
            failed += 1
            continue
        for where, changes in fixed.changes:
            out.print(Text.assemble(("已改 ", "green"), _safe(f"{where}：{'；'.join(changes)}")))
        count = sum(len(c) for _, c in fixed.changes)
        out.print(Text.assemble(("✓ ", "green"), _safe(f"{path.name} → {dest}：改正 {len(fixed.changes)} 个单元格"
                                                       f"（{count} 处），原工作簿未改动。")))
        written.append(dest)
    if not written:
        raise SystemExit(1)
    out.print("改正后的副本还需人工处理的问题：", highlight=False)
    try:
        _print_findings(api.check(written, kind, off), clean="没有发现问题")
    finally:
        if failed:  # a workbook without its copy is a problem even when the other copies are clean
            out.print(f"[red]另有 {failed} 个工作簿没有生成改正后的副本（原因见上）。[/]", highlight=False)
    if failed:
        raise SystemExit(1)


def _print_findings(outcomes: list[api.Outcome], clean: str) -> None:
    """Every finding of every input; exit 1 on any finding, as the command line contract says."""
    errors = warnings = 0
    for outcome in outcomes:
        if outcome.crash is not None or outcome.error is not None:
            errors += 1
            reason = outcome.error or f"{outcome.source.name}：内部错误 {outcome.crash}"
            out.print(f"[red]错误[/] {for_markup(reason)}", highlight=False)
        for finding in outcome.findings:
            errors += finding.is_error
            warnings += not finding.is_error
            out.print(_finding(finding), highlight=False)
        if outcome.ok and not outcome.findings:
            out.print(f"[green]✓[/] {for_markup(outcome.source.name)}：{clean}", highlight=False)
    if errors or warnings:
        out.print(f"[bold]共 {errors} 处错误、{warnings} 处提醒。[/]")
    if errors or warnings:
        raise SystemExit(1)


@command(
    "verify", "检查任意 .docx 是否符合公文格式（字体、字号、行距、页边距、页码等），列出问题所在段落。",
    arg("paths", "文档或文件夹…", ".docx 文件或文件夹，可写多个。"),
    opt("-p", "--profile", metavar="方案", many=True, help="按哪种格式方案检查，可叠加（见 gwmerge kinds）。"),
    example="gwmerge verify out",
)
def verify(a: argparse.Namespace) -> None:
    from gwmerge import api
    try:
        outcomes = api.verify(a.paths, a.profile or ())
        if not outcomes:
            raise GwError("没有找到 .docx 文件，请检查路径。")
    except GwError as exc:
        raise _fail(exc) from None
    _print_findings(outcomes, clean="符合公文格式")


@command(
    "new", "生成带填写说明、示例行和下拉选项的空白工作簿。",
    opt("-o", "--output", metavar="文件", type=Path, default=Path("新材料.xlsx"),
        help="生成的工作簿文件（.xlsx）或文件夹。"),
    opt("-k", "--kind", metavar="文种", help="文种（见 gwmerge kinds）。"),
    opt("--name", metavar="姓名", default="", help="姓名。"),
    opt("--position", metavar="职务", default="", help="职务。"),
    opt("--unit", metavar="单位", default="", help="单位。"),
    opt("--roster", metavar="名单", type=Path, help="名单（.xlsx 或 .csv，含“姓名”“职务”列），每人生成一个。"),
    opt("--force", help="覆盖已存在的同名工作簿。"),
    opt("--theme", metavar="年度", help="预填这一年度主题的各个方面，如 2021（见 gwmerge kinds）；不指定则留空。"),
    example="gwmerge new -o 张三.xlsx --name 张三 --position 副镇长",
)
def new(a: argparse.Namespace) -> None:
    from gwmerge import api
    notes: list[Finding] = []

    def written(path: Path) -> None:
        out.print(f"[green]✓[/] 已生成 {for_markup(path)}", highlight=False)

    try:
        _must_exist(a.roster)
        api.new(a.output, kind=a.kind, name=a.name, position=a.position, unit=a.unit, roster=a.roster,
                force=a.force, notes=notes, on_written=written, theme=a.theme)
    except GwError as exc:
        for note in notes:
            out.print(_finding(note), highlight=False)
        raise _fail(exc) from None
    for note in notes:
        out.print(_finding(note), highlight=False)


@command("kinds", "列出可用的文种、年度主题和格式方案。", example="gwmerge kinds")
def kinds(a: argparse.Namespace) -> None:
    from rich.table import Table

    from gwmerge import api
    from gwmerge.document import kinds as kind_definitions
    from gwmerge.document.profile import PROFILES
    try:
        available = api.list_kinds()
    except GwError as exc:
        raise _fail(exc) from None
    table = Table("文种", "名称", "章节", "一是/二是", "年度主题（--theme）")
    for kind in available:
        table.add_row(for_markup(kind.id), for_markup(kind.name),
                      for_markup("、".join(s.heading for s in kind.sections)),
                      "接在段内" if kind.points_inline else "单独成段",
                      for_markup("、".join(f"{t.year or t.name}（{t.name}）" for t in kind.themes) or "无"))
    out.print(table)
    for kind_id, problem in kind_definitions.broken().items():  # named here, not only when a merge asks
        out.print(f"[red]✗[/] {for_markup(f'文种“{kind_id}”（{kind_id}/{problem}）')}", highlight=False)
    out.print(f"格式方案（--profile）：{'、'.join(PROFILES)}；默认“标准”即 GB/T 9704 的规定值。")


@command(
    "doctor", "检查本机环境：Python 和 gwmerge 版本、公文字体、LibreOffice、输出文件夹，并说明缺什么、怎么办。",
    opt("-o", "--output", metavar="文件夹", type=Path, default=Path("out"), help="要检查能否写入的输出文件夹。"),
    example="gwmerge doctor",
    notes=("缺字体、缺 LibreOffice 只是提醒；不能生成 Word 文档时退出码为 1。",),
)
def doctor(a: argparse.Namespace) -> None:
    from gwmerge.doctor import examine

    report = examine(a.output)
    marks = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "bad": "[red]✗[/]"}
    for title, lines in report.sections():
        out.print(f"[bold]{for_markup(title)}[/]", highlight=False)
        for line in lines:
            out.print(f"  {marks[line.state]} {for_markup(line.text)}", highlight=False)
    advice = report.advice()
    if advice:
        out.print("[bold]建议[/]", highlight=False)
        for i, text in enumerate(advice, 1):
            out.print(f"  {i}. {for_markup(text)}", highlight=False)
    if not report.ready:
        raise SystemExit(1)


@command(
    "serve", "启动本机网页：准备工作簿、检查、生成文档、一键排版，不用命令行。",
    opt("--host", metavar="地址", default="127.0.0.1",
        help="监听地址；默认只允许本机访问，设为 0.0.0.0 可在局域网共享（需访问密码）。"),
    opt("--port", metavar="端口", type=port_number, default=8000, help="端口。"),
    opt("--open", dest="open_browser", help="启动后打开浏览器。"),
    opt("--password", metavar="密码", help="访问密码（在局域网共享时使用；不设则自动生成并显示）。"),
    example="gwmerge serve --open",
)
def serve(a: argparse.Namespace) -> None:
    from gwmerge.web import serve as run

    try:
        run(a.host, a.port, open_browser=a.open_browser, password=a.password,
            say=lambda text: out.print(text, highlight=False, markup=False))
    except GwError as exc:
        raise _fail(exc) from None


SOURCES = arg("paths", "文档或文件夹…", ".docx 或 .txt 文件，或含有它们的文件夹，可写多个。")


def _report_sources(outcomes: list[api.Outcome], done: str, *, pdf_wanted: bool = False,
                    pdf_problem: str = "") -> None:
    """Per source: where the result went (and its PDF), what was recognised, and where to look."""
    from gwmerge import api
    failed = 0
    for outcome in outcomes:
        if outcome.ok:
            shown = f"{for_markup(outcome.output)}"
            if outcome.pdf is not None:
                shown += f"，{for_markup(outcome.pdf.name)}"
            elif pdf_wanted and not pdf_problem:
                shown += "（未能生成 PDF）"
            out.print(f"[green]✓[/] {for_markup(outcome.source.name)} → {shown}", highlight=False)
        else:
            failed += 1
            reason = str(outcome.error) if outcome.error else f"内部错误：{outcome.crash}（加 --debug 可查看详情）"
            if not reason.startswith(outcome.source.name):
                reason = f"{outcome.source.name}：{reason}"
            out.print(f"[red]✗[/] {for_markup(reason)}", highlight=False)
            if outcome.crash is not None and _state["debug"]:
                _print_traceback(outcome.crash.traceback_text)
        if outcome.recognised is not None:
            for line in api.describe(outcome.recognised):
                out.print(f"    {for_markup(line)}", highlight=False)
        for finding in outcome.findings:
            out.print(f"    {_finding(finding)}", highlight=False)
    if pdf_problem:
        from rich.text import Text
        out.print(Text("未生成 PDF：", style="yellow").append(_safe(pdf_problem), style=""), highlight=False)
    summary = f"{done}：成功 {len(outcomes) - failed} 个，失败 {failed} 个。"
    out.print(f"[bold {'red' if failed else 'green'}]{summary}[/]")
    if failed:
        raise SystemExit(1)


@command(
    "import", "把已有的材料（.docx 或 .txt）导入为工作簿，合并后与原文逐段一致。",
    SOURCES,
    opt("-o", "--output", metavar="位置", type=Path,
        help="输出文件夹（只导入一个文件时也可写 .xlsx 文件名）；默认放在原文件旁。"),
    opt("-k", "--kind", metavar="文种", help="文种（见 gwmerge kinds）；默认按标题判断。"),
    opt("--force", help="覆盖已存在的同名工作簿。"),
    example="gwmerge import 去年的材料.docx",
)
def import_(a: argparse.Namespace) -> None:
    from gwmerge import api
    try:
        if not api.collect_sources(a.paths):
            raise GwError("没有找到 .docx 或 .txt 文件，请检查路径。")
        outcomes = api.import_documents(a.paths, a.output, a.kind, force=a.force)
    except GwError as exc:
        raise _fail(exc) from None
    _report_sources(outcomes, "导入完成")


@command(
    "format", "一键排版：把 Word 或文本草稿排成公文格式，文字不变。",
    SOURCES,
    opt("-o", "--output", metavar="文件夹", type=Path, default=Path("out"), help="输出文件夹。"),
    opt("-k", "--kind", metavar="文种", help="文种（见 gwmerge kinds）；默认按标题判断。"),
    opt("-p", "--profile", metavar="方案", many=True, help="格式方案，可叠加（见 gwmerge kinds）。"),
    opt("--keep-workbook", help="同时保存导入的工作簿，便于以后修改。"),
    opt("--force", help="覆盖已在 Word/WPS 中修改过的输出文件。"),
    opt("--pdf", help="同时生成 PDF（需要安装 LibreOffice）。"),
    example="gwmerge format 草稿.docx -o out",
)
def format_(a: argparse.Namespace) -> None:
    from gwmerge import api
    from gwmerge.batch.pdf import PdfUnavailable
    try:
        if not api.collect_sources(a.paths):
            raise GwError("没有找到 .docx 或 .txt 文件，请检查路径。")
        outcomes = api.format_documents(a.paths, a.output, a.kind, a.profile or (), force=a.force,
                                        keep_workbook=a.keep_workbook)
    except GwError as exc:
        raise _fail(exc) from None
    problem = ""
    if a.pdf:
        try:
            api.export_pdfs([o for o in outcomes if o.ok], a.output)
        except PdfUnavailable as exc:
            problem = str(exc)
    _report_sources(outcomes, "排版完成", pdf_problem=problem, pdf_wanted=a.pdf)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gwmerge")
    except PackageNotFoundError:
        return "（未安装，从源码运行）"


def run(argv: list[str] | None = None) -> int:
    """Parse and run one command; the exit code. Help, the version and usage errors are handled
    here; anything a command raises other than SystemExit goes to the caller."""
    try:
        chosen, values = parse(sys.argv[1:] if argv is None else argv)
    except ShowHelp as shown:
        out.print(command_help(shown.command) if shown.command else main_help(), markup=False, highlight=False)
        return 0
    except ShowVersion:
        out.print(f"gwmerge {_version()}", markup=False, highlight=False)
        return 0
    except UsageError as exc:
        err.print(exc.render(), markup=False, highlight=False)
        return 2
    _state["debug"] = values.debug
    try:
        chosen.func(values)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: anything unexpected still ends in one sentence, not a traceback."""
    try:
        code = run(argv)
    except KeyboardInterrupt:
        err.print("已中止。", markup=False, highlight=False)
        code = 130
    except Exception as exc:  # the last line of defence; --debug shows the traceback
        code = _fail(exc).code
    raise SystemExit(code)


__all__ = ["COMMANDS", "main", "run"]
