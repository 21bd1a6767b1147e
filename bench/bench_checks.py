"""How noisy is ``check`` on correct text? Findings per 1,000 characters, rule by rule.

Every real material in the repository is checked as a clerk would meet it: the .txt materials
under tests/data/real imported into workbooks (``gwmerge import``), the same materials typed as
Word drafts (tests/real_docx.py) and imported, the workbooks in tests/data, and the example
workbooks in sheets/. These materials are correct text (the
seed's typos are corrected in the examples), so every finding of a text rule is a false one,
unless the material itself was planted with a mistake (listed in ``KNOWN``, printed apart).

Run: python bench/bench_checks.py            (prints the table; exit 1 above the 0.2 target)
     python bench/bench_checks.py -v         (also every finding)
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from gwmerge import api, checks  # noqa: E402
from gwmerge.checks.base import pieces  # noqa: E402

TARGET = 0.2  # false findings per 1,000 characters
# Findings that are true: mistakes the material really has (rule, file name, start of the message).
KNOWN: list[tuple[str, str, str]] = [
    # GB/T 9704 7.3.5.1: the date of a document gives year, month and day in full
    ("日期", "month_date_signature", "日期“2025年12月”只写到月份"),
    # the source's line 9 ends “主动上门服务不多” without its 。 (its siblings have one)
    ("段末标点", "org_life_outline", "段落末尾没有标点“…象，主动上门服务不多”"),
    # its typed second title line has 26 characters, more than a 二号 line holds (GB/T 9704 7.3.1)
    ("标题断行", "rectification_four_levels", "标题第 2 行有 26 字"),
]


def materials(work: Path) -> list[Path]:
    """Every real material as a workbook: the .txt and their Word drafts imported into ``work``,
    the workbooks as they are."""
    import real_docx

    texts = sorted((ROOT / "tests" / "data" / "real").glob("*.txt"))
    (work / "docx").mkdir()
    drafts = [real_docx.build(t.stem, work / "docx" / f"{t.stem}.docx") for t in texts]
    books: list[Path] = []
    for sources, folder in ((texts, work / "txt"), (drafts, work / "docx-xlsx")):
        outcomes = api.import_documents(sources, folder, force=True)
        books += [o.output for o in outcomes if o.output is not None]
        for o in outcomes:
            if o.output is None:
                print(f"未能导入 {o.source.name}：{o.error or o.crash}", file=sys.stderr)
    books += sorted((ROOT / "tests" / "data").glob("*.xlsx")) + sorted((ROOT / "sheets").glob("*.xlsx"))
    return books


def characters(path: Path) -> int:
    doc, _, _ = api.read(path)
    return sum(len(p.text) for p in pieces(doc))


def known(finding_rule: str, path: Path, message: str) -> bool:
    return any(r == finding_rule and path.name.startswith(n) and message.startswith(m) for r, n, m in KNOWN)


def main(verbose: bool = False) -> int:
    with tempfile.TemporaryDirectory() as folder:
        books = materials(Path(folder))
        total = 0
        by_rule: Counter[str] = Counter()
        true_by_rule: Counter[str] = Counter()
        for path in books:
            chars = characters(path)
            total += chars
            [outcome] = api.check([path])
            for f in outcome.findings:
                rule = f.rule or "（读取）"
                if known(rule, path, f.message):
                    true_by_rule[rule] += 1
                    continue
                by_rule[rule] += 1
                if verbose:
                    print(f"  {rule}\t{path.parent.name}/{f}")
    false = sum(by_rule.values())
    per_k = 1000 * false / total if total else 0.0
    print(f"{len(books)} 份真实材料，共 {total} 字；误报 {false} 条，每千字 {per_k:.3f} 条（目标 ≤ {TARGET}）")
    print(f"{'规则':<10}{'条数':>6}{'每千字':>10}")
    for rule in [r.id for r in checks.rules()] + sorted(set(by_rule) - set(checks.REGISTRY)):
        extra = f"（另有 {true_by_rule[rule]} 条属实）" if true_by_rule[rule] else ""
        print(f"{rule:<10}{by_rule[rule]:>6}{1000 * by_rule[rule] / total:>10.3f}{extra}")
    return 0 if per_k <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main("-v" in sys.argv[1:]))
