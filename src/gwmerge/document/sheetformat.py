"""The workbook format (v2): sheet, column and level names shared by reading and writing.

Kept apart from openpyxl so the outline builder and the workbook writer agree on one definition
of what a user types where. A table is a sheet 表格1, 表格2 … (its rows the table's rows, the first
the header row), printed where a section row of 层级 表格 names it in 正文 (docs/workbook.md).
v2 adds fields (年度, 副标题, 署名, 要点排法, 标题下署名, 主送) and the 排法 column; a v1 workbook
has none of them and reads exactly as before.
"""

from __future__ import annotations

import re
from enum import Enum

INFO_SHEET = "基本信息"
# A row whose first cell starts with this is the instruction line and is never content.
INSTRUCTION_PREFIX = "填写说明"

# Information sheet: label in column A, value in column B, help in column C.
INFO_HEADER = ("项目", "内容", "说明")
FIELD_KIND = "文种"
FIELD_TITLE = "标题"
FIELD_UNIT = "单位"
FIELD_NAME = "姓名"
FIELD_POSITION = "职务"
FIELD_DATE = "日期"
FIELD_OPENING = "开头"
FIELD_CLOSING = "结尾"
FIELD_SIGNATURE = "落款"
FIELD_YEAR = "年度"
FIELD_SUBTITLE = "副标题"
FIELD_SIGNER = "署名"
FIELD_POINTS = "要点排法"
FIELD_NAME_LINE = "标题下署名"
FIELD_CHECKS_OFF = "不做的检查"
FIELD_ADDRESSEE = "主送"
YES, NO = "是", "否"
# 标题 filled with one of these: the material has no title (import writes the first).
NO_TITLE = "无"
NO_TITLE_WORDS = frozenset({NO_TITLE, "（无）", "(无)", "无标题", "不要标题", "没有标题"})
POINTS_RUN_ON, POINTS_OWN = "接在段内", "单独成段"
# v1's fields keep their rows (up to 落款); the v2 fields follow them.
INFO_FIELDS: dict[str, str] = {
    FIELD_KIND: "文种，从下拉列表选择，决定格式模板和默认章节",
    FIELD_TITLE: "可留空：留空时按文种的标题格式自动生成（如“副镇长五个带头专题民主生活会对照检查材料”）；"
                 "标题要分几行时，按 Alt+Enter 在断行处换行；材料本来没有标题时填“无”",
    FIELD_UNIT: "单位全称，如“某某镇”",
    FIELD_NAME: "姓名",
    FIELD_POSITION: "职务，如“副镇长”",
    FIELD_DATE: "成文日期，如 2025-01-15 或 2025年1月15日，输出为“2025年1月15日”",
    FIELD_OPENING: "开头段落（标题之后、第一部分之前）；按 Alt+Enter 换行即另起一段",
    FIELD_CLOSING: "结尾段落（可留空）",
    FIELD_SIGNATURE: "文末是否落款（署名和日期）：选“是”或“否”，留空按文种的默认做法",
    FIELD_SUBTITLE: "可留空：标题下一行的副标题，如“——在某某会议上的发言”",
    FIELD_YEAR: "年度，如 2025；标题留空时可用于生成标题（如“2025年度民主生活会”）",
    FIELD_SIGNER: "可留空：留空时落款写姓名；班子或支部的材料在此填写组织名称，"
                  "如“中共某某镇委员会领导班子”，落款即写这个名称",
    FIELD_NAME_LINE: "标题下是否加一行署名：选“是”或“否”，留空按文种的默认做法",
    FIELD_POINTS: f"“一是、二是”的排法：选“{POINTS_RUN_ON}”（接在条目段落内）或“{POINTS_OWN}”（每个要点一段），"
                  "留空按文种的默认做法；个别行不同时在该行“排法”列选择",
    FIELD_CHECKS_OFF: "可留空：这份材料不做的检查，写规则名，用顿号分开，如“部分、段末标点”"
                      "（规则名即检查结果中每条提醒末尾〔〕里的名称）；从原有材料导入时，部分名称按原文，会填“部分”",
    FIELD_ADDRESSEE: "可留空：主送机关，如“县委组织部：”，排在标题下、正文前，顶格，以全角冒号结尾",
}
# A row of the information sheet the writer adds so a later version can tell old workbooks apart.
FORMAT_LABEL = "格式版本"
FORMAT_VERSION = 2
FORMAT_HINT = "工作簿格式的版本，由程序填写，请勿修改"
# What a user may type for yes/no fields.
YES_WORDS = frozenset({YES, "要", "有", "需要", "Y", "y", "1", "TRUE"})
NO_WORDS = frozenset({NO, "不要", "无", "不需要", "N", "n", "0", "FALSE"})


class Level(Enum):
    """What a row of a section sheet is; the value is what the drop-down shows."""

    ITEM2 = "（一）"
    ITEM3 = "1."
    ITEM4 = "（1）"
    POINT = "一是"
    PARA = "段落"
    EXAMPLE = "示例"
    TABLE = "表格"  # 正文 names the sheet (表格1, 表格2 …) whose rows are the table's rows

    @property
    def depth(self) -> int:
        return _DEPTHS.get(self.value, 0)


_DEPTHS = {Level.ITEM2.value: 2, Level.ITEM3.value: 3, Level.ITEM4.value: 4}  # asked per row: built once


LEVEL_CHOICES = [Level.ITEM2, Level.POINT, Level.PARA, Level.ITEM3, Level.ITEM4, Level.TABLE]
# A table of the document: a sheet named 表格1, 表格2 … (never a part), its first row the header
# row; a section row of 层级 “表格” puts it there, its 正文 naming the sheet.
TABLE_SHEET_PREFIX = "表格"
TABLE_SHEET = re.compile(rf"{TABLE_SHEET_PREFIX}\d{{1,4}}")
LEVEL_ALIASES: dict[str, Level] = {
    **{level.value: level for level in Level},
    "(一)": Level.ITEM2,
    "二级": Level.ITEM2,
    "二级标题": Level.ITEM2,
    "条目": Level.ITEM2,
    "1": Level.ITEM3,
    "1、": Level.ITEM3,
    "三级": Level.ITEM3,
    "三级标题": Level.ITEM3,
    "(1)": Level.ITEM4,
    "四级": Level.ITEM4,
    "四级标题": Level.ITEM4,
    "要点": Level.POINT,
    "一是二是": Level.POINT,
    "正文": Level.PARA,
    "段": Level.PARA,
}

COL_LEVEL = "层级"
# A row whose 层级 is this carries the part's heading in 标题或引导句, for headings a sheet name
# cannot hold as typed (over 31 characters, []:*?/\, a final ：, repeated); import writes it.
SECTION_TITLE = "部分标题"
COL_HEADING = "标题或引导句"
COL_BODY = "正文"
COL_JOIN = "排法"
COL_NOTE = "备注（不输出）"
SECTION_HEADER = (COL_LEVEL, COL_HEADING, COL_BODY, COL_JOIN, COL_NOTE)
# Header cells are matched by prefix so a user's small edits ("标题", "正文内容") still read.
HEADER_PREFIXES = {COL_LEVEL: ("层级", "级别"), COL_HEADING: ("标题", "引导", "小标题"),
                   COL_BODY: ("正文", "内容"), COL_JOIN: ("排法", "排版"), COL_NOTE: ("备注",)}

# The 排法 column: the drop-down words, and what else a person may type for them.
JOIN_ON, JOIN_NEW = "接上段", "另起段"
JOIN_CHOICES = (JOIN_ON, JOIN_NEW)
JOIN_ALIASES: dict[str, str] = {
    JOIN_ON: JOIN_ON, "接上": JOIN_ON, "接": JOIN_ON, "同段": JOIN_ON, "接在段内": JOIN_ON, "接上一段": JOIN_ON,
    JOIN_NEW: JOIN_NEW, "另起": JOIN_NEW, "另起一段": JOIN_NEW, "单独成段": JOIN_NEW, "单独": JOIN_NEW,
    "新段": JOIN_NEW, "分段": JOIN_NEW,
}
POINTS_ALIASES: dict[str, str] = {
    POINTS_RUN_ON: POINTS_RUN_ON, "接上段": POINTS_RUN_ON, "段内": POINTS_RUN_ON, "同段": POINTS_RUN_ON,
    POINTS_OWN: POINTS_OWN, "另起段": POINTS_OWN, "分段": POINTS_OWN, "单独": POINTS_OWN,
}

SECTION_INSTRUCTION = (
    "填写说明：本表是文档的一个部分，工作表名称就是这一部分的标题（如“存在的主要问题”），"
    "工作表的先后顺序决定“一、二、三”。每行一条，在“层级”列选择："
    "“（一）”为二级条目，“标题或引导句”填小标题，“正文”填内容；"
    "“一是”为条目下的要点，“标题或引导句”填引导句，“正文”填具体内容；"
    "“段落”为普通段落，只填“正文”；需要更细时可用“1.”“（1）”。"
    "序号由程序自动编排，不必手打，层级列也可直接填“（二）”“二是”“2.”等序号；单元格内按 Alt+Enter 换行即另起一段。"
    "灰色的示例行不会输出，可以删除。"
    "“排法”列一般留空：条目的小标题和正文在同一段，“一是”接在条目段内（见“基本信息”的“要点排法”）。"
    "少数情况才选：“接上段”——这一行接在上一段末尾，不另起段；"
    "“另起段”——这一行单独起一段（条目行选它，则小标题单独一行，正文另起一段）。"
    "条目行可以只填“正文”不填小标题，输出为序号加正文。"
    "需要表格时，层级选“表格”，正文填表格所在的工作表名称（如“表格1”），表格内容按行填在那个工作表里，第一行为表头。"
)
# Where the whole guide is: the blank workbook's first instruction names it (a clerk's copy of
# gwmerge has it; the people filling in need only the instruction lines).
GUIDE = "docs/填写说明.md"
INFO_INSTRUCTION = (
    "填写说明：在“内容”列填写各项，“说明”列是填写提示。"
    "正文各部分请在后面的工作表中填写，每个工作表是文档的一个部分。"
    f"各栏的详细填法和常见问题见《工作簿填写说明》（gwmerge 的 {GUIDE}，可向党政办索取）。"
)
