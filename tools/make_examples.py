"""Regenerate the bundled example workbooks in sheets/ (run: python tools/make_examples.py).

The first example is the golden seed (tests/data/seed.txt) with its pinyin placeholders written
out and its typos corrected; the second is an ordinary Party member's material of the second kind.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from gwmerge.document import sheetformat as sf
from gwmerge.write.xlsx import SectionRows, write_workbook

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "data" / "seed.txt"
# What the seed's writer would have typed: placeholders written out, typos fixed.
CORRECTIONS = {
    "mzshh": "民主生活会",
    "dangshi": "党史",
    "厉害关系": "利害关系",
    "编大": "偏大",
    "红线意线": "红线意识",
    # Double quotes inside double quotes: the inner pair becomes single quotes (GB/T 15834).
    "对照“带头深刻感悟“两个确立”": "对照“带头深刻感悟‘两个确立’",
}
KINDS = ["民主生活会", "组织生活会"]
_POINT = re.compile(r"(?<=[：。；])(?=[一二三四五六七八九十]+是)")


def corrected_seed() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    for wrong, right in CORRECTIONS.items():
        text = text.replace(wrong, right)
    return [line.strip() for line in text.splitlines() if line.strip()]


def _item(paragraph: str, with_points: bool) -> list[tuple[str, str, str]]:
    body = re.sub(r"^（[一二三四五六七八九十]+）", "", paragraph)
    heading, _, rest = body.partition("。")
    parts = _POINT.split(rest) if with_points else [rest]
    rows = [(sf.Level.ITEM2.value, heading, parts[0])]
    for part in parts[1:]:
        lead, _, text = re.sub(r"^[一二三四五六七八九十]+是", "", part).partition("。")
        rows.append((sf.Level.POINT.value, lead, text))
    return rows


def seed_example(dest: Path) -> None:
    lines = corrected_seed()
    opening = lines[1]
    sections: list[SectionRows] = []
    for line in lines[2:]:
        if re.match(r"^[一二三四五六七八九十]+、", line):
            sections.append(SectionRows(line.split("、", 1)[1], []))
        else:
            sections[-1].rows.extend(_item(line, with_points=len(sections) == 1))
    # The seed's own title (2021, 五个带头): a title naming a year's theme is typed, never guessed.
    info = {sf.FIELD_KIND: "民主生活会", sf.FIELD_TITLE: "副镇长五个带头专题民主生活会对照检查材料",
            sf.FIELD_UNIT: "某某镇", sf.FIELD_NAME: "王某某",
            sf.FIELD_POSITION: "副镇长", sf.FIELD_DATE: dt.date(2025, 1, 15), sf.FIELD_OPENING: opening}
    write_workbook(dest, info, sections, KINDS)


MEMBER = {
    "开头": "按照支部关于召开组织生活会的通知要求，我认真学习了党的创新理论，对照党章党规，"
            "广泛听取身边党员群众的意见，从四个方面进行了检视剖析，现将有关情况报告如下：",
    "存在的问题": [
        ("（一）", "在学习贯彻党的创新理论方面", "学习的主动性和系统性还不够。"),
        ("一是", "学习不够系统", "平时学习多以手机上的零散阅读为主，原原本本读原著、学原文的时间不多。"),
        ("一是", "学用结合不够紧密", "学习与本职工作结合不够，遇到具体问题时运用理论分析解决的能力还不强。"),
        ("（一）", "在提高党性修养方面", "对自己要求有所放松。"),
        ("一是", "组织观念有所淡化", "参加支部活动有时只满足于到场，主动发言、交流思想不多。"),
        ("一是", "批评和自我批评不够大胆", "开展批评时顾虑较多，对身边同志的问题提醒不够及时。"),
        ("（一）", "在联系服务群众方面", "主动上门了解群众需求还不够，帮助解决实际困难的办法不多。"),
        ("（一）", "在发挥先锋模范作用方面", "在村里环境整治、移风易俗等工作中带头作用发挥得还不够充分。"),
    ],
    "产生问题的原因": [
        ("（一）", "理想信念有所松懈", "对理论学习重要性的认识不足，没有把学习当作经常性任务。"),
        ("（一）", "宗旨意识有所淡化", "为群众服务的主动性不强，满足于完成分内的事。"),
    ],
    "努力方向和整改措施": [
        ("（一）", "加强理论学习", "每周安排固定时间学习，认真参加支部“三会一课”，做到学有所得。"),
        ("（一）", "严格组织生活", "按时参加支部活动，主动交流思想，认真开展批评和自我批评。"),
        ("（一）", "密切联系群众", "每月至少走访联系户一次，帮助解决一两件实事。"),
    ],
}


def member_example(dest: Path) -> None:
    titles = ("存在的问题", "产生问题的原因", "努力方向和整改措施")
    sections = [SectionRows(title, list(MEMBER[title])) for title in titles]
    info = {sf.FIELD_KIND: "组织生活会", sf.FIELD_TITLE: "", sf.FIELD_UNIT: "某某村党支部", sf.FIELD_NAME: "李四",
            sf.FIELD_POSITION: "党员", sf.FIELD_DATE: "2025年1月20日", sf.FIELD_OPENING: MEMBER["开头"]}
    write_workbook(dest, info, sections, KINDS)


if __name__ == "__main__":
    seed_example(ROOT / "sheets" / "示例-副镇长.xlsx")
    member_example(ROOT / "sheets" / "示例-党员.xlsx")
    print("已生成 sheets/示例-副镇长.xlsx 和 sheets/示例-党员.xlsx")
