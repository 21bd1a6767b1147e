"""Batch speed, memory, PDFs and start-up against the plain way, measured side by side in one run.

Run: python bench/bench_merge.py            (everything; LibreOffice needed for the PDF part)
     python bench/bench_merge.py --no-pdf   (skip the PDF part)

* The plain way is what a short script does for the same documents: openpyxl in its default mode,
  then a fresh docxtpl template and Jinja environment per document, saved with python-docx.
* gwmerge: ``api.merge`` with ``jobs`` worker processes (each workbook in a worker), the template
  compiled once per batch and the unchanging parts of the .docx copied pre-compressed.
* Both must give the same document text (checked on a sample).
* Memory: peak resident set of a 1,000-workbook batch, in a fresh process (main and workers).
* PDFs: ``--pdf -j 2`` against ``--pdf -j 1``, and ``--pdf`` against the plain way, one
  ``soffice --convert-to pdf`` per document (and against gwmerge's own converter started per document).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "sheets" / "示例-副镇长.xlsx"


def plain_merge(books: list[Path], out: Path) -> None:
    import openpyxl
    from docxtpl import DocxTemplate
    from jinja2.sandbox import SandboxedEnvironment

    from gwmerge import checks
    from gwmerge.core.errors import Location
    from gwmerge.core.text import clean
    from gwmerge.document import kinds, layout, numbering, outline
    from gwmerge.document.dates import official_date
    from gwmerge.document.grid import Cell, Grid, Row, Sheet
    from gwmerge.docx import render

    def shown(value: object) -> str:
        if isinstance(value, dt.date):
            return official_date(value) or ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return clean(str(value))

    kind = kinds.find(None)
    for book in books:
        wb = openpyxl.load_workbook(book)
        sheets = []
        for ws in wb.worksheets:
            where = Location(book, ws.title)
            sheet = Sheet(ws.title, where)
            for row in ws.iter_rows():
                cells = [Cell(shown(c.value), where.at(c.coordinate), isinstance(c.value, dt.date))
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


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def best(run: Callable[[Path], object], out: Path, repeat: int, cpu: list[float] | None = None) -> float:
    """Best wall time of ``repeat`` runs; the CPU time of each run (this process and its workers)
    goes into ``cpu``: unlike wall time it barely changes when other programs load the machine."""
    times = []
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        start, used = time.perf_counter(), _cpu()
        run(out)
        times.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(_cpu() - used)
    return min(times)


def copies(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    books = []
    for i in range(count):
        books.append(folder / f"干部{i:04d}.xlsx")
        shutil.copy(EXAMPLE, books[-1])
    return books


def texts(path: Path) -> list[str]:
    from gwmerge.docx.effective import EffectiveDoc

    return [p.text for p in EffectiveDoc(path).paragraphs()]


def speed(root: Path, count: int = 200) -> None:
    from gwmerge import api

    books = copies(root / "books", count)
    api.merge(books[:2], root / "warm", jobs=1)  # imports and first-use costs out of the way
    (root / "warm2").mkdir()
    plain_merge(books[:2], root / "warm2")
    print(f"【速度】{count} 份工作簿（每份即示例-副镇长，约 4400 字），四种做法轮流各跑 3 次，各取最好一次：")
    plain = one = two = bare = float("inf")
    plain_cpu: list[float] = []
    one_cpu: list[float] = []
    bare_cpu: list[float] = []
    off = ("雷同",)  # the batch-wide check the plain way does not do
    for _ in range(3):  # taking turns, so a busy moment of the machine hits all alike
        plain = min(plain, best(lambda out: plain_merge(books, out), root / "plain", 1, plain_cpu))
        one = min(one, best(lambda out: api.merge(books, out, jobs=1, report=False), root / "j1", 1, one_cpu))
        two = min(two, best(lambda out: api.merge(books, out, jobs=2, report=False), root / "j2", 1))
        bare = min(bare, best(lambda out: api.merge(books, out, jobs=1, report=False, rules_off=off),
                              root / "j1-off", 1, bare_cpu))
    same = all(texts(root / "plain" / f"{b.stem}.docx") == texts(root / "j1" / f"{b.stem}.docx")
               == texts(root / "j2" / f"{b.stem}.docx") for b in books[:: max(1, count // 5)])
    print(f"  朴素做法（openpyxl + 每份新建 docxtpl） {plain:7.2f} s   每份 {plain / count * 1000:5.1f} ms")
    print(f"  gwmerge merge -j 1                      {one:7.2f} s   每份 {one / count * 1000:5.1f} ms"
          f"   {plain / one:5.2f} 倍（目标 ≥ 4）")
    print(f"  gwmerge merge -j 2                      {two:7.2f} s   每份 {two / count * 1000:5.1f} ms"
          f"   {plain / two:5.2f} 倍（目标 ≥ 6）")
    print(f"  gwmerge -j 1，关掉跨文件的雷同检查     {bare:7.2f} s   每份 {bare / count * 1000:5.1f} ms"
          f"   {plain / bare:5.2f} 倍（与朴素做法做同样的事）")
    print(f"  CPU 时间（不受其他程序占用影响）：朴素做法 {min(plain_cpu):.2f} s，gwmerge -j 1 {min(one_cpu):.2f} s"
          f"（{min(plain_cpu) / min(one_cpu):.2f} 倍），关掉雷同检查 {min(bare_cpu):.2f} s"
          f"（{min(plain_cpu) / min(bare_cpu):.2f} 倍）")
    print(f"  输出文字一致：{'是' if same else '否'}")


_MEMORY = """
import resource, sys, time
from pathlib import Path
from gwmerge import api
books = sorted(Path(sys.argv[1]).glob("*.xlsx"))
start = time.perf_counter()
result = api.merge(books, Path(sys.argv[2]), jobs=2, rules_off=sys.argv[3:])
took = time.perf_counter() - start
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{len(books)} {result.written} {took:.2f} {me:.1f} {kids:.1f}")
"""


def memory(root: Path, count: int = 1000) -> None:
    books = root / "many"
    copies(books, count)
    for label, off in (("默认", []), ("关掉雷同检查", ["雷同"])):
        done = subprocess.run([sys.executable, "-c", _MEMORY, str(books), str(root / "many-out"), *off],
                              capture_output=True, text=True, check=True)
        total, written, took, me, kids = done.stdout.split()
        print(f"【内存】{total} 份工作簿，-j 2，{label}，写出 {written} 份，用时 {float(took):.1f} s：")
        print(f"  主进程峰值常驻内存 {float(me):6.1f} MB，最大的工作进程 {float(kids):6.1f} MB（目标 < 200 MB）")


def plain_pdfs(soffice: Path, docs: list[Path], out: Path, profile: Path) -> None:
    """What a short script does: one ``soffice --convert-to pdf`` per document. The profile is one
    folder reused by every call, as a user's own profile would be (kept apart from it here)."""
    for doc in docs:
        subprocess.run([str(soffice), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(out), str(doc)], capture_output=True, check=True)


def pdfs(root: Path, count: int = 20) -> None:
    from gwmerge import api
    from gwmerge.batch.pdf import convert_to_pdf, find_soffice

    soffice = find_soffice()
    if soffice is None:
        print("【PDF】未安装 LibreOffice，跳过。")
        return
    books = copies(root / "pdf-books", count)
    print(f"【PDF】{count} 份文档（含生成 .docx）：")
    one = two = float("inf")
    for _ in range(2):
        one = min(one, best(lambda out: api.merge(books, out, jobs=1, pdf=True, report=False), root / "pdf1", 1))
        two = min(two, best(lambda out: api.merge(books, out, jobs=2, pdf=True, report=False), root / "pdf2", 1))
    docs = sorted((root / "pdf1").glob("*.docx"))
    plain_pdfs(soffice, docs[:1], root / "pdf-plain", root / "plain-profile")  # the profile made once, as a user's
    plain = best(lambda out: plain_pdfs(soffice, docs, out, root / "plain-profile"), root / "pdf-plain", 1)
    each = best(lambda out: [convert_to_pdf([d], out) for d in docs], root / "pdf-each", 1)
    # LibreOffice alone, the same documents: how much two converters can gain on this machine.
    alone1 = best(lambda out: convert_to_pdf(docs, out, jobs=1), root / "lo1", 2)
    alone2 = best(lambda out: convert_to_pdf(docs, out, jobs=2), root / "lo2", 2)
    print(f"  朴素做法：每份文档运行一次 soffice --convert-to pdf   {plain:6.2f} s")
    print(f"  gwmerge 的转换进程，每份文档启动一次                   {each:6.2f} s"
          "（启动已比朴素做法快：私有配置跳过 LibreOffice 每次启动都做的图形自检）")
    print(f"  --pdf -j 1（一个转换进程）            {one:6.2f} s   比朴素做法快 {plain / one:5.2f} 倍（目标 ≥ 4），"
          f"比 gwmerge 逐份启动快 {each / one:4.2f} 倍")
    print(f"  --pdf -j 2（两个转换进程）            {two:6.2f} s   比 -j 1 快 {one / two:5.2f} 倍（目标 ≥ 1.6）")
    print(f"  作为对照，只用 LibreOffice 转换这些 .docx：一个进程 {alone1:.2f} s，两个进程 {alone2:.2f} s，"
          f"快 {alone1 / alone2:.2f} 倍（本机两个转换进程能快的上限）")


def startup() -> None:
    def wall(*cmd: str) -> float:
        times = []
        for _ in range(7):
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            times.append(time.perf_counter() - start)
        return min(times)

    bare = wall(sys.executable, "-c", "pass")
    helped = wall(sys.executable, "-m", "gwmerge", "--help")
    print("【启动】最好一次（7 次中）：")
    print(f"  gwmerge --help {helped:5.3f} s（目标 < 0.25 s）；作为对照，空的 Python 启动 {bare:5.3f} s")


def main() -> None:
    print(f"本机 {os.cpu_count()} 核；负载 {os.getloadavg()[0]:.1f}（其他程序占用 CPU 时数字偏慢）")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        startup()
        speed(root)
        memory(root)
        if "--no-pdf" not in sys.argv:
            pdfs(root)


if __name__ == "__main__":
    main()
