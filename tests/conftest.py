"""Shared helpers: the example workbooks, the seed text, and building workbooks in tests."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from gwmerge.batch import pdf
from gwmerge.document import sheetformat as sf
from gwmerge.write.xlsx import SectionRows, write_workbook

ROOT = Path(__file__).resolve().parents[1]
SHEETS = ROOT / "sheets"
SEED = Path(__file__).parent / "data" / "seed.txt"
CORRECTIONS = {"mzshh": "民主生活会", "dangshi": "党史", "厉害关系": "利害关系", "编大": "偏大", "红线意线": "红线意识",
               # a quotation inside a quotation takes single quotes
               "对照“带头深刻感悟“两个确立”的决定性意义": "对照“带头深刻感悟‘两个确立’的决定性意义"}


def seed_paragraphs() -> list[str]:
    """The seed's non-empty paragraphs, placeholders written out and typos corrected."""
    text = SEED.read_text(encoding="utf-8")
    for wrong, right in CORRECTIONS.items():
        text = text.replace(wrong, right)
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture
def sheets(tmp_path: Path) -> Path:
    """A private copy of sheets/ so tests never touch the bundled examples."""
    return Path(shutil.copytree(SHEETS, tmp_path / "sheets"))


def make_workbook(path: Path, sections: list[SectionRows], **info: str | dt.date) -> Path:
    fields = {sf.FIELD_KIND: "民主生活会", sf.FIELD_POSITION: "副镇长", sf.FIELD_NAME: "张三",
              sf.FIELD_DATE: dt.date(2025, 1, 15), sf.FIELD_OPENING: "开头一段。"}
    fields.update(info)
    write_workbook(path, fields, sections, ["民主生活会", "组织生活会"])
    return path


def need_soffice() -> None:
    """Skip rendering tests without LibreOffice, except in CI where they must run."""
    if pdf.find_soffice() is None:
        if os.environ.get("GWMERGE_REQUIRE_SOFFICE"):
            pytest.fail("CI 要求运行渲染测试，但没有找到 LibreOffice（soffice）")
        pytest.skip("未安装 LibreOffice（soffice），跳过 PDF 渲染测试")
