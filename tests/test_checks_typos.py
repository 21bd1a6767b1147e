"""The typo list: data shipped with the package, each wrong form certain, zero hits on correct text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SHEETS, seed_paragraphs

from gwmerge import api, checks
from gwmerge.checks import doubled, placeholders, punctuation, typos

DATA = ROOT / "tests" / "data"
TRAPS = DATA / "correct" / "traps.txt"


def corpus() -> list[str]:
    """Correct text: the real materials, the seed corrected, the example and v1 workbooks, and
    sentences written to sit one character away from a listed typo (汇编大全, 自己经常 …)."""
    texts = list(seed_paragraphs())
    for path in sorted((DATA / "real").glob("*.txt")):
        texts += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += [line for line in TRAPS.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    for path in sorted(SHEETS.glob("*.xlsx")) + sorted(DATA.glob("*.xlsx")):
        doc, _, _ = api.read(path)
        texts += [piece.text for piece in checks.base.pieces(doc)]
    return texts


CORPUS = corpus()


def test_the_list_is_large_and_has_the_issues_pairs() -> None:
    assert len(typos.TYPOS) >= 500
    for wrong, right in {"厉害关系": "利害关系", "年龄编大": "年龄偏大", "投入编大": "投入偏大", "数量编大": "数量偏大",
                         "红线意线": "红线意识", "辩别": "辨别", "辩认": "辨认", "辩析": "辨析", "明辩是非": "明辨是非",
                         "辨论": "辩论"}.items():
        assert typos.TYPOS[wrong] == right
    assert "编大" not in typos.TYPOS  # 汇编大全 is correct


def test_every_pair_is_found_fixed_and_its_right_form_is_not_flagged() -> None:
    for wrong, right in typos.TYPOS.items():
        assert wrong != right
        assert typos.typo_spans(wrong) == [(0, len(wrong), right)], wrong
        assert typos.typo_spans(right) == [], f"the right form {right} is flagged"
        assert typos.fix_typos(f"我们{wrong}的")[0] == f"我们{right}的"


def test_the_file_notes_its_source() -> None:
    text = (ROOT / "src" / "gwmerge" / "checks" / typos.TYPO_FILE).read_text(encoding="utf-8")
    assert text.startswith("# 常见错别字表") and "来源：" in text


def test_the_corpus_is_real_text() -> None:
    assert len(CORPUS) > 500 and sum(map(len, CORPUS)) > 25000
    assert any("汇编大全" in t for t in CORPUS) and any("基层党组织组织生活会" in t for t in CORPUS)


def test_no_text_rule_fires_on_the_corpus_of_correct_text() -> None:
    for text in CORPUS:
        assert typos.typo_spans(text) == [], text
        assert doubled.doubled_spans(text) == [], text
        assert placeholders.blank_spans(text) == [], text
        assert list(punctuation.pair_problems(text)) == [], text
        assert typos._traditional_chars().isdisjoint(text), text


@pytest.mark.timeout(300)
def test_the_list_ships_with_the_package(tmp_path: Path) -> None:
    """What setuptools copies into the package (wheel or install) holds the list."""
    built = subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path)],
                           cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert built.returncode == 0, built.stderr
    shipped = (tmp_path / "gwmerge" / "checks" / typos.TYPO_FILE).read_text(encoding="utf-8")
    assert typos.load_typos(shipped) == typos.TYPOS


def test_no_typo_or_doubled_word_in_the_projects_own_prose() -> None:
    """README and the format and workbook guides: some 20,000 more characters of correct Chinese."""
    for path in (ROOT / "README.md", ROOT / "docs" / "format.md", ROOT / "docs" / "workbook.md"):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert typos.typo_spans(line) == [], (path.name, line)
            assert doubled.doubled_spans(line) == [], (path.name, line)
