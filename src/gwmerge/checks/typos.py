"""Wrong characters: a curated list of typos common in these materials, and traditional characters.

Every entry of :data:`TYPOS` is a real confusion whose wrong form is not a correct word in any
context we know of (several are written with their context, e.g. 年龄编大, because 编大 alone
occurs in correct text such as 汇编大全). Tests check every pair in both directions and run the
whole list over the seed's corrected text and the example workbooks.

Traditional characters come from OpenCC's character table (opencc-python-reimplemented): a
character OpenCC converts to something else and that is not itself a simplified character.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

from gwmerge.checks.base import Context, excerpt, per_cell, rule
from gwmerge.core.errors import Finding

# wrong → right
TYPOS: dict[str, str] = {
    # from the seed
    "厉害关系": "利害关系",
    "年龄编大": "年龄偏大",
    "相对编大": "相对偏大",
    "红线意线": "红线意识",
    # 党政材料常见
    "付书记": "副书记",
    "付镇长": "副镇长",
    "付县长": "副县长",
    "布署": "部署",
    "坐谈会": "座谈会",
    "陪训": "培训",
    "侯选人": "候选人",
    "一以惯之": "一以贯之",
    "惯彻落实": "贯彻落实",
    "事实求是": "实事求是",
    "实是求是": "实事求是",
    "再接再励": "再接再厉",
    "一愁莫展": "一筹莫展",
    "迫不急待": "迫不及待",
    "按步就班": "按部就班",
    "默守成规": "墨守成规",
    "变本加利": "变本加厉",
    "既往不究": "既往不咎",
    "走头无路": "走投无路",
    "发人深醒": "发人深省",
    "一股作气": "一鼓作气",
    "不径而走": "不胫而走",
    "大相径廷": "大相径庭",
    "名符其实": "名副其实",
    "事得其反": "适得其反",
    "中流抵柱": "中流砥柱",
    "重蹈复辙": "重蹈覆辙",
    "针贬时弊": "针砭时弊",
    "一如继往": "一如既往",
    "再所难免": "在所难免",
    "以身做则": "以身作则",
    "淋漓尽至": "淋漓尽致",
    "精兵减政": "精兵简政",
    "坚苦奋斗": "艰苦奋斗",
    "坚苦朴素": "艰苦朴素",
    "攻艰克难": "攻坚克难",
    "震聋发聩": "振聋发聩",
    "长抓不懈": "常抓不懈",
    "竞竞业业": "兢兢业业",
    "一张一驰": "一张一弛",
    "勿庸置疑": "毋庸置疑",
    "不言而谕": "不言而喻",
    "如火如涂": "如火如荼",
    "融汇贯通": "融会贯通",
    "鞠躬尽粹": "鞠躬尽瘁",
    "心无旁鹜": "心无旁骛",
    "趋之若骛": "趋之若鹜",
    "好高鹜远": "好高骛远",
    "明辩是非": "明辨是非",
    "不甚枚举": "不胜枚举",
    "相辅相承": "相辅相成",
    "换然一新": "焕然一新",
    "不厌其繁": "不厌其烦",
    "询私舞弊": "徇私舞弊",
    "贪脏枉法": "贪赃枉法",
    "尉然成风": "蔚然成风",
    "出谋化策": "出谋划策",
    "有的放失": "有的放矢",
    "责无旁代": "责无旁贷",
    "优患意识": "忧患意识",
    "截止目前": "截至目前",
    "截止到目前": "截至目前",
    "群众反应的": "群众反映的",
    "如实反应": "如实反映",
    "防碍": "妨碍",
    "急燥": "急躁",
    "烦燥": "烦躁",
    "暴燥": "暴躁",
    "松驰": "松弛",
    "峻工": "竣工",
    "幅射": "辐射",
    "宣染": "渲染",
    "渲泄": "宣泄",
    "气慨": "气概",
    "沉缅": "沉湎",
    "寒喧": "寒暄",
    "脉膊": "脉搏",
    "妄自非薄": "妄自菲薄",
    "原型毕露": "原形毕露",
    "滥芋充数": "滥竽充数",
    "提纲携领": "提纲挈领",
    "黄梁美梦": "黄粱美梦",
    "遗笑大方": "贻笑大方",
    "真知卓见": "真知灼见",
    "谈笑风声": "谈笑风生",
    "甘败下风": "甘拜下风",
    "世外桃园": "世外桃源",
    "食不裹腹": "食不果腹",
    "声名雀起": "声名鹊起",
    "矫揉造做": "矫揉造作",
    "竭泽而鱼": "竭泽而渔",
    "穿流不息": "川流不息",
    "金榜提名": "金榜题名",
    "出人投地": "出人头地",
}

_TYPO_RE = re.compile("|".join(re.escape(w) for w in sorted(TYPOS, key=len, reverse=True)))


def typo_spans(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), TYPOS[m.group()]) for m in _TYPO_RE.finditer(text)]


def fix_typos(text: str) -> tuple[str, list[str]]:
    changes: list[str] = []

    def replace(m: re.Match[str]) -> str:
        changes.append(f"“{m.group()}”→“{TYPOS[m.group()]}”")
        return TYPOS[m.group()]

    fixed = _TYPO_RE.sub(replace, text)
    return fixed, changes


@rule("错别字", "用字", f"常见错别字（{len(TYPOS)} 组，如“厉害关系”应为“利害关系”）", fixer=fix_typos)
def typo_rule(ctx: Context) -> Iterator[Finding]:
    if not ctx.any_in(_TYPO_RE.search):
        return
    found = []
    for piece in ctx.pieces():
        for start, end, right in typo_spans(piece.text):
            found.append((piece, f"错别字：{{}}中的“{piece.text[start:end]}”应为“{right}”（--fix 可自动改正）。",
                          excerpt(piece.text, start, end, 4)))
    yield from per_cell(found)


@functools.cache
def traditional() -> dict[str, str]:
    """Traditional-only characters → their simplified form, from OpenCC's tables."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"

    def table(name: str) -> dict[str, list[str]]:
        entries: dict[str, list[str]] = {}
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            if key and values:
                entries[key] = values.split(" ")
        return entries

    simplified = set(table("STCharacters.txt"))
    return {k: v[0] for k, v in table("TSCharacters.txt").items()
            if len(k) == 1 and k not in v and k not in simplified}


@functools.cache
def _traditional_chars() -> frozenset[str]:
    return frozenset(traditional())


@rule("繁体字", "用字", "简体文稿中夹有繁体字（多见于从网上复制的文字）")
def traditional_rule(ctx: Context) -> Iterator[Finding]:
    # A character class of thousands of characters makes the regex engine slow on every
    # character; a set intersection finds the few that occur, and only those are searched for.
    table = traditional()
    present = _traditional_chars().intersection(ctx.text())
    if not present:
        return
    pattern = re.compile("[" + "".join(re.escape(c) for c in sorted(present)) + "]")
    found = []
    for piece in ctx.pieces():
        for m in pattern.finditer(piece.text):
            found.append((piece, "简体文稿中有繁体字{}，请改为简体。",
                          f"{m.group()}→{table[m.group()]}"))
    yield from per_cell(found)
