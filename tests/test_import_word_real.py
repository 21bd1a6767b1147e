"""Real-style materials as Word itself writes them, through import → merge.

Unlike tests/real_docx.build (a .txt fixture typed into Word), these are written as Word's own
XML (tests/real_docx.word_xml): heading styles numbered by Word's lists (``numPr`` in the style),
"restart" and "continue" lists over one abstract list, a Shift+Enter inside a paragraph, runs
split inside a word by spelling marks and bookmarks, a DATE field, a PAGE field in the footer,
tabs and “　　” typed for indents, a real table and a one-cell table drawn around the text.
Each gives the paragraphs a reader sees in Word, with ordinals in the official form.
"""

from __future__ import annotations

from pathlib import Path

from real_docx import BOOKMARK, PAGE_MARK, PROOF, PROOF_END, field, table, word_xml, wp, wr
from test_import import import_and_merge, paragraphs

H1, H2, H3, LIST = "1", "2", "3", "a5"  # Chinese Word's style ids: heading 1/2/3, List Paragraph
S = "\u3000"


def rectification(dest: Path) -> Path:
    """整改落实情况报告: 一、（一） from the heading styles' list, 1. and （1） from a second list."""
    body = [
        wp(wr("中共柳河镇委员会"), wr("关于县委巡察反馈问题", br=True), wr("整改落实情况的报告"), style="a3"),
        wp("县委巡察办："),
        wp(wr("根据县委第二巡察组反馈意见，镇党委高度重视，坚持"), PROOF, wr("即知即"), PROOF_END, wr("改、立行立改，"),
           BOOKMARK, wr("扎实推进整改落实。现将有关情况报告如下："), indent=True),
        wp("巡察反馈问题整改总体情况", style=H1),
        wp("县委巡察组共反馈3个方面12个问题，镇党委制定整改措施38条。截至2025年12月底，已完成整改10个，其余2个正在推进。",
           indent=True),
        wp("具体问题整改情况", style=H1),
        wp("关于落实全面从严治党主体责任不到位的问题", style=H2),
        wp(wr("党委会研究党建工作不够经常。", font="楷体_GB2312"),
           wr("整改措施：建立党委会“第一议题”和党建工作季度专题研究制度，2025年专题研究党建工作5次。"),
           style=LIST, num=(2, 0)),
        wp(wr("对村级“小微权力”监督不够有力。"), PAGE_MARK,
           wr("整改措施：制定村级小微权力清单36项，在各村公开栏公示。"), style=LIST, num=(2, 0)),
        wp("关于基层党组织建设薄弱的问题", style=H2),
        wp("软弱涣散村党组织整顿不够彻底", style=LIST, num=(3, 0)),  # Word: restart at 1
        wp("整改措施。选派2名镇干部驻村指导，帮助理清发展思路。", style=LIST, num=(3, 1)),
        wp("整改成效。2个软弱涣散村党组织均已整顿转化。", style=LIST, num=(3, 1)),
        wp("党员教育管理不够规范", style=LIST, num=(4, 0)),  # Word: continue numbering (2.)
        wp("整改措施。落实“三会一课”纪实管理，每季度开展一次检查。", style=LIST, num=(4, 1)),
        wp(wr("具体整改任务见下表："), indent=True),
        table([["序号", "问题", "整改措施", "完成时限"],
               ["1", "党委会研究党建工作不够经常", "建立季度专题研究制度", "2025年6月"],
               ["2", "软弱涣散村党组织整顿不彻底", "选派干部驻村指导", "2025年9月"]]),
        wp("下一步工作打算", style=H1),
        wp(wr("镇党委将坚持目标不变、标准不降、力度不减，持续巩固整改成果。"),
           wr("对已完成的整改事项，适时开展“回头看”，坚决防止问题反弹。", br=True), indent=True),
        wp(""),
        wp("中共柳河镇委员会", jc="right"),
        wp(field('DATE \\@ "yyyy年M月d日"', "2025年12月30日"), jc="right"),
    ]
    return word_xml("".join(body), dest)


RECTIFICATION = [
    ("中共柳河镇委员会\n关于县委巡察反馈问题整改落实情况的报告", "GwTitle"),
    ("县委巡察办：", "GwAddressee"),
    ("根据县委第二巡察组反馈意见，镇党委高度重视，坚持即知即改、立行立改，扎实推进整改落实。现将有关情况报告如下：",
     "GwBody"),
    ("一、巡察反馈问题整改总体情况", "GwHeading1"),
    ("县委巡察组共反馈3个方面12个问题，镇党委制定整改措施38条。截至2025年12月底，已完成整改10个，其余2个正在推进。",
     "GwBody"),
    ("二、具体问题整改情况", "GwHeading1"),
    ("（一）关于落实全面从严治党主体责任不到位的问题", "GwHeading2"),
    ("1.党委会研究党建工作不够经常。整改措施：建立党委会“第一议题”和党建工作季度专题研究制度，2025年专题研究党建工作5次。",
     "GwBody"),
    ("2.对村级“小微权力”监督不够有力。整改措施：制定村级小微权力清单36项，在各村公开栏公示。", "GwBody"),
    ("（二）关于基层党组织建设薄弱的问题", "GwHeading2"),
    ("1.软弱涣散村党组织整顿不够彻底", "GwHeading3"),
    ("（1）整改措施。选派2名镇干部驻村指导，帮助理清发展思路。", "GwBody"),
    ("（2）整改成效。2个软弱涣散村党组织均已整顿转化。", "GwBody"),
    ("2.党员教育管理不够规范", "GwHeading3"),
    ("（1）整改措施。落实“三会一课”纪实管理，每季度开展一次检查。", "GwBody"),
    ("具体整改任务见下表：", "GwBody"),
    # The table comes back as a table: a 黑体 header row, 仿宋 cells.
    *((cell, "GwTableHeader") for cell in ("序号", "问题", "整改措施", "完成时限")),
    *((cell, "GwTableText") for cell in ("1", "党委会研究党建工作不够经常", "建立季度专题研究制度", "2025年6月",
                                         "2", "软弱涣散村党组织整顿不彻底", "选派干部驻村指导", "2025年9月")),
    ("三、下一步工作打算", "GwHeading1"),
    ("镇党委将坚持目标不变、标准不降、力度不减，持续巩固整改成果。", "GwBody"),
    ("对已完成的整改事项，适时开展“回头看”，坚决防止问题反弹。", "GwBodyKeepNext"),
    ("中共柳河镇委员会", "GwSignature"),
    ("2025年12月30日", "GwSignature"),
]


def test_word_numbered_rectification_report(tmp_path: Path) -> None:
    out, imported = import_and_merge(rectification(tmp_path / "整改报告.docx"), tmp_path)
    assert paragraphs(out) == RECTIFICATION
    said = [f.message for f in imported.findings]
    # "Continue numbering" goes on from the list it continues (2.), as Word shows it: no false
    # "not in order" note.
    assert not [m for m in said if "不连续" in m], said
    assert not [m for m in said if "表格" in m], said
    assert any("手动换行" in m for m in said)
    assert any("Word 自动编号" in m for m in said)
    assert not [m for m in said if "无法按原样还原" in m or "不完全一致" in m], said


def duty_report(dest: Path) -> Path:
    """述职述廉报告: a name under the title, 主送 “各位领导、同志们：”, ordinals typed with tabs and
    “　　” indents, a run-in heading split across runs, and a signature pushed right with tabs."""
    body = [
        wp("2025年度述职述廉报告", jc="center"),
        wp(f"柳河镇党委委员、副镇长{S}李强", jc="center"),
        wp("各位领导、同志们："),
        wp(f"{S}{S}今年以来，我在镇党委的坚强领导下，认真履行分管农业农村、自然资源等方面工作职责，现将有关情况报告如下，请予评议。"),
        wp(wr("一、"), wr("履职尽责情况", font="黑体"), style=H3),
        wp(wr(f"{S}{S}（一）抓好农业生产。", font="楷体_GB2312"),
           wr("全年粮食播种面积稳定在6.2万亩，总产量达到2.8万吨。")),
        wp(wr(f"{S}{S}（二）推进"), wr("人居环境整治。", font="楷体_GB2312"),
           wr("一是开展村庄清洁行动，清理生活垃圾1200余吨；二是推进农村改厕，完成改厕486户；三是建设美丽庭院示范户150户。")),
        wp(wr("二、"), wr("廉洁自律情况", font="黑体"), style=H3),
        wp(wr(f"{S}{S}严格遵守中央八项规定精神，没有违规收受礼品礼金，没有违规"), wr("操办婚丧喜庆事宜。")),
        wp(wr("三、"), wr("存在的不足", font="黑体"), style=H3),
        wp(wr("1．"), wr("学习不够深入。", tab=True), wr("对新知识、新政策学习不够及时。")),
        wp(wr("2．"), wr("调研不够经常。", tab=True), wr("深入田间地头的次数偏少。")),
        wp(f"{S}{S}以上报告，请予评议。"),
        wp(wr("述职人：李强", tab=True), wr(tab=True)),
        wp(wr("二〇二五年十二月", tab=True)),
    ]
    return word_xml("".join(body), dest)


def test_duty_report_with_a_name_under_the_title(tmp_path: Path) -> None:
    out, imported = import_and_merge(duty_report(tmp_path / "述职述廉报告.docx"), tmp_path)
    got = paragraphs(out)
    assert got[:5] == [("2025年度述职述廉报告", "GwTitle"), (f"柳河镇党委委员、副镇长{S}李强", "GwNameLine"),
                       ("各位领导、同志们：", "GwBody"),
                       ("今年以来，我在镇党委的坚强领导下，认真履行分管农业农村、自然资源等方面工作职责，"
                        "现将有关情况报告如下，请予评议。", "GwBody"),
                       ("一、履职尽责情况", "GwHeading1")]
    assert ("（二）推进人居环境整治。一是开展村庄清洁行动，清理生活垃圾1200余吨；二是推进农村改厕，完成改厕486户；"
            "三是建设美丽庭院示范户150户。", "GwBody") in got
    assert ("1.学习不够深入。对新知识、新政策学习不够及时。", "GwBody") in got
    # The name under the title and 述职人：李强 at the end are two different 署名: the format has
    # one, so the lines at the end stay as typed, and the import says why.
    assert got[-2:] == [("述职人：李强", "GwBody"), ("二〇二五年十二月", "GwBody")]
    assert any("与标题下的署名“柳河镇党委委员、副镇长\u3000李强”不同" in f.message for f in imported.findings)
    assert len(got) == 15


def framed(dest: Path) -> Path:
    """A 征求意见清单 typed inside a one-cell table (a box drawn around the text)."""
    inner = "".join([
        wp("柳河村2025年度组织生活会征求意见清单", jc="center"),
        wp("按照镇党委要求，支部通过座谈会、个别访谈等方式广泛征求意见，现将有关情况整理如下。", indent=True),
        wp("一、对支部班子的意见建议"),
        wp("1.组织生活形式单一，吸引力不强。", indent=True),
        wp("2.联系服务群众不够经常。", indent=True),
        wp("二、对党员个人的意见建议"),
        wp("1.部分党员先锋模范作用发挥不明显。", indent=True),
    ])
    body = f'<w:tbl><w:tblPr/><w:tr><w:tc><w:tcPr/>{inner}</w:tc></w:tr></w:tbl>'
    return word_xml(body + wp("柳河村党支部", jc="right") + wp("2025年12月20日", jc="right"), dest)


def test_text_in_a_one_cell_frame_is_read(tmp_path: Path) -> None:
    out, imported = import_and_merge(framed(tmp_path / "征求意见清单.docx"), tmp_path)
    assert paragraphs(out) == [
        ("柳河村2025年度组织生活会征求意见清单", "GwTitle"),
        ("按照镇党委要求，支部通过座谈会、个别访谈等方式广泛征求意见，现将有关情况整理如下。", "GwBody"),
        ("一、对支部班子的意见建议", "GwHeading1"), ("1.组织生活形式单一，吸引力不强。", "GwBody"),
        ("2.联系服务群众不够经常。", "GwBody"), ("二、对党员个人的意见建议", "GwHeading1"),
        ("1.部分党员先锋模范作用发挥不明显。", "GwBodyKeepNext"),
        ("柳河村党支部", "GwSignature"), ("2025年12月20日", "GwSignature")]
    assert not [f for f in imported.findings if "表格" in f.message]


def test_a_table_first_in_the_body_is_placed_at_the_start(tmp_path: Path) -> None:
    source = word_xml(table([["姓名", "职务"], ["王小明", "支部书记"]]) + wp("2025年度组织生活会发言提纲", jc="center")
                      + wp("按照支部安排，我作如下发言。"), tmp_path / "表格在前.docx")
    out, imported = import_and_merge(source, tmp_path)
    # Without 一、 headings the whole text is one part: the table stays first, as a table.
    assert not [f for f in imported.findings if "表格" in f.message], [str(f) for f in imported.findings]
    assert paragraphs(out)[:4] == [("姓名", "GwTableHeader"), ("职务", "GwTableHeader"), ("王小明", "GwTableText"),
                                   ("支部书记", "GwTableText")]


def test_a_table_before_the_first_heading_is_said(tmp_path: Path) -> None:
    """Before the first 一、 (the 开头, which is text) a table has no row to stand in: said, with its
    first row, where it was."""
    source = word_xml(wp("2025年度组织生活会发言提纲", jc="center") + wp("按照支部安排，我作如下发言。")
                      + table([["姓名", "职务"], ["王小明", "支部书记"]]) + wp("一、存在的问题")
                      + wp("学习不够深入，满足于完成规定动作。"), tmp_path / "表格在开头.docx")
    _, imported = import_and_merge(source, tmp_path)
    assert any(str(f.location).endswith("第 3 段") and "表格（2 行，第一行“姓名｜职务”）在第一个“一、”之前" in f.message
               for f in imported.findings), [str(f) for f in imported.findings]


def test_two_line_signature_keeps_the_unit_and_says_so(tmp_path: Path) -> None:
    from real_docx import REAL

    _, imported = import_and_merge(REAL / "two_line_signature.txt", tmp_path)
    assert any(f.message.startswith("落款写了两行（“柳河镇第二党支部”“王小明”）") for f in imported.findings)


def test_a_signature_followed_by_an_annex_line_is_said(tmp_path: Path) -> None:
    """落款 then 附件：… : nothing prints after a signature, so all stays as typed, with a note."""
    from real_docx import REAL

    _, imported = import_and_merge(REAL / "signature_then_annex.txt", tmp_path)
    assert any(f.message.startswith("落款“发言人：刘红”之后还有“附件：个人问题整改清单”") for f in imported.findings)


def test_headings_marked_only_by_style_stay_paragraphs_and_are_said(tmp_path: Path) -> None:
    """Heading styles without ordinals: no 一、 is made up, the text stays, the import says so."""
    body = "".join([wp("2025年度民主生活会个人对照检查材料", style="a3"), wp("存在的问题", style=H3),
                    wp("学习不够深入，满足于完成规定动作。", indent=True), wp("整改措施", style=H3),
                    wp("制定学习计划，每天学习1小时。", indent=True),
                    wp("张三", jc="right"), wp("2025年12月30日", jc="right")])
    out, imported = import_and_merge(word_xml(body, tmp_path / "标题样式.docx"), tmp_path)
    assert [text for text, _ in paragraphs(out)][1:5] == [
        "存在的问题", "学习不够深入，满足于完成规定动作。", "整改措施", "制定学习计划，每天学习1小时。"]
    assert any(f.message.startswith("2 段用了 Word 的标题样式，却没有“一、”") for f in imported.findings)
