"""雷同 across a batch: time for 300 workbooks, the candidate index against comparing every pair.

Measured (2 shared cores): 300 people, 7,800 paragraphs: the index finds the 90 planted pairs and
nothing else in 0.8 s, where comparing every pair would take ~200 s; ``gwmerge check`` of the 300
workbooks with every rule: 5.2 s.

Since copies are grouped (a text pasted by many people is reported, however many; issue 16), measured
before/after in alternating runs on the same 2 shared cores under heavy load (load average ~13), best
of three: the 300 people above 1.54 s → 1.80 s (the same 90 pairs); 300 people who all pasted one
范文 of 27 paragraphs (half of them editing a few characters) plus 13 of their own: before 2.61 s and
nothing found (every shared gram was dropped as "common"), after 2.14 s and all 300 reported, as one
group. End to end, ``api.check`` of 100 such workbooks with every rule: 7.3 s before, 6.6 s after
(30 雷同 findings both times).

Run: python bench/bench_similarity.py [N]          (default 300 people; also the 范文 case)
     python bench/bench_similarity.py 300 --books  (also end to end: write N workbooks, gwmerge check)

Each synthetic person writes ~30 paragraphs: the seed's 17 paragraphs reworded (most characters
replaced at random, so they share only stock phrases), plus their own sentences; every tenth
person copies three paragraphs of another with small edits. The run reports how long the
candidate index (``checks.similarity.similar``) takes, how many pairs it finds, and, as a
baseline, what comparing every pair of paragraphs from different people with rapidfuzz would
cost (measured on a sample and extrapolated).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from gwmerge.checks import similarity  # noqa: E402
from gwmerge.checks.repeats import normalise  # noqa: E402
from gwmerge.core.errors import Location  # noqa: E402

SEED = ROOT / "tests" / "data" / "seed.txt"
HAN = [chr(c) for c in range(0x4E00, 0x9FA5)]


def reword(text: str, rng: random.Random, keep: float) -> str:
    return "".join(ch if rng.random() < keep or not "\u4e00" <= ch <= "\u9fff" else rng.choice(HAN) for ch in text)


def people(n: int, rng: random.Random) -> dict[Path, list[str]]:
    seed = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 20]
    batch: dict[Path, list[str]] = {}
    for i in range(n):
        own = [reword(p[:300], rng, 0.3) for p in seed]
        own += ["".join(rng.choice(HAN) for _ in range(rng.randint(40, 160))) + "。" for _ in range(13)]
        batch[Path(f"人员{i:03d}.xlsx")] = own
    owners = list(batch)
    for i in range(0, n, 10):  # every tenth copies three paragraphs of the next person, lightly edited
        source = batch[owners[(i + 1) % n]]
        batch[owners[i]][:3] = [reword(p, rng, 0.97) for p in source[:3]]
    return batch


def pasted(n: int, rng: random.Random) -> dict[Path, list[str]]:
    """Everyone pasted the same 范文 (27 paragraphs), half of them editing a few characters, and
    wrote 13 paragraphs of their own."""
    seed = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 20]
    model = (seed * 2)[:27]
    batch: dict[Path, list[str]] = {}
    for i in range(n):
        copy = [reword(p[:300], rng, 0.98) if i % 2 else p[:300] for p in model]
        own = ["".join(rng.choice(HAN) for _ in range(rng.randint(40, 160))) + "。" for _ in range(13)]
        batch[Path(f"人员{i:03d}.xlsx")] = copy + own
    return batch


def as_paras(batch: dict[Path, list[str]]) -> list[similarity.Para]:
    return [similarity.Para(owner, Location(owner, "存在的主要问题", f"C{row + 4}"), text, normalise(text))
            for owner, texts in batch.items() for row, text in enumerate(texts)
            if len(normalise(text)) >= similarity.MIN_CHARS]


def all_pairs_estimate(paras: list[similarity.Para], sample: int = 20000) -> float:
    """Seconds rapidfuzz would need to compare every pair from different people."""
    from rapidfuzz.distance import LCSseq

    rng = random.Random(1)
    total = len(paras) * (len(paras) - 1) // 2
    pairs = [(rng.randrange(len(paras)), rng.randrange(len(paras))) for _ in range(sample)]
    start = time.perf_counter()
    for a, b in pairs:
        LCSseq.similarity(paras[a].key, paras[b].key)
    per_pair = (time.perf_counter() - start) / sample
    return per_pair * total


def books(batch: dict[Path, list[str]], folder: Path) -> list[Path]:
    from conftest import make_workbook

    from gwmerge.write.xlsx import SectionRows

    written = []
    for owner, texts in batch.items():
        rows = [("段落", "", t) for t in texts]
        written.append(make_workbook(folder / owner.name, [SectionRows("存在的主要问题", rows[:10]),
                                                           SectionRows("产生问题的主要原因", rows[10:20]),
                                                           SectionRows("下步的改进措施", rows[20:])]))
    return written


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 300
    rng = random.Random(2024)
    batch = people(n, rng)
    paras = as_paras(batch)
    start = time.perf_counter()
    pairs = similarity.similar(paras)
    took = time.perf_counter() - start
    copied = {p.first.owner for p in pairs} | {p.second.owner for p in pairs}
    print(f"{n} 人，{len(paras)} 段：候选索引 {took:.2f} 秒，找到 {len(pairs)} 对雷同段落（涉及 {len(copied)} 人；"
          f"植入 {3 * len(range(0, n, 10))} 对）")
    print(f"逐对比较全部段落（rapidfuzz，估算）：约 {all_pairs_estimate(paras):.0f} 秒")
    copies = as_paras(pasted(n, random.Random(7)))
    start = time.perf_counter()
    found = similarity.findings(copies)
    took = time.perf_counter() - start
    flagged = sum(1 for items in found.values() if items)
    print(f"{n} 人都抄了同一篇范文（27 段，半数人略改几字），{len(copies)} 段：{took:.2f} 秒，"
          f"{flagged} 份材料有雷同提醒")
    if "--books" in sys.argv:
        from gwmerge import api

        with tempfile.TemporaryDirectory() as tmp:
            written = books(batch, Path(tmp))
            start = time.perf_counter()
            outcomes = api.check(written)
            took = time.perf_counter() - start
            found = sum(1 for o in outcomes for f in o.findings if f.rule == "雷同")
            print(f"gwmerge check {n} 个工作簿（全部规则）：{took:.1f} 秒，雷同 {found} 处")


if __name__ == "__main__":
    main()
