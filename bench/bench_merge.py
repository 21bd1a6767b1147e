"""Batch speed and memory against the plain way, measured in the same run.

Run: python bench/bench_merge.py [N]   (N workbooks, default 20: a township's committee)

The plain way is what a short script would do for the same documents: openpyxl in its default
mode, then a fresh docxtpl template and Jinja environment per document. gwmerge reads workbooks
in read-only mode, reuses compiled template parts across the batch and can use several processes.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import openpyxl
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from gwmerge import api, checks, kinds, layout, numbering, outline, render
from gwmerge.effective import EffectiveDoc
from gwmerge.errors import Location
from gwmerge.workbook import Cell, Grid, Row, Sheet, _display

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "sheets" / "示例-副镇长.xlsx"


def plain_merge(books: list[Path], out: Path) -> None:
    kind = kinds.find(None)
    for book in books:
        wb = openpyxl.load_workbook(book)
        sheets = []
        for ws in wb.worksheets:
            where = Location(book, ws.title)
            sheet = Sheet(ws.title, where)
            for row in ws.iter_rows():
                cells = [Cell(_display(c.value, c.number_format)[0], where.at(c.coordinate))
                         if c.value is not None else None for c in row]
                while cells and cells[-1] is None:
                    cells.pop()
                if cells:
                    sheet.rows.append(Row(row[0].row, cells))
            sheets.append(sheet)
        doc, _ = outline.build(Grid(book, sheets))
        checks.run(doc, kind)
        plan = layout.plan(numbering.number(doc), kind)
        tpl = DocxTemplate(kind.template)
        tpl.render(render.context(plan), jinja_env=SandboxedEnvironment(autoescape=True))
        tpl.save(out / f"{book.stem}.docx")


def timed(label: str, run: Callable[[Path], None], out: Path, repeat: int = 3,
          memory: bool = True) -> tuple[float, float]:
    """Best wall time of ``repeat`` runs, and peak traced memory of one run (MiB).

    Memory is traced in this process only, so it is not reported for worker processes.
    """
    best = float("inf")
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        start = time.perf_counter()
        run(out)
        best = min(best, time.perf_counter() - start)
    peak = float("nan")
    if memory:
        shutil.rmtree(out)
        out.mkdir()
        tracemalloc.start()
        run(out)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    shown = f"峰值内存 {peak:6.1f} MiB" if memory else "（多进程，不测内存）"
    print(f"  {label:<26} {best:7.3f} s   {shown}")
    return best, peak


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        books = []
        for i in range(count):
            books.append(root / "sheets" / f"干部{i:02d}.xlsx")
            books[-1].parent.mkdir(exist_ok=True)
            shutil.copy(EXAMPLE, books[-1])
        api.merge(books[:1], root / "warm")  # imports and first-use costs out of the way
        print(f"{count} 份工作簿（每份即示例-副镇长，约 4400 字）：")
        plain, plain_mem = timed("朴素做法（openpyxl+docxtpl）", lambda out: plain_merge(books, out), root / "plain")
        ours, ours_mem = timed("gwmerge merge", lambda out: api.merge(books, out), root / "ours")
        par, _ = timed("gwmerge merge -j 2", lambda out: api.merge(books, out, jobs=2), root / "par", repeat=2,
                       memory=False)
        same = all(
            [p.text for p in EffectiveDoc(root / "plain" / f"{b.stem}.docx").paragraphs()]
            == [p.text for p in EffectiveDoc(root / "ours" / f"{b.stem}.docx").paragraphs()]
            for b in books[:3])
        print(f"速度：gwmerge 是朴素做法的 {plain / ours:.2f} 倍，-j 2 时 {plain / par:.2f} 倍"
              f"（每份 {ours / count * 1000:.0f} ms 对 {plain / count * 1000:.0f} ms）")
        print(f"内存：峰值为朴素做法的 {ours_mem / plain_mem:.2f} 倍；输出文字一致：{'是' if same else '否'}")


if __name__ == "__main__":
    main()
