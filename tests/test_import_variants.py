"""Structural variants real materials use, each through import → merge → text.

Each variant is a source as people type it and the paragraphs the merged document must have:
the same text, with ordinals in the official form (the tool numbers; everything else is kept).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_import import import_and_merge, paragraphs, texts

from gwmerge import api

TITLE = "副镇长2025年度民主生活会对照检查材料"
OPENING = "按照镇党委部署，我认真查摆问题，现对照检查如下："

# name: (source lines, expected merged paragraphs — None means the same as the source)
VARIANTS: dict[str, tuple[list[str], list[str] | None]] = {
    # 一是/二是 one per paragraph in a 民主生活会 material (no switch of kind, title kept).
    "points_own_paragraphs": ([
        TITLE, OPENING, "一、存在的主要问题", "（一）在理论学习方面。学习还不够深入。",
        "一是学习不系统。平时学习零敲碎打。", "二是学用结合不够。理论联系实际不紧。",
        "二、下步的改进措施", "（一）加强学习。制定学习计划。"], None),
    # A paragraph after an item, then the points inline in their own paragraph.
    "paragraph_after_item_then_points": ([
        TITLE, OPENING, "一、存在的主要问题", "（一）在理论学习方面。学习还不够深入。",
        "具体表现在以下几个方面。",
        "一是学习不系统。平时学习零敲碎打。二是学用结合不够。理论联系实际不紧。",
        "（二）在担当作为方面。担当还不够。"], None),
    # Two points in one paragraph, the third on its own; an intro clause and the first lead in
    # one paragraph with its text starting the next.
    "mixed_layouts": ([
        TITLE, OPENING, "一、存在的主要问题",
        "（一）在理论学习方面。主要有三点：一是学习不系统。零敲碎打。二是学用结合不够。联系实际不紧。",
        "三是学习氛围不浓。带动不够。",
        "（二）在担当作为方面。主要有以下问题，一是担当精神不足：",
        "遇到困难绕着走，遇到矛盾往上交。二是创新不够。思路不宽。"], None),
    # Leads and run-in headings keep their own punctuation: never ，。 or 。”。
    "lead_punctuation_kept": ([
        TITLE, OPENING, "一、存在的主要问题",
        "（一）关于“学用脱节”问题，还比较突出，具体如下：一是“学”的不够。”有时浮于表面。"
        "二是用的不够！存在本领恐慌。",
        "（二）对照“四个意识”，还有差距。一是大局意识，有时不够强；二是看齐意识，有时不够自觉。"], None),
    # A stand-alone heading keeps a final 。; a （1） item made of one sentence only.
    "standalone_heading_and_sentence_item": ([
        TITLE, OPENING, "一、存在的主要问题", "（一）理论学习不够深入。",
        "学习的系统性不强。", "1.学习计划", "（1）每周集中学习一次，每月撰写一篇心得体会，每季度开展一次研讨交流。",
        "（2）个人自学。", "2.学习效果。学得不深，用得不够。"], None),
    # ASCII brackets, spaces after ordinals, 1、: recognised, printed in the official form.
    "ascii_ordinals_with_spaces": ([
        TITLE, OPENING, "一、 存在的主要问题", "(一) 在理论学习方面。学习不够深入。",
        "1、 学习不系统。零敲碎打。", "( 2 ) 细节。具体内容。", "二 、下步的改进措施", "(二)加强学习。制定计划。"], [
        TITLE, OPENING, "一、存在的主要问题", "（一）在理论学习方面。学习不够深入。",
        "1.学习不系统。零敲碎打。", "（1）细节。具体内容。", "二、下步的改进措施", "（一）加强学习。制定计划。"]),
    # Several title lines, a 副标题, an organisation signing with a date (a 班子 material).
    "banzi_title_lines_subtitle_organisation": ([
        "中共某某镇委员会领导班子", "2025年度民主生活会对照检查材料", "——在镇党委领导班子民主生活会上的发言",
        "按照县委要求，镇党委领导班子认真开展对照检查，现报告如下：",
        "一、存在的主要问题", "（一）在政治建设方面。班子政治站位还不够高。",
        "一是贯彻落实上级部署有时打折扣。二是理论学习中心组学习不够深入。",
        "二、整改措施", "（一）加强政治建设。坚持第一议题制度。",
        "中共某某镇委员会领导班子", "2025年1月15日"], None),
    # Traditional characters: recognised, kept as typed.
    "traditional_characters": ([
        "副鎮長2025年度民主生活會對照檢查材料", "按照鎮黨委部署，現對照檢查如下：", "一、存在的主要問題",
        "（一）在理論學習方面。學習還不夠深入。一是學習不系統。平時學習零敲碎打。二是學用結合不夠。理論聯繫實際不緊。",
        "二、整改措施", "（一）加強學習。制定學習計劃。"], None),
    # Unnumbered paragraphs anywhere: two opening paragraphs, one between items, a closing one.
    "unnumbered_paragraphs_anywhere": ([
        TITLE, "按照镇党委部署，我认真查摆问题。", "现对照检查如下：", "一、存在的主要问题",
        "总的看，还存在一些不足。", "（一）在理论学习方面。学习还不够深入。", "这一点在下乡时尤为明显。",
        "（二）在担当方面。担当不够。", "二、下步的改进措施", "（一）加强学习。制定学习计划。",
        "以上对照检查，不妥之处，请同志们批评指正。"], None),
    # Words that contain 一是 but are not points (统一是, 一是一二是二) stay text.
    "false_points_stay_text": ([
        TITLE, OPENING, "一、存在的主要问题",
        "（一）在思想方面。认识统一是前提，行动一致是关键，一是一、二是二的作风还要加强。"], None),
    # A person's signature and date at the end, 第一部分 style sections.
    "person_signature_and_part_sections": ([
        TITLE, OPENING, "第一部分 存在的主要问题", "（一）在理论学习方面。学习还不够深入。",
        "第二部分 整改措施", "（一）加强学习。制定学习计划。", "张三", "2025年1月15日"], [
        TITLE, OPENING, "一、存在的主要问题", "（一）在理论学习方面。学习还不够深入。",
        "二、整改措施", "（一）加强学习。制定学习计划。", "张三", "2025年1月15日"]),
    # Headings a sheet name cannot hold: long, with / and a final ：, repeated, with a space.
    "headings_sheet_names_cannot_hold": ([
        TITLE, OPENING, "一、关于落实全面从严治党主体责任和加强党风廉政建设方面存在的主要问题",
        "（一）在压力传导方面。传导还不够到位。", "二、问题/原因分析：", "（一）思想上。认识不足。",
        "三、整改措施", "（一）加强学习。制定计划。", "四、整改措施", "（一）强化监督。定期检查。",
        "五、其他 事项", "有关情况另行报告。"], None),
    # No title at all: the text starts with the opening paragraph.
    "no_title": ([
        OPENING, "一、存在的主要问题", "（一）在理论学习方面。学习还不够深入。",
        "二、整改措施", "（一）加强学习。制定计划。"], None),
    # 一、 headings run on into their text: the heading on a line of its own (its stop as typed),
    # the text after it as typed; a heading with a colon and a short phrase stays whole.
    "run_in_level1_headings": ([
        TITLE, OPENING, "一、存在的主要问题。一是理论学习不够深入，学用结合不紧。二是工作作风不够扎实。",
        "二、问题产生的原因：主要是理想信念有所松懈，对自身要求有所放松。",
        "三、主题：坚定理想信念", "（一）加强学习。制定学习计划。"], [
        TITLE, OPENING, "一、存在的主要问题。", "一是理论学习不够深入，学用结合不紧。二是工作作风不够扎实。",
        "二、问题产生的原因：", "主要是理想信念有所松懈，对自身要求有所放松。",
        "三、主题：坚定理想信念", "（一）加强学习。制定学习计划。"]),
    # A name under the title and no signature at the end.
    "name_line_under_title": ([
        TITLE, "张三", OPENING, "一、存在的主要问题", "（一）在理论学习方面。学习还不够深入。"], None),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_imports_and_merges_back(name: str, tmp_path: Path) -> None:
    source_lines, expected = VARIANTS[name]
    source = tmp_path / f"{name}.txt"
    source.write_text("\n".join(source_lines) + "\n", encoding="utf-8")
    out, _ = import_and_merge(source, tmp_path)
    assert texts(out) == (expected or source_lines_merged(source_lines))
    # The merged document imports again to the very same paragraphs (text and kind).
    again, _ = import_and_merge(out, tmp_path / "again")
    assert paragraphs(again) == paragraphs(out)


def source_lines_merged(lines: list[str]) -> list[str]:
    """The title lines of a source come out as one title paragraph with line breaks."""
    if lines and lines[0].startswith("中共") and lines[1].startswith("2025"):
        return ["\n".join(lines[:2]), *lines[2:]]
    return lines


def test_points_own_paragraphs_is_said_once_for_the_workbook(tmp_path: Path) -> None:
    source = tmp_path / "分段.txt"
    source.write_text("\n".join(VARIANTS["points_own_paragraphs"][0]), encoding="utf-8")
    [imported] = api.import_documents([source], tmp_path / "books")
    assert imported.recognised is not None and imported.recognised.points_run_on is False
    assert imported.recognised.kind.id == "民主生活会"


def test_standalone_heading_is_a_heading_paragraph(tmp_path: Path) -> None:
    source = tmp_path / "标题.txt"
    source.write_text("\n".join(VARIANTS["standalone_heading_and_sentence_item"][0]), encoding="utf-8")
    out, _ = import_and_merge(source, tmp_path)
    kinds = dict(paragraphs(out))
    assert kinds["（一）理论学习不够深入。"] == "GwHeading2"
    assert kinds["1.学习计划"] == "GwHeading3"


def test_pdf_broken_text_is_joined_back(tmp_path: Path) -> None:
    from test_import import seed_lines

    lines = seed_lines()
    broken = []
    for line in lines:
        broken.extend(line[i:i + 28] for i in range(0, len(line), 28))
    source = tmp_path / "pdf.txt"
    source.write_text("\n".join(broken), encoding="utf-8")
    out, imported = import_and_merge(source, tmp_path)
    assert texts(out) == lines
    assert any("PDF" in f.message for f in imported.findings)


def test_pdf_copy_with_page_numbers_and_page_break(tmp_path: Path) -> None:
    from test_import import seed_lines

    lines = seed_lines()
    broken: list[str] = []
    for line in lines:
        broken.extend(line[i:i + 28] for i in range(0, len(line), 28))
    # A page break in the middle of a sentence: blank line, page number, blank line.
    broken[40:40] = ["", "— 2 —", ""]
    source = tmp_path / "pdf.txt"
    source.write_text("\n".join(broken), encoding="utf-8")
    out, _ = import_and_merge(source, tmp_path)
    assert texts(out) == lines


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_txt_encodings(encoding: str, tmp_path: Path) -> None:
    from test_import import seed_lines

    source = tmp_path / "seed.txt"
    source.write_bytes("\r\n".join(seed_lines()).encode(encoding))
    out, _ = import_and_merge(source, tmp_path)
    assert texts(out) == seed_lines()


def test_pdf_copy_with_indented_first_lines(tmp_path: Path) -> None:
    """Official pages indent each paragraph two characters: its first line holds two fewer."""
    from test_import import seed_lines

    lines = seed_lines()
    broken: list[str] = []
    for line in lines[1:]:
        first, rest = line[:26], line[26:]
        broken.append("\u3000\u3000" + first)
        broken.extend(rest[i:i + 28] for i in range(0, len(rest), 28))
    source = tmp_path / "pdf.txt"
    source.write_text("\n".join(["\u3000" * 4 + lines[0], *broken]), encoding="utf-8")
    out, _ = import_and_merge(source, tmp_path)
    assert texts(out) == lines


@pytest.mark.parametrize(("name", "kind"), [("banzi_title_lines_subtitle_organisation", "班子民主生活会"),
                                            ("traditional_characters", "民主生活会"),
                                            ("points_own_paragraphs", "民主生活会"),
                                            ("headings_sheet_names_cannot_hold", "民主生活会"),
                                            ("no_title", "通用")])
def test_kind_is_guessed_from_the_title(name: str, kind: str, tmp_path: Path) -> None:
    source = tmp_path / f"{name}.txt"
    source.write_text("\n".join(VARIANTS[name][0]), encoding="utf-8")
    [imported] = api.import_documents([source], tmp_path / "books")
    assert imported.recognised is not None and imported.recognised.kind.id == kind
    assert api.import_documents([source], tmp_path / "forced", "组织生活会")[0].recognised.kind.id == "组织生活会"


def test_utf8_with_a_damaged_byte_stays_utf8(tmp_path: Path) -> None:
    from test_import import seed_lines

    data = "\n".join(seed_lines()).encode("utf-8")
    cut = data.index("厉害关系".encode())
    source = tmp_path / "坏字节.txt"
    source.write_bytes(data[:cut] + b"\xff" + data[cut:])
    [imported] = api.import_documents([source], tmp_path / "books")
    assert imported.ok
    assert any("损坏" in f.message for f in imported.findings)
    assert imported.recognised is not None and imported.recognised.sections[1][0] == "产生问题的主要原因"


def test_out_of_order_numbers_are_renumbered_and_said(tmp_path: Path) -> None:
    source = tmp_path / "序号.txt"
    source.write_text("\n".join([TITLE, OPENING, "一、存在的问题", "（一）思想认识方面：对学习重视不够。",
                                 "（三）作风方面。不够扎实。", "三、整改措施", "（一）加强学习。每天学习。"]),
                      encoding="utf-8")
    out, imported = import_and_merge(source, tmp_path)
    assert texts(out) == [TITLE, OPENING, "一、存在的问题", "（一）思想认识方面：对学习重视不够。",
                          "（二）作风方面。不够扎实。", "二、整改措施", "（一）加强学习。每天学习。"]
    said = [str(f) for f in imported.findings]
    assert any("第 5 行" in m and "“（三）”不连续" in m for m in said), said
    assert any("第 6 行" in m and "“三、”不连续" in m for m in said), said
