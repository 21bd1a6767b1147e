"""Check rules, one by one: each flags what it should (naming file, sheet and cell) and not more."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import SHEETS, make_workbook, seed_paragraphs
from hypothesis import given, settings
from hypothesis import strategies as st

from gwmerge import api, checks
from gwmerge.checks import placeholders, punctuation, typos
from gwmerge.core.errors import Finding, GwError
from gwmerge.document import sheetformat as sf
from gwmerge.write.xlsx import SectionRows

OTHER = [SectionRows("产生问题的主要原因", [("（一）", "思想上有差距", "理论学习不够深入。")]),
         SectionRows("下步的改进措施", [("（一）", "加强学习", "每周固定时间学习原著。")])]


def book(tmp_path: Path, rows: list[tuple[str, str, str]], name: str = "张三.xlsx", **info: str) -> Path:
    """A complete workbook of the default kind; ``rows`` go into its first section (row 4 on)."""
    return make_workbook(tmp_path / name, [SectionRows("存在的主要问题", rows), *OTHER], **{sf.FIELD_YEAR: "2024", **info})


def found(path: Path, rule: str, **kwargs: object) -> list[str]:
    [outcome] = api.check([path], **kwargs)
    assert outcome.error is None and outcome.crash is None, outcome.error or outcome.crash
    return [str(f) for f in outcome.findings if f.rule == rule]


def body(tmp_path: Path, text: str) -> list[str]:
    """Findings of every rule for one body cell (C4), as printed."""
    path = book(tmp_path, [("（一）", "在学习方面", text)])
    [outcome] = api.check([path])
    return [f"{f.rule}|{f}" for f in outcome.findings]


def rules_at(tmp_path: Path, text: str) -> set[str]:
    return {line.split("|")[0] for line in body(tmp_path, text) if "› C4" in line}


CLEAN = "学习不够深入，联系实际不够紧密。"


def keep(rule: str) -> str:
    """The way out every 提醒 names, before its final 。."""
    return f"（如确需保留，可在“基本信息”的“不做的检查”中填写 {rule}）。"


def test_a_clean_workbook_has_no_findings(tmp_path: Path) -> None:
    [outcome] = api.check([book(tmp_path, [("（一）", "在学习方面", CLEAN)])])
    assert outcome.findings == []


def test_every_rule_has_a_chinese_id_and_description() -> None:
    ids = [r.id for r in checks.rules()]
    assert len(ids) == len(set(ids)) >= 20
    for r in checks.rules():
        assert r.description and any("\u4e00" <= ch <= "\u9fff" for ch in r.id)


def test_off_switches_a_rule_off_and_unknown_or_required_ones_are_refused(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "在学习方面", "学习不够深入,联系实际不够。")])
    assert found(path, "半角标点")
    assert found(path, "半角标点", rules_off=("半角标点",)) == []
    with pytest.raises(GwError, match="没有名为“半脚标点”的检查规则"):
        api.check([path], rules_off=("半脚标点",))
    with pytest.raises(GwError, match="“标题”是生成文档必需的检查，不能关闭"):
        api.check([path], rules_off=("标题",))


def test_kind_checks_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "templates" / "宽松"
    folder.mkdir(parents=True)
    folder.joinpath("kind.toml").write_text(
        'name = "宽松"\ntitle_pattern = "材料"\nchecks_off = ["段末标点", "部分"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    path = book(tmp_path, [("（一）", "在学习方面", "学习不够深入")], **{sf.FIELD_KIND: "宽松"})
    [outcome] = api.check([path])
    assert not [f for f in outcome.findings if f.rule in ("段末标点", "部分")]
    folder.joinpath("kind.toml").write_text('name = "宽松"\nchecks_off = ["没有这条"]\n', encoding="utf-8")
    [outcome] = api.check([path])
    assert "kind.toml：没有名为“没有这条”的检查规则" in str(outcome.error)


# ----------------------------------------------------------------------------- placeholders


@pytest.mark.parametrize("text", ["XX镇党委", "ZZ同志", "X人参加", "xxx工作", "共有x人", "20**年",
                                  "*年度工作", "**村", "××同志", "20××年", "在XX月XX日"])
def test_placeholders_are_flagged(tmp_path: Path, text: str) -> None:
    messages = body(tmp_path, f"经查，{text}存在问题。")
    hits = [m for m in messages if m.startswith("占位符|")]
    assert hits and "张三.xlsx › 存在的主要问题 › C4：有占位符" in hits[0], messages


@pytest.mark.parametrize("text", ["推进5G建设", "开展X光检查", "GDP增长", "使用app办理", "3×4的方阵",
                                  "Z世代青年", "用Excel统计", "学习，工作"])
def test_not_placeholders(tmp_path: Path, text: str) -> None:
    assert not {"占位符", "拼音缩写"} & rules_at(tmp_path, f"经查，{text}有进展。")


def test_pinyin_known_and_unknown(tmp_path: Path) -> None:
    messages = body(tmp_path, "召开专题mzshh，学习dangshi和abcd知识。")
    hits = [m.split("|")[1] for m in messages if m.startswith("拼音缩写|")]
    assert hits == ["张三.xlsx › 存在的主要问题 › C4：有拼音缩写“mzshh”、“dangshi”，应改为汉字（如“民主生活会”）。",
                    "张三.xlsx › 存在的主要问题 › C4：有像是拼音缩写的占位“abcd”，请改为汉字。"] or len(hits) == 3


def test_someone_left_in_title(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "在学习方面", CLEAN)], **{sf.FIELD_TITLE: "某某同志对照检查材料"})
    assert found(path, "标题某某") == ["张三.xlsx › 基本信息 › B4：标题“某某同志对照检查材料”中有“某某”，请换成实际的单位或姓名"
                                       + keep("标题某某")]
    path = book(tmp_path, [("（一）", "在学习方面", CLEAN)], name="李四.xlsx", **{sf.FIELD_TITLE: "张三同志对照检查材料"})
    assert found(path, "标题某某") == []


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", ["a" * 32767, "ab " * 10922, "学" + "x" * 32766, "a学" * 16000],
                         ids=["latin", "words", "placeholder-run", "alternating"])
def test_placeholder_scan_is_linear(text: str) -> None:
    piece = checks.base.Piece(text, api.Location(None, "表", "C4"), "body")
    list(placeholders._latin_words(piece))
    list(placeholders._symbols(piece))
    placeholders.fix_pinyin(text)


@pytest.mark.timeout(120)
def test_every_text_rule_survives_a_12_mb_cell() -> None:
    big = ("学习不够深入,联系 实际abc不够。。“（" * 400_000)[:12_000_000]
    punctuation.halfwidth_spans(big)
    punctuation.space_spans(big)
    punctuation.doubled_spans(big)
    list(punctuation.pair_problems(big))
    typos.typo_spans(big)
    checks.fix_text(big)
    latin = "a" * 12_000_000
    list(placeholders._latin_words(checks.base.Piece(latin, api.Location(), "body")))
    punctuation.halfwidth_spans(latin)


# ----------------------------------------------------------------------------- punctuation


@pytest.mark.parametrize("wrong", ["学习,工作。", "问题;原因。", "如下:一是。", "好!很好。", "为何?原因。",
                                   "会议(扩大)召开。", '提出"两个确立"要求。', "学习.工作。"])
def test_halfwidth_punctuation(tmp_path: Path, wrong: str) -> None:
    messages = [m.split("|")[1] for m in body(tmp_path, wrong) if m.startswith("半角标点|")]
    assert messages and messages[0].startswith("张三.xlsx › 存在的主要问题 › C4：中文里用了半角标点"), messages


@pytest.mark.parametrize("right", ["增长3.5%，达到1,000元。", "8:30开会。", "学习“两个确立”。", "完成（一）项。",
                                   "使用Word, Excel等软件。"])
def test_halfwidth_not_flagged(tmp_path: Path, right: str) -> None:
    assert "半角标点" not in rules_at(tmp_path, right)


def test_halfwidth_fix() -> None:
    fixed, changes = punctuation.fix_halfwidth('学习,工作(包括"两个确立")!')
    assert fixed == "学习，工作（包括“两个确立”）！"
    assert changes


@pytest.mark.parametrize(("text", "rule"), [("学习。。", "重复标点"), ("学习，，工作。", "重复标点"),
                                             ("学习，。", "重复标点"), ("学习不够深入", "段末标点"),
                                             ("学 习不够深入。", "汉字间空格"), ("学习　不够。", "汉字间空格")])
def test_punctuation_rules(tmp_path: Path, text: str, rule: str) -> None:
    lines = [m.split("|")[1] for m in body(tmp_path, text) if m.startswith(rule + "|")]
    assert lines and lines[0].startswith("张三.xlsx › 存在的主要问题 › C4："), body(tmp_path, text)


@pytest.mark.parametrize("text", ["学习……工作。", "他说：“好。”", "有三个方面：", "2025年 1月完成。",
                                  "学习——工作。", "这样做对吗？"])
def test_punctuation_rules_leave_correct_text(tmp_path: Path, text: str) -> None:
    assert not {"重复标点", "段末标点", "汉字间空格", "引号括号", "半角标点"} & rules_at(tmp_path, text)


@pytest.mark.parametrize("text", ["学习“两个确立的意义。", "学习两个确立”的意义。", "对照“带头感悟“两个确立”的意义”。",
                                  "学习（包括“文件）”。", "学习《党章的意义。"])
def test_unbalanced_or_nested_pairs(tmp_path: Path, text: str) -> None:
    assert "引号括号" in rules_at(tmp_path, text)


def test_spaces_fix() -> None:
    assert punctuation.fix_spaces("学 习  工作， 好")[0] == "学习工作，好"
    assert punctuation.fix_spaces("2025年 1月")[0] == "2025年 1月"


def test_doubled_fix() -> None:
    assert punctuation.fix_doubled("学习。。工作，，好")[0] == "学习。工作，好"
    assert punctuation.fix_doubled("学习……")[0] == "学习……"


# ----------------------------------------------------------------------------- typos, characters


def test_typo_list_is_curated() -> None:
    assert len(typos.TYPOS) >= 50
    for wrong, right in typos.TYPOS.items():
        assert wrong != right
        assert typos.typo_spans(wrong) == [(0, len(wrong), right)], wrong
        assert typos.typo_spans(right) == [], f"the right form {right} is flagged"
        assert typos.fix_typos(f"我们{wrong}的")[0] == f"我们{right}的"


def test_seed_typos_are_found(tmp_path: Path) -> None:
    text = "考虑个人事情、厉害关系多了。年龄相对编大，不断强化红线意线。"
    lines = [m.split("|")[1] for m in body(tmp_path, text) if m.startswith("错别字|")]
    assert len(lines) == 3
    assert lines[0] == ("张三.xlsx › 存在的主要问题 › C4：错别字：“…人事情、厉害关系多了。年…”中的“厉害关系”应为“利害关系”"
                        "（如确需保留，可在“基本信息”的“不做的检查”中填写 错别字）。")


def _example_texts() -> list[str]:
    texts = list(seed_paragraphs())
    for path in SHEETS.glob("*.xlsx"):
        doc, _, _ = api.read(path)
        texts.extend(p.text for p in checks.base.pieces(doc))
    return texts


def test_no_false_positives_on_the_seed_and_the_examples() -> None:
    for text in _example_texts():
        assert typos.typo_spans(text) == [], text
        assert typos._traditional_chars().isdisjoint(text), text
        assert punctuation.halfwidth_spans(text) == [], text
        assert punctuation.space_spans(text) == [], text
        assert punctuation.doubled_spans(text) == [], text
        assert checks.fix_text(text)[0] == text


def test_traditional_characters(tmp_path: Path) -> None:
    lines = [m.split("|")[1] for m in body(tmp_path, "堅持學習，不斷進步。") if m.startswith("繁体字|")]
    assert lines and "简体文稿中有繁体字“堅→坚”" in lines[0]
    assert "繁体字" not in rules_at(tmp_path, "乾坤朗朗，著作等身，于是发展。")


def test_repeated_paragraph(tmp_path: Path) -> None:
    text = "虽能紧跟形势任务不断强化学习，但浅尝辄止多、现用现学多。"
    path = book(tmp_path, [("（一）", "在学习方面", text), ("（一）", "在作风方面", text.replace("，", ","))])
    assert found(path, "段落重复") == [
        "张三.xlsx › 存在的主要问题 › C5：这一段与存在的主要问题 › C4 的一段相同，请删去重复的一段或改写" + keep("段落重复")]


# ----------------------------------------------------------------------------- structure


def _edit(path: Path, sheet: str, action) -> Path:
    wb = openpyxl.load_workbook(path)
    action(wb[sheet] if sheet else wb)
    wb.save(path)
    return path


def test_hidden_sheet_row_and_column_with_text(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "在学习方面", CLEAN), ("（一）", "在作风方面", CLEAN + "另有")])

    def hide(wb: openpyxl.Workbook) -> None:
        wb["下步的改进措施"].sheet_state = "hidden"
        ws = wb["存在的主要问题"]
        ws.row_dimensions[5].hidden = True
        ws["F4"] = "藏起来的话"
        ws.column_dimensions["F"].hidden = True

    _edit(path, "", hide)
    lines = found(path, "隐藏内容")
    assert any(line.startswith("张三.xlsx › 下步的改进措施：这个工作表被隐藏了，其中的内容不会输出") for line in lines)
    assert any(line.startswith("张三.xlsx › 存在的主要问题 › A5：第 5 行被隐藏") for line in lines)
    assert any(line.startswith("张三.xlsx › 存在的主要问题 › F4：这一列被隐藏了") for line in lines)


def test_default_sheet_name_is_an_error(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "张三.xlsx", [SectionRows("Sheet1", [("（一）", "在学习方面", CLEAN)])])
    [outcome] = api.check([path])
    errors = [str(f) for f in outcome.findings if f.is_error]
    assert errors == ["张三.xlsx › Sheet1：工作表名称“Sheet1”会作为标题“一、Sheet1”输出；"
                      "请把工作表改名为这一部分的标题（如“存在的主要问题”）。"]
    path = make_workbook(tmp_path / "李四.xlsx", [SectionRows("工作表1", [("（一）", "在学习方面", CLEAN)])])
    assert found(path, "默认表名")


def test_sections_missing_extra_renamed_and_out_of_order(tmp_path: Path) -> None:
    rows = [("（一）", "在学习方面", CLEAN)]
    path = make_workbook(tmp_path / "张三.xlsx", [SectionRows("下步的改进措施", rows), SectionRows("存在的问题", rows),
                                                SectionRows("心得体会", rows)])
    order = "依次为 “存在的主要问题”、“产生问题的主要原因”、“下步的改进措施”"
    assert found(path, "部分") == [  # one 提醒 for the workbook, never asking to rename the author's heading
        f"张三.xlsx：各部分与文种“民主生活会对照检查材料”规定的（{order}）不同：没有“存在的主要问题”、“产生问题的主要原因”；"
        "另有“存在的问题”、“心得体会”。按材料本来的写法输出；如要按文种写，请添加或调整工作表（工作表的先后决定“一、二、三”"
        "；如确需保留，可在“基本信息”的“不做的检查”中填写 部分）。"]
    path = make_workbook(tmp_path / "李四.xlsx", [*OTHER, SectionRows("存在的主要问题", rows)])
    assert found(path, "部分") == [f"李四.xlsx：各部分与文种“民主生活会对照检查材料”规定的（{order}）不同：先后不同。"
                                   "按材料本来的写法输出；如要按文种写，请添加或调整工作表（工作表的先后决定“一、二、三”"
                                   "；如确需保留，可在“基本信息”的“不做的检查”中填写 部分）。"]


def test_a_fresh_workbook_does_not_pass(tmp_path: Path) -> None:
    [path] = api.new(tmp_path / "新.xlsx", name="张三", position="副镇长")
    [outcome] = api.check([path])
    assert [str(f) for f in outcome.findings] == [
        "新.xlsx › 基本信息 › B4：“标题”和“年度”都留空，文档将印出标题“副镇长民主生活会对照检查材料”，不写年度和主题；"
        "请填写“年度”，或直接填写完整标题（如确需保留，可在“基本信息”的“不做的检查”中填写 标题留空）。",
        "新.xlsx › 存在的主要问题：所有正文工作表都是空的，请先填写内容。"]
    [path] = api.new(tmp_path / "预填.xlsx", name="张三", position="副镇长", theme="2021")
    [outcome] = api.check([path])
    errors = [str(f) for f in outcome.findings if f.is_error]
    assert errors == ["预填.xlsx › 存在的主要问题：工作簿还没有填写正文（只有预填的条目标题），请先在“正文”列填写内容。"]
    assert any("还是预填的方面" in f.message and f.location.cell == "B4" for f in outcome.findings)


def test_empty_items(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "", ""), ("（一）", "只有标题", ""), ("（一）", "在学习方面", CLEAN)])
    assert found(path, "层级")[0].startswith("张三.xlsx › 存在的主要问题 › B4：“（一）”条目是空的")
    lines = found(path, "空条目")
    assert lines[0].startswith("张三.xlsx › 存在的主要问题 › B5：条目“只有标题”只有小标题，下面没有内容")
    path = book(tmp_path, [("（一）", "在学习方面", "有差距："), ("一是", "", ""), ("一是", "乙", CLEAN)], name="赵六.xlsx")
    assert found(path, "空条目")[0].startswith("赵六.xlsx › 存在的主要问题 › A5：这一行选了层级“一是”，但没有填写文字")
    path = book(tmp_path, [("（一）", "有要点", ""), ("一是", "甲", CLEAN), ("一是", "乙", CLEAN)], name="李四.xlsx")
    assert found(path, "空条目") == []


def test_a_skipped_level_is_a_reminder_that_allows_it(tmp_path: Path) -> None:
    """一、 then 1. (as in 意见清单) is allowed; a wrong pick from the drop-down is what it catches."""
    path = book(tmp_path, [("1.", "学习不够", CLEAN), ("（一）", "在学习方面", CLEAN), ("1.", "学习不够", CLEAN)])
    assert found(path, "层级") == ["张三.xlsx › 存在的主要问题 › A4：这一行选了“1.”，但它的上一级“（一）”在后面的 A5 才出现；"
                                   "请检查这一行的层级" + keep("层级")]
    path = book(tmp_path, [("1.", "学习不够", CLEAN), ("1.", "联系不够", CLEAN)], name="李四.xlsx")
    assert found(path, "层级") == []  # 一、 then 1.: a skip real materials make


def test_signature_needs_name_and_date(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "在学习方面", CLEAN)], **{sf.FIELD_SIGNATURE: "是", sf.FIELD_DATE: "",
                                                          sf.FIELD_NAME: ""})
    lines = found(path, "落款")
    assert lines[0].startswith("张三.xlsx › 基本信息 › B6：要落款就要填写“姓名”")
    assert lines[1].startswith("张三.xlsx › 基本信息 › B8：要落款但“日期”为空")


def test_lone_point(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "在学习方面", "有差距："), ("一是", "学得不深", CLEAN)])
    assert found(path, "孤立一是")[0].startswith("张三.xlsx › 存在的主要问题 › A5：这一条下只有一个“一是”")
    path = book(tmp_path, [("（一）", "在学习方面", "存在差距：一是学得不深。联系实际不够。")], name="李四.xlsx")
    assert found(path, "孤立一是")[0].startswith("李四.xlsx › 存在的主要问题 › C4：文中有“一是”")
    path = book(tmp_path, [("（一）", "在学习方面", "存在差距：一是学得不深。二是用得不够。思想统一是前提。")],
                name="王五.xlsx")
    assert found(path, "孤立一是") == []


def test_merged_cells_in_the_content_area(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "在学习方面", CLEAN)])
    _edit(path, "存在的主要问题", lambda ws: ws.merge_cells("B4:C4"))
    assert found(path, "合并单元格") == ["张三.xlsx › 存在的主要问题 › B4：B4:C4 是合并单元格：合并后只有左上角一格有内容，"
                                         "其余各列读出来是空的；请取消合并，每行的层级、标题、正文各填一格" + keep("合并单元格")]


def test_content_in_the_note_column(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "在学习方面", CLEAN), ("（一）", "在作风方面", "")])

    def note(ws) -> None:
        ws["E4"] = "待核实"
        ws["E5"] = "深入基层调研不够，了解群众诉求不全面，解决实际问题的办法不多。"

    _edit(path, "存在的主要问题", note)
    assert found(path, "备注像正文") == ["张三.xlsx › 存在的主要问题 › E5：“备注”列的文字不会输出，这段像是正文；"
                                         "如需输出请移到“正文”列" + keep("备注像正文")]


# ----------------------------------------------------------------------------- 雷同


SHARED = ["虽能紧跟形势任务、紧跟党委计划进度不断强化学习，但完成任务多、浅尝辄止多、现用现学多。",
          "有时存在学用脱节现象，没有真正使党的创新理论进入思想、进入工作，内化为站位全局的政治视野。",
          "随着年龄的增长，考虑个人事情多了，认真负责、勇于担当的工作劲头有所衰退，存在多一事不如少一事的心理。"]


def test_similar_paragraphs_across_a_batch(tmp_path: Path) -> None:
    edited = [SHARED[0].replace("不断", "持续"), SHARED[1].replace("有时", "平时"), SHARED[2] + "必须警醒。"]
    a = book(tmp_path, [("（一）", "在学习方面", t) for t in SHARED], name="张三.xlsx")
    b = book(tmp_path, [("（一）", "在作风方面", "自己的话，与别人完全不同的一段内容。"),
                        *[("（一）", "在学习方面", t) for t in edited]], name="李四.xlsx")
    c = book(tmp_path, [("（一）", "在学习方面", CLEAN)], name="王五.xlsx")
    outcomes = api.check([a, b, c])
    pairs = [str(f) for o in outcomes for f in o.findings if f.rule == "雷同"]
    assert len(pairs) == 3
    assert pairs[0].startswith("张三.xlsx › 存在的主要问题 › C4：与 李四.xlsx › 存在的主要问题 › C5 的段落雷同（相同文字约")
    assert all("李四.xlsx" in p for p in pairs)
    assert api.check([a, b, c], rules_off=("雷同",))[0].findings == []


def test_similar_paragraphs_reported_by_merge(tmp_path: Path) -> None:
    a = book(tmp_path, [("（一）", "在学习方面", t) for t in SHARED], name="张三.xlsx")
    b = book(tmp_path, [("（一）", "在学习方面", t) for t in SHARED], name="李四.xlsx")
    outcomes = api.merge([a, b], tmp_path / "out", jobs=2)  # paragraphs come back from worker processes
    assert all(o.ok for o in outcomes)
    pairs = [f for o in outcomes for f in o.warnings if f.rule == "雷同"]
    assert len(pairs) == 3 and "（完全相同）" in pairs[0].message
    assert [str(f.location) for f in pairs] == [f"张三.xlsx › 存在的主要问题 › C{row}" for row in (4, 5, 6)]
    assert "与 李四.xlsx › 存在的主要问题 › C4 的段落雷同" in pairs[0].message


def test_a_workbook_copied_from_another_is_one_finding(tmp_path: Path) -> None:
    paragraphs = [*SHARED,
                  "对群众反映强烈的问题调查研究不够深入，解决问题的办法不多，有时存在等靠思想。",
                  "落实中央八项规定精神还有差距，在公务接待方面要求不够严格，存在碍于情面的情况。",
                  "开展批评和自我批评时顾虑较多，对同事提意见多谈工作少谈思想，辣味不足。",
                  "抓基层党建工作的办法不多，对软弱涣散村党组织的整顿督促不够有力。",
                  "安全生产检查存在走过场现象，对发现隐患的整改跟踪不够及时，闭环管理不到位。"]
    a = book(tmp_path, [("（一）", "在学习方面", t) for t in paragraphs], name="张三.xlsx")
    b = book(tmp_path, [("（一）", "在学习方面", t) for t in paragraphs[:-1]] + [("（一）", "在学习方面", CLEAN)],
             name="李四.xlsx")
    outcomes = api.check([a, b])
    [finding] = [str(f) for o in outcomes for f in o.findings if f.rule == "雷同"]
    assert finding == ("张三.xlsx：与 李四.xlsx 有 7 段相同或几乎相同（其中 7 段完全相同，如 存在的主要问题 › C4、"
                       "存在的主要问题 › C5、存在的主要问题 › C6 等），两份材料大段雷同；请各自结合本人实际改写。")


@pytest.mark.timeout(60)
def test_a_paragraph_pasted_thousands_of_times_does_not_stall_the_batch_check(tmp_path: Path) -> None:
    a = book(tmp_path, [("段落", "", SHARED[0])] * 3000, name="张三.xlsx")
    b = book(tmp_path, [("（一）", "在学习方面", SHARED[0])], name="李四.xlsx")
    outcomes = api.check([a, b])
    similar = [str(f) for o in outcomes for f in o.findings if f.rule == "雷同"]
    assert similar == ["张三.xlsx › 存在的主要问题 › C4：与 李四.xlsx › 存在的主要问题 › C4 的段落雷同（完全相同）："
                       f"“{SHARED[0][:16]}…”；请各自结合本人实际改写。"]


# ----------------------------------------------------------------------------- --fix


def test_fix_writes_a_corrected_copy(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "在学习方面", "召开mzshh,考虑厉害关系 多了。。"), ("一是", "学 习不够", CLEAN),
                           ("一是", "其他", "文字")])

    def text_not_formula(ws) -> None:
        ws["C6"].value = "=不是公式,是文字"
        ws["C6"].data_type = "s"

    _edit(path, "存在的主要问题", text_not_formula)
    before = path.read_bytes()
    fixed = api.fix(path, tmp_path / "改正.xlsx")
    assert path.read_bytes() == before
    wb = openpyxl.load_workbook(tmp_path / "改正.xlsx")
    ws = wb["存在的主要问题"]
    assert ws["C4"].value == "召开民主生活会，考虑利害关系多了。"
    assert ws["B5"].value == "学习不够"
    assert ws["C6"].data_type == "s" and "不是公式，是文字" in ws["C6"].value
    assert ws["C7"].value is None and ws["A4"].value == "（一）"
    assert wb.sheetnames == openpyxl.load_workbook(path).sheetnames
    changed = {str(loc): changes for loc, changes in fixed.changes}
    assert "张三.xlsx › 存在的主要问题 › C4" in changed
    assert "“mzshh”→“民主生活会”" in changed["张三.xlsx › 存在的主要问题 › C4"]
    assert "“厉害关系”→“利害关系”" in changed["张三.xlsx › 存在的主要问题 › C4"]
    [outcome] = api.check([tmp_path / "改正.xlsx"])
    assert not [f for f in outcome.findings if f.rule in ("半角标点", "错别字", "拼音缩写", "汉字间空格", "重复标点")]


def test_fix_never_writes_the_input(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "在学习方面", CLEAN)])
    with pytest.raises(GwError, match="不能把改正写回原工作簿"):
        api.fix(path, path)
    with pytest.raises(GwError, match="不能把改正写回原工作簿"):
        api.fix(path, tmp_path / "." / "张三.xlsx")
    (tmp_path / "已有.xlsx").write_bytes(b"x")
    with pytest.raises(GwError, match="已存在"):
        api.fix(path, tmp_path / "已有.xlsx")


def test_findings_carry_their_rule(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "在学习方面", "学习,工作。")])
    [outcome] = api.check([path])
    assert all(isinstance(f, Finding) and f.rule for f in outcome.findings)


# ----------------------------------------------------------------------------- the command, as a user runs it


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gwmerge", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_cli_rules_off_and_fix(tmp_path: Path) -> None:
    listed = _cli("check", "--rules")
    assert listed.returncode == 0
    assert "半角标点：中文里用了半角的" in listed.stdout and "雷同：" in listed.stdout
    path = book(tmp_path, [("（一）", "在学习方面", "考虑厉害关系,多了。")])
    result = _cli("check", str(path))
    assert result.returncode == 1
    assert "提醒 张三.xlsx › 存在的主要问题 › C4：错别字：" in result.stdout
    assert "〔半角标点〕" in result.stdout and "共 0 处错误、2 处提醒。" in result.stdout
    # The library's message is neutral; the command line says how the terminal fixes it.
    assert "填写 错别字）。（gwmerge check --fix 可自动改正）〔错别字〕" in result.stdout
    assert _cli("check", str(path), "--off", "半角标点", "--off", "错别字").stdout.strip().startswith("✓ 张三.xlsx")
    refused = _cli("check", str(path), "--fix", "-o", str(path))
    assert refused.returncode == 1 and "不能把改正写回原工作簿" in refused.stderr
    fixed = _cli("check", str(path), "--fix", "-o", str(tmp_path / "改正.xlsx"))
    assert "已改 张三.xlsx › 存在的主要问题 › C4：“…害关系,多了。”中“,”→“，”；“厉害关系”→“利害关系”" in fixed.stdout
    assert "✓ 张三.xlsx → " in fixed.stdout and "原工作簿未改动" in fixed.stdout
    assert "✓ 改正.xlsx：没有发现问题" in fixed.stdout and fixed.returncode == 0
    bad = _cli("check", str(path), "--off", "没有的规则")
    assert bad.returncode == 1 and "没有名为“没有的规则”的检查规则" in bad.stderr


def test_fix_into_a_folder_gives_copies_names_windows_accepts(tmp_path: Path) -> None:
    path = book(tmp_path, [("（一）", "在学习方面", "考虑厉害关系,多了。")], name="a:b?.xlsx")
    fixed = _cli("check", str(path), "--fix", "-o", str(tmp_path / "改正"))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert [p.name for p in (tmp_path / "改正").iterdir()] == ["ab.xlsx"]


def test_stand_alone_heading_end_punctuation(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "张三.xlsx", [SectionRows("存在的主要问题。", [
        ("（一）", "在学习方面。", ""), ("一是", "学得不深", CLEAN), ("一是", "用得不够", CLEAN),
        ("（一）", "在作风方面。", ""), ("段落", "", CLEAN),
        ("（一）", "在纪律方面", CLEAN)]), *OTHER])
    assert found(path, "标题末尾标点") == [
        "张三.xlsx › 存在的主要问题。：部分标题单独成行，末尾不加标点，请删去“存在的主要问题。”末尾的“。”"
        "（改工作表名称或“部分标题”行；如确需保留，可在“基本信息”的“不做的检查”中填写 标题末尾标点）。",
        "张三.xlsx › 存在的主要问题。 › B7：小标题单独成行，末尾不加标点，请删去“在作风方面。”末尾的“。”" + keep("标题末尾标点")]


# ----------------------------------------------------------------------------- properties

_MIXED = list('学习工作,.;:!?()"\' 。，；：！？（）“”‘’《》【】abcxXZz*×某一是二 　\n厉害关系编大年龄相对红线意线mzshhdangshi12')


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_MIXED), max_size=40))
def test_fixing_twice_changes_nothing_more(text: str) -> None:
    once, _ = checks.fix_text(text)
    assert checks.fix_text(once) == (once, [])


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=200))
def test_text_scanners_take_any_text(text: str) -> None:
    piece = checks.base.Piece(text, api.Location(None, "表", "C4"), "body")
    list(placeholders._latin_words(piece))
    list(placeholders._symbols(piece))
    punctuation.halfwidth_spans(text)
    list(punctuation.pair_problems(text))
    fixed, _ = checks.fix_text(text)
    assert isinstance(fixed, str)


def test_a_hidden_blank_section_sheet_is_not_reported(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "张三.xlsx", [SectionRows("存在的主要问题", [("（一）", "在学习方面", CLEAN)]),
                                                *OTHER, SectionRows("备用", [])])
    _edit(path, "备用", lambda ws: setattr(ws, "sheet_state", "hidden"))
    assert found(path, "隐藏内容") == []


@pytest.mark.timeout(120)
@pytest.mark.parametrize("text", ["a" * 32767, "学" + "ab" * 16383, "学 " * 16383, "“（" * 16383],
                         ids=["latin", "pinyin-like", "spaced", "open-pairs"])
def test_check_of_a_full_cell_ends(tmp_path: Path, text: str) -> None:
    """A cell at Excel's 32,767-character limit goes through every rule of check (no time assert)."""
    [outcome] = api.check([book(tmp_path, [("（一）", "在学习方面", text)])])
    assert outcome.ok


def test_merge_off_through_the_command(tmp_path: Path) -> None:
    a = book(tmp_path, [("（一）", "在学习方面", t) for t in SHARED], name="张三.xlsx")
    book(tmp_path, [("（一）", "在学习方面", t) for t in SHARED], name="李四.xlsx")
    out = tmp_path / "out"
    result = _cli("merge", str(a.parent), "-o", str(out), "-j", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "的段落雷同（完全相同）" in result.stdout
    quiet = _cli("merge", str(a.parent), "-o", str(out), "-j", "1", "--off", "雷同", "--force")
    assert quiet.returncode == 0 and "雷同" not in quiet.stdout
    bad = _cli("merge", str(a.parent), "-o", str(out), "--off", "雷铜")
    assert bad.returncode == 1 and "没有名为“雷铜”的检查规则" in bad.stderr


def test_the_generic_kind_names_its_own_parts(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "自查.xlsx", [SectionRows("工作开展情况", [("段落", "", CLEAN)]),
                                                 SectionRows("下一步打算", [("段落", "", CLEAN + "再写一段。")])],
                         **{sf.FIELD_KIND: "通用", sf.FIELD_TITLE: "某某镇2025年度安全生产自查报告"})
    assert found(path, "部分") == []
    mz = make_workbook(tmp_path / "民主.xlsx", [SectionRows("工作开展情况", [("段落", "", CLEAN)])])
    assert found(mz, "部分")  # a kind with prescribed parts still names the missing ones


def test_a_workbook_switches_checks_off_for_itself(tmp_path: Path) -> None:
    rows = [("（一）", "在学习方面", "学习不够深入")]  # no end punctuation
    plain = book(tmp_path, rows, name="张三.xlsx")
    assert found(plain, "段末标点")
    quiet = book(tmp_path, rows, name="李四.xlsx", **{sf.FIELD_CHECKS_OFF: "段末标点、 部分"})
    [outcome] = api.check([quiet])
    assert [f for f in outcome.findings if f.rule in ("段末标点", "部分")] == []
    wrong = book(tmp_path, rows, name="王五.xlsx", **{sf.FIELD_CHECKS_OFF: "段末标点，错字，日期"})
    said = [str(f) for f in api.check([wrong])[0].findings if not f.rule]
    row = 3 + list(sf.INFO_FIELDS).index(sf.FIELD_CHECKS_OFF)
    assert said == [f"王五.xlsx › 基本信息 › B{row}：“不做的检查”中的“错字”不是检查规则的名称，请改正（规则名即检查结果中每条提醒末尾〔〕里的名称）。",
                    f"王五.xlsx › 基本信息 › B{row}：“日期”是生成文档必需的检查，不能关闭，请从“不做的检查”中删去。"]
