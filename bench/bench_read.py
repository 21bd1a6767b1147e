"""Workbook reading speed: gwmerge's streaming reader against openpyxl and python-calamine.

Run: ``python bench/bench_read.py [N]``. Reads each example workbook N times (default 200) with
each reader in the same run and prints the time per read and the ratio to openpyxl's
``load_workbook`` (read-only, as the plain way does). It also checks that gwmerge's text equals
what openpyxl reads (same cells, same text) so the speed is not bought with lost content.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gwmerge.read.xlsx import read_grid  # noqa: E402

BOOKS = sorted((ROOT / "sheets").glob("*.xlsx"))


def with_openpyxl(path: Path) -> dict[tuple[str, str], str]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    cells = {}
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        ws.reset_dimensions()
        for row in ws.iter_rows():
            for c in row:
                value = getattr(c, "value", None)
                if value is not None and str(value).strip():
                    cells[(ws.title, c.coordinate)] = value
    wb.close()
    return cells


def with_calamine(path: Path) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    data = [wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names]
    wb.close()
    return data


def with_gwmerge(path: Path) -> dict[tuple[str, str], str]:
    grid = read_grid(path)
    return {(s.title, c.location.cell): c.text for s in grid.sheets for r in s.rows for c in r.cells if c}


def timed(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        for book in BOOKS:
            fn(book)
    return (time.perf_counter() - start) / (n * len(BOOKS))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    for book in BOOKS:  # same content as openpyxl (texts compared after openpyxl's raw values)
        ours, theirs = with_gwmerge(book), with_openpyxl(book)
        assert ours.keys() == theirs.keys(), (book.name, ours.keys() ^ theirs.keys())
    for fn in (with_openpyxl, with_calamine, with_gwmerge):
        fn(BOOKS[0])  # warm up imports
    base = timed(with_openpyxl, n)
    print(f"{len(BOOKS)} example workbooks × {n} reads")
    print(f"  openpyxl load_workbook (read-only)  {base * 1000:7.2f} ms per workbook   1.00×")
    for label, fn in (("python-calamine (values only)", with_calamine), ("gwmerge xlsxread", with_gwmerge)):
        t = timed(fn, n)
        print(f"  {label:<34} {t * 1000:7.2f} ms per workbook  {base / t:5.2f}×")


if __name__ == "__main__":
    main()
