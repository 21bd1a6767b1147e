"""Growth of the work hostile-sized inputs cause: it must stay linear.

Run: ``python bench/bench_hostile.py``. For each case it times a small and a ten-times larger
input and prints the ratio (about 10 is linear; 100 would be quadratic):

* naming the workbooks of a roster of one name (张三, 张三-2, …, as ``new --roster`` does);
* the merged-cell check over a sheet with many merged ranges and rows;
* Word list numbering rendered for many numbered paragraphs.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gwmerge.checks.structure import merged_rule  # noqa: E402
from gwmerge.core.errors import Location  # noqa: E402
from gwmerge.document.grid import Cell, Grid, Row, Sheet  # noqa: E402
from gwmerge.read.docx import _Level, _Numbering  # noqa: E402
from gwmerge.read.roster import Person  # noqa: E402
from gwmerge.write.blank import _new_targets  # noqa: E402


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def roster(n: int) -> float:
    people = [Person("张三", "副镇长", "某镇", None, row) for row in range(2, n + 2)]
    return _time(lambda: _new_targets(Path(tempfile.gettempdir()), people, "民主生活会", [], per_person=True))


def merged(n: int) -> float:
    where = Location(Path("大.xlsx"), "存在的问题")
    sheet = Sheet("存在的问题", where)
    sheet.rows = [Row(r, [Cell("段落", where.at(f"A{r}"))]) for r in range(3, 3 * n + 3)]
    sheet.merged = tuple(f"A{r}:B{r}" for r in range(3, n + 3))

    class Ctx:
        grid = Grid(Path("大.xlsx"), [sheet])

    return _time(lambda: list(merged_rule(Ctx())))


def numbering(n: int) -> float:
    lists = _Numbering(levels={"1": {0: _Level("lowerLetter", "%1.", 1, "nothing")}})
    return _time(lambda: [lists.render("1", 0) for _ in range(n)])


def main() -> None:
    for name, fn, small in (("名单同名命名", roster, 1_000), ("合并单元格检查", merged, 1_000),
                            ("Word 自动编号", numbering, 10_000)):
        a, b = fn(small), fn(small * 10)
        print(f"{name:<10} {small:>7,}: {a * 1000:8.1f} ms   {small * 10:>7,}: {b * 1000:8.1f} ms   "
              f"比例 {b / a:5.1f}（线性约 10）")


if __name__ == "__main__":
    main()
