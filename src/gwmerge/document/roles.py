"""Paragraph roles and the style ids that carry them: one list for layout, template, render, verify.

A role is what a paragraph (or a run) is on the page: the title, a level-2 heading, body text.
Layout gives each paragraph a role, the template maps roles to styles, the renderer picks a
character style for a run's role, and ``verify`` recognises roles in any document and names
them in findings. Changing a style id here changes it everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ADDRESSEE", "BLANK", "BODY", "BODY_KEEP", "CHAR_STYLES", "HEADING1", "HEADING2", "HEADING3", "LEAD",
           "NAME_LINE", "PAGE_NUMBER", "PARAGRAPH_STYLES", "ROLES", "SIGNATURE", "SUBTITLE", "TABLE", "TABLE_HEADER",
           "TITLE", "Role", "label"]


@dataclass(frozen=True)
class Role:
    """A role: its id, its Chinese name, its paragraph style and its character style (if any)."""

    id: str
    label: str
    style: str | None = None
    char_style: str | None = None


TITLE = "title"
SUBTITLE = "subtitle"
NAME_LINE = "name_line"
ADDRESSEE = "addressee"  # 主送: flush left, ends with a colon
HEADING1 = "heading1"
HEADING2 = "heading2"
HEADING3 = "heading3"
BODY = "body"
BODY_KEEP = "body_keep"  # body kept on the page of what follows (the last one before a signature)
LEAD = "lead"  # run role only: the lead sentence of a 一是 point
SIGNATURE = "signature"
PAGE_NUMBER = "page_number"
BLANK = "blank"  # verify: an empty paragraph; layout: an empty line
TABLE = "table"  # verify: text in a table cell; layout: a table (its cells in GwTableText)
TABLE_HEADER = "table_header"  # the header row's cells (黑体, centred), repeated on each page

ROLES: dict[str, Role] = {role.id: role for role in (
    Role(TITLE, "标题", "GwTitle"),
    Role(SUBTITLE, "副标题", "GwSubtitle"),
    Role(NAME_LINE, "署名行", "GwNameLine"),
    Role(ADDRESSEE, "主送", "GwAddressee"),
    Role(HEADING1, "一级标题", "GwHeading1"),
    Role(HEADING2, "二级标题", "GwHeading2", "GwHeading2Char"),
    Role(HEADING3, "三级标题", "GwHeading3", "GwHeading3Char"),
    Role(BODY, "正文", "GwBody"),
    Role(BODY_KEEP, "正文（与落款同页）", "GwBodyKeepNext"),
    Role(LEAD, "引导句", None, "GwLeadChar"),
    Role(SIGNATURE, "落款", "GwSignature"),
    Role(PAGE_NUMBER, "页码", "GwPageNumber"),
    Role(BLANK, "空行", "GwBody"),
    Role(TABLE, "表格文字", "GwTableText"),
    Role(TABLE_HEADER, "表头", "GwTableHeader"),
)}

#: Paragraph style ids by role, for the template and tests.
PARAGRAPH_STYLES: dict[str, str] = {r.id: r.style for r in ROLES.values() if r.style and r.id != BLANK}
#: Character style ids by run role (None: the paragraph's own font).
CHAR_STYLES: dict[str, str | None] = {BODY: None, HEADING2: "GwHeading2Char", HEADING3: "GwHeading3Char",
                                      LEAD: "GwLeadChar"}


def label(role: str) -> str:
    """The Chinese name of a role, as findings print it."""
    found = ROLES.get(role)
    return found.label if found else role
