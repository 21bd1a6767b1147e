"""A material's table as Word XML, set the official way: 仿宋 cells, a 黑体 header row repeated at
the top of each page, thin lines, the width of the text block and never wider.

Cell text is user text: it goes through :class:`docxtpl.RichText`, which escapes it, so a cell
can never become Word markup whatever it holds.
"""

from __future__ import annotations

from docxtpl import RichText, RichTextParagraph

from gwmerge.document import roles
from gwmerge.document.layout import width

#: The text block of GB/T 9704 (156 mm) in twips; the table's grid is laid out on it and its
#: width is also given as 100 % of the text block, so another profile's margins still hold it.
TEXT_WIDTH = 8845
_MIN_COLUMN = 900  # about three characters
_CHAR = 330  # one 三号 character and a little of the cell's margins, in twips
_BORDER = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
_SIDES = ("top", "left", "bottom", "right", "insideH", "insideV")


def column_widths(rows: tuple[tuple[str, ...], ...], total: int = TEXT_WIDTH) -> list[int]:
    """Widths in twips: each column holds its header on one line (up to eight characters), the rest
    is shared by the longest cell of each column (so a 序号 column stays narrow)."""
    columns = max(len(row) for row in rows)
    header = rows[0]
    floor = [max(_MIN_COLUMN, round((min(width(header[c]) if c < len(header) else 0, 8) + 1) * _CHAR))
             for c in range(columns)]
    if sum(floor) > total:
        floor = [total // columns] * columns
    wanted = [max(min(width(row[c]) if c < len(row) else 0, 30) for row in rows) + 1 for c in range(columns)]
    spare = total - sum(floor)
    share = [int(f + spare * w // sum(wanted)) for f, w in zip(floor, wanted, strict=True)]
    share[-1] += total - sum(share)
    return share


def _cell(text: str, grid: int, header: bool) -> str:
    style = roles.PARAGRAPH_STYLES[roles.TABLE_HEADER if header else roles.TABLE]
    lines = text.split("\n") or [""]
    paras = "".join(f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{RichText(line).xml}</w:p>' for line in lines)
    return (f'<w:tc><w:tcPr><w:tcW w:w="{grid}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f"{paras}</w:tc>")


def table_xml(rows: tuple[tuple[str, ...], ...]) -> str:
    """``<w:tbl>`` for ``rows``; the first row is the header row."""
    widths = column_widths(rows)
    borders = "".join(_BORDER.format(side=side) for side in _SIDES)
    parts = [f'<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/>'
             f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
             '<w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
             '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
             'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>']
    parts += [f'<w:gridCol w:w="{grid}"/>' for grid in widths]
    parts.append("</w:tblGrid>")
    for number, row in enumerate(rows):
        header = number == 0 and len(rows) > 1
        # The header row repeats at the top of each page; no row is split across pages.
        props = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
        cells = [*row, *([""] * (len(widths) - len(row)))]
        row_cells = "".join(_cell(text, grid, header) for text, grid in zip(cells, widths, strict=True))
        parts.append(f"<w:tr>{props}{row_cells}</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def table_block(rows: tuple[tuple[str, ...], ...]) -> RichTextParagraph:
    """What a template's ``{{p p.table }}`` puts in place of its paragraph: the table."""
    block = RichTextParagraph()
    block.xml = table_xml(rows)
    return block
