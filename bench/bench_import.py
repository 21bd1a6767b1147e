"""Import and format speed against the length of a material: the growth must be linear.

Run: ``python bench/bench_import.py [N ...]`` (default 500 2000 10000). For each N it writes a
material of N paragraphs (一、 parts of 50 paragraphs, （一） items with 一是/二是 points, plain
paragraphs) and one of N 一、 headings, then times ``import`` (to a workbook) and ``format`` (to a
document) in this process, and prints seconds, seconds per 1,000 paragraphs and the growth ratio
against the first size (time ratio ÷ size ratio: about 1 is linear, about N₂/N₁ is quadratic).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gwmerge import api  # noqa: E402
from gwmerge.document import ordinals  # noqa: E402


def material(n: int) -> str:
    """A report of ``n`` paragraphs as people type them."""
    lines = ["关于2025年度工作情况的报告", ""]
    part = 0
    for i in range(n):
        k = i % 50
        if k == 0:
            part += 1
            lines.append(f"{ordinals.format(1, part)}第{part}部分工作")
        elif k % 10 == 1:
            lines.append(f"（{ordinals.chinese(k // 10 + 1)}）加强第{k}项工作。"
                         "一是抓学习，学深悟透。二是抓落实，见到成效。")
        else:
            lines.append(f"这是第{i}段正文，内容是关于工作的说明，做得比较扎实，效果比较明显。")
    lines += ["", "张三", "2025年1月20日"]
    return "\n".join(lines) + "\n"


def headings(n: int) -> str:
    """A 汇编 of ``n`` 一、 headings and nothing else (format refuses it in one sentence: no text)."""
    return "\n".join(["学习资料汇编", *(f"{ordinals.format(1, i)}第{i}篇学习资料" for i in range(1, n + 1))]) + "\n"


def timed(work: Callable[[], list[api.Outcome]]) -> float:
    """Seconds for ``work``; a refusal in one sentence is a result too (headings alone: no text)."""
    start = time.perf_counter()
    outcomes = work()
    spent = time.perf_counter() - start
    assert all(o.ok or o.error is not None for o in outcomes), [o.crash for o in outcomes]
    return spent


def main(sizes: list[int]) -> None:
    print(f"{'材料':<8}{'段落数':>8}{'import 秒':>11}{'format 秒':>11}{'每千段 import':>14}{'增长比':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, make in (("正文", material), ("标题", headings)):
            base: tuple[int, float] | None = None
            for n in sizes:
                source = folder / f"{label}{n}.txt"
                source.write_text(make(n), encoding="utf-8")
                imported = timed(lambda s=source, n=n: api.import_documents([s], folder / f"books{n}", force=True))
                formatted = timed(lambda s=source, n=n: api.format_documents([s], folder / f"docs{n}", force=True))
                per = imported / n * 1000
                if base is None:
                    base = (n, imported)
                growth = (imported / base[1]) / (n / base[0])
                print(f"{label:<8}{n:>8}{imported:>11.2f}{formatted:>11.2f}{per:>14.2f}{growth:>8.2f}")
    print("增长比 = 时间之比 ÷ 段落数之比：约 1 为线性增长。")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [500, 2000, 10000])
