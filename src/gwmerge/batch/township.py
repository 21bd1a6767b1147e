"""What a township office hands in besides the documents: 汇总表, PDFs, print bundle and archive.

Everything here works on a finished :class:`~gwmerge.batch.result.BatchResult`; files are written through
hidden temporary files and moved into place, so an interruption never leaves half a file.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path
from typing import Any

from gwmerge.batch.pdf import PdfUnavailable, convert_to_pdf
from gwmerge.batch.result import BUNDLE_NAME, REPORT_NAME, ZIP_NAME, BatchResult
from gwmerge.core.files import move_into_place, os_error, publish, work_folder, write_temp
from gwmerge.core.safetext import put_text
from gwmerge.pipeline import NEARLY_EMPTY_CHARS, Outcome
from gwmerge.read.roster import read_roster

# ---------------------------------------------------------------- shared helpers (C2's, when present)

def _put(ws: Any, row: int, column: int, value: object) -> None:
    """User text goes in as text: never a formula, whatever it starts with (= + - @)."""

    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        put_text(cell, value)
    else:
        cell.value = value


# ---------------------------------------------------------------- notices


def indistinguishable(result: BatchResult) -> None:
    """Warn when two printed documents would look alike: same title and no name on the page."""
    by_title: dict[str, list[Outcome]] = {}
    for outcome in result.outcomes:
        s = outcome.summary
        if outcome.output is not None and s is not None and not s.named_on_page:
            by_title.setdefault(s.title, []).append(outcome)
    for title, group in by_title.items():
        if len(group) > 1:
            names = "、".join(o.output.name for o in group[:5] if o.output) + (" 等" if len(group) > 5 else "")
            result.notices.append(
                f"{len(group)} 份材料标题都是“{title}”，页面上又没有姓名，打印后无法区分（{names}）："
                "可在各工作簿“基本信息”中将“落款”选“是”，让姓名印在文末。")


# ---------------------------------------------------------------- PDFs and the print bundle


def make_pdfs(result: BatchResult, *, jobs: int, keep: bool, bundle: bool = False,
              order: Path | None = None) -> None:
    """PDFs of the written documents (kept beside them with ``keep``), exact page counts, the bundle."""

    written = [o for o in result.outcomes if o.output is not None]
    if not written:
        return
    holder = contextlib.nullcontext(str(result.out_dir)) if keep else work_folder(result.out_dir, "pdfs")
    try:
        with holder as where:
            produced = convert_to_pdf([o.output for o in written if o.output], Path(where), jobs=jobs,
                                      log=result.pdf_log)
            pdfs: dict[int, Path] = {}
            for outcome in written:
                pdf = produced.get(outcome.output) if outcome.output else None
                if pdf is None:
                    continue
                pdfs[id(outcome)] = pdf
                if keep:
                    outcome.pdf = pdf
                if outcome.summary is not None:
                    with contextlib.suppress(Exception):
                        outcome.summary.pages = _page_count(pdf)
                        outcome.summary.pages_exact = True
            missing = [o.output.name for o in written if id(o) not in pdfs and o.output]
            if missing:
                result.notices.append(f"{len(missing)} 份文档未能生成 PDF（{'、'.join(missing[:5])}"
                                      f"{' 等' if len(missing) > 5 else ''}）；加 --debug 可查看 LibreOffice 的输出。")
            if bundle:
                make_bundle(result, pdfs, order)
    except PdfUnavailable as exc:
        result.pdf_problem = str(exc)


def _page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def bundle_order(result: BatchResult, order: Path | None) -> list[Outcome]:
    """Written documents in roster order (by 姓名, then 职务), the rest after them in file order."""
    written = [o for o in result.outcomes if o.output is not None]
    if order is None:
        return written
    people = roster(order)
    ordered: list[Outcome] = []
    for name, position in people:
        candidates = [o for o in written if o not in ordered and o.summary and o.summary.name == name]
        best = [o for o in candidates if o.summary and o.summary.position == position] or candidates
        if best:
            ordered.append(best[0])
    return ordered + [o for o in written if o not in ordered]


def roster(path: Path) -> list[tuple[str, str]]:
    """(姓名, 职务) of each person on a roster workbook, in its order."""

    return [(p.name, p.position) for p in read_roster(path)]


def unsubmitted(result: BatchResult, people: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The roster's people with no workbook in the batch (by 姓名), in the roster's order."""
    named = {o.summary.name for o in result.outcomes if o.summary}
    return [(name, position) for name, position in people if name not in named]


def make_bundle(result: BatchResult, pdfs: dict[int, Path], order: Path | None) -> None:
    """One PDF for double-sided printing: contents pages, then each document on an odd page."""
    from pypdf import PdfReader, PdfWriter


    docs = [o for o in bundle_order(result, order) if id(o) in pdfs]
    if not docs:
        return
    rows: list[tuple[str, str, str, str, int, int]] = []
    page = 1
    for outcome in docs:
        s = outcome.summary
        count = s.pages if s else 1
        rows.append((s.name if s else "", s.position if s else "", s.title if s else "",
                     outcome.output.name if outcome.output else "", count, page))
        page += count + count % 2
    with work_folder(result.out_dir, "cover") as tmp:
        cover_docx = Path(tmp) / "目录.docx"
        cover_docx.write_bytes(_cover_docx(rows))
        cover = convert_to_pdf([cover_docx], Path(tmp) / "pdf", log=result.pdf_log).get(cover_docx)
        if cover is None:
            result.notices.append("打印合订本的目录页未能生成，合订本未生成；加 --debug 可查看 LibreOffice 的输出。")
            return
        writer = PdfWriter()
        for source in (cover, *(pdfs[id(o)] for o in docs)):
            reader = PdfReader(source)
            for p in reader.pages:
                writer.add_page(p)
            if len(reader.pages) % 2:  # the next part starts on a front side
                box = reader.pages[-1].mediabox
                writer.add_blank_page(width=float(box.width), height=float(box.height))
        buf = io.BytesIO()
        writer.write(buf)
    dest = result.out_dir / BUNDLE_NAME
    move_into_place(buf.getvalue(), dest)
    result.bundle = dest


def _cover_docx(rows: list[tuple[str, str, str, str, int, int]]) -> bytes:
    """A contents page: A4, a title and one table row per document."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    style = doc.styles["Normal"]
    style.font.name = "仿宋_GB2312"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    heading = doc.add_paragraph()
    heading.alignment = 1
    run = heading.add_run("目  录")
    run.font.size = Pt(22)
    run.font.name = "黑体"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
    note = doc.add_paragraph("页码自目录之后起算；每份材料从单数页开始，便于双面打印后分开。")
    note.alignment = 1
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("序号", "姓名", "职务", "标题", "页数", "起始页"), strict=True):
        cell.text = text
    for number, (name, position, title, _file, count, start) in enumerate(rows, start=1):
        cells = table.add_row().cells
        for cell, text in zip(cells, (str(number), name, position, title, str(count), str(start)), strict=True):
            cell.text = text
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- 汇总表


_COLUMNS = ("序号", "文件", "状态", "说明", "姓名", "职务", "单位", "标题", "输出文件", "PDF", "页数", "页数来源",
            "字数", "提醒数")
_WIDTHS = (6, 28, 10, 60, 10, 14, 16, 40, 28, 28, 6, 10, 8, 8)


def write_report(result: BatchResult, order: Path | None = None) -> None:
    """汇总表.xlsx: every input — written, nearly empty, failed (why), skipped (why) — and notices."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    for column, label in enumerate(_COLUMNS, start=1):
        _put(ws, 1, column, label)
        ws.cell(row=1, column=column).font = Font(bold=True)
        ws.cell(row=1, column=column).fill = PatternFill("solid", fgColor="DDEBF7")
    row = 2
    for outcome in result.outcomes:
        s = outcome.summary
        status, why = outcome.status, ""
        if not outcome.ok:
            why = outcome.error.message if outcome.error else f"内部错误：{outcome.crash}"
        elif outcome.output is None:
            status, why = "未处理", "批处理被中止"
        elif status == "内容过少":
            why = f"各部分除标题外几乎没有内容（不足 {NEARLY_EMPTY_CHARS} 字），请补充后重新合并"
        values: list[object] = [row - 1, outcome.source.name, status, why,
                                s.name if s else "", s.position if s else "", s.unit if s else "",
                                s.title if s else "", outcome.output.name if outcome.output else "",
                                outcome.pdf.name if outcome.pdf else "",
                                s.pages if s and outcome.output else "",
                                ("PDF" if s.pages_exact else "估算") if s and outcome.output else "",
                                s.chars if s and outcome.output else "", len(outcome.warnings)]
        for column, value in enumerate(values, start=1):
            _put(ws, row, column, value)
        row += 1
    for item in result.skipped:
        for column, value in enumerate((row - 1, item.path.name, "跳过", item.reason), start=1):
            _put(ws, row, column, value)
        row += 1
    for name, position in result.unsubmitted:
        for column, value in enumerate((row - 1, "", "未提交", "名单中有此人，但没有对应的工作簿", name, position),
                                       start=1):
            _put(ws, row, column, value)
        row += 1
    for column, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=column).column_letter].width = width
    for cells in ws.iter_rows(min_row=2, max_row=row - 1):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if result.notices or result.pdf_problem:
        notes = wb.create_sheet("说明")
        _put(notes, 1, 1, "批次说明")
        notes.cell(row=1, column=1).font = Font(bold=True)
        for i, text in enumerate([*result.notices, *([result.pdf_problem] if result.pdf_problem else [])], start=2):
            _put(notes, i, 1, text)
        notes.column_dimensions["A"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    dest = result.out_dir / REPORT_NAME
    try:
        move_into_place(buf.getvalue(), dest)
    except OSError as exc:

        result.notices.append(f"汇总表未能写入：{os_error(exc, dest)}")
        return
    result.report = dest


# ---------------------------------------------------------------- archive


def make_zip(result: BatchResult) -> None:
    """合并结果.zip: documents, PDFs and the 汇总表, with UTF-8 names (flag 0x800) for Windows."""
    members: list[Path] = []
    for outcome in result.outcomes:
        members += [p for p in (outcome.output, outcome.pdf) if p is not None]
    if result.report is not None:
        members.append(result.report)
    dest = result.out_dir / ZIP_NAME
    temp = write_temp(result.out_dir, b"", ".zip")
    try:
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in members:
                info = zipfile.ZipInfo.from_file(member, member.name)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.flag_bits |= 0x800  # names are UTF-8 (zipfile sets it too for non-ASCII names)
                info.external_attr = 0o644 << 16
                archive.writestr(info, member.read_bytes())
        publish(temp, dest)
    except OSError as exc:
        temp.unlink(missing_ok=True)

        result.notices.append(f"压缩包未能写入：{os_error(exc, dest)}")
        return
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    result.zip = dest
