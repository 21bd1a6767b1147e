"""Giving sections, items and 一是 points their ordinals; counters restart under each parent."""

from __future__ import annotations

from dataclasses import replace

from gwmerge.document import ordinals
from gwmerge.document.model import Document


def number(doc: Document) -> Document:
    """Give every section and item its ordinal (written by :mod:`ordinals`).

    Sections without content are left out, so the ordinals of the rest stay consecutive; a
    section without a heading (部分标题 “无”) takes no ordinal.
    """
    sections = []
    index = 0
    for section in (s for s in doc.sections if s.nodes):
        index += 1 if section.heading else 0
        counters = dict.fromkeys((2, 3, 4), 0)
        points = 0
        nodes = []
        for node in section.nodes:
            level = ordinals.of_level(node.level)
            if level is None:
                ordinal = ""
            elif level == ordinals.POINT:
                points += 1
                ordinal = ordinals.format(level, points)
            else:
                counters[level] += 1
                for deeper in range(level + 1, 5):
                    counters[deeper] = 0
                points = 0
                ordinal = ordinals.format(level, counters[level])
            nodes.append(replace(node, ordinal=ordinal))
        ordinal = ordinals.format(1, index) if section.heading else ""
        sections.append(replace(section, nodes=tuple(nodes), ordinal=ordinal))
    return replace(doc, sections=tuple(sections))
