"""Checks run on the outline before anything is generated: one module per family of rules.

``run`` gives every finding of one document; ``batch`` the 雷同 findings of several;
``fix_text`` applies the mechanical fixes (``check --fix``). Rules are listed by
``gwmerge check --rules`` and switched off by id (``--off``, a kind's ``checks_off``, a
workbook's 不做的检查).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from gwmerge.checks import (  # noqa: F401 - registers
    doubled,
    info,
    placeholders,
    punctuation,
    repeats,
    similarity,
    structure,
    typos,
)
from gwmerge.checks.base import REGISTRY, Context, Rule, way_out, with_cells
from gwmerge.core.errors import Finding, GwError, Location, Severity
from gwmerge.document import sheetformat as sf
from gwmerge.document.grid import Grid
from gwmerge.document.kinds import Kind, fill_pattern, wants_signature
from gwmerge.document.model import Document

__all__ = ["REGISTRY", "Rule", "batch_input", "compare", "fill_pattern", "fix_text", "rules", "run", "validate_off",
           "wants_signature"]


FAMILIES = ("基本信息", "结构", "内容", "标点", "用字", "雷同")


def rules() -> list[Rule]:
    """All rules, family by family (the order of ``--rules``)."""
    return sorted(REGISTRY.values(), key=lambda r: FAMILIES.index(r.family) if r.family in FAMILIES else 99)


def validate_off(off: Iterable[str], where: Location | None = None) -> frozenset[str]:
    """Rule ids to switch off; an unknown or required one is one sentence naming the choices."""
    chosen = frozenset(o.strip() for o in off if o.strip())
    unknown = sorted(chosen - set(REGISTRY))
    if unknown:
        names = "、".join(REGISTRY)
        raise GwError(f"没有名为“{'、'.join(unknown)}”的检查规则，可选：{names}（gwmerge check --rules 可查看说明）。",
                      where)
    required = sorted(o for o in chosen if REGISTRY[o].required)
    if required:
        raise GwError(f"“{'、'.join(required)}”是生成文档必需的检查，不能关闭。", where)
    return chosen


def switched_off(kind: Kind, off: Iterable[str] = (), doc: Document | None = None) -> frozenset[str]:
    """This run's switched-off rules, the kind's ``checks_off`` and the workbook's 不做的检查."""
    own = getattr(kind, "checks_off", ()) or ()
    skip = validate_off(own, Location(kind.folder / "kind.toml")) | frozenset(off)
    return skip if doc is None else skip | workbook_off(doc)[0]


_NAMES = re.compile(r"[\s、，,；;／/]+")


def workbook_off(doc: Document) -> tuple[frozenset[str], list[Finding]]:
    """The rules the workbook's 不做的检查 names, and a finding for each name that is not one."""
    text = doc.info.get(sf.FIELD_CHECKS_OFF)
    if text is None:
        return frozenset(), []
    names = [n for n in _NAMES.split(text.value) if n]
    problems = []
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        problems.append(Finding(text.location, f"“{sf.FIELD_CHECKS_OFF}”中的“{'、'.join(unknown)}”不是检查规则的名称，"
                                               "请改正（规则名即检查结果中每条提醒末尾〔〕里的名称）。",
                                Severity.WARNING))
    required = [n for n in names if n in REGISTRY and REGISTRY[n].required]
    if required:
        problems.append(Finding(text.location, f"“{'、'.join(required)}”是生成文档必需的检查，不能关闭，"
                                               f"请从“{sf.FIELD_CHECKS_OFF}”中删去。", Severity.WARNING))
    return frozenset(n for n in names if n in REGISTRY and not REGISTRY[n].required), problems


def run(doc: Document, kind: Kind, grid: Grid | None = None, off: Iterable[str] = ()) -> list[Finding]:
    """Every finding of one document, rule by rule, skipping the switched-off rules."""
    own, problems = workbook_off(doc)
    skip = switched_off(kind, off) | own
    ctx = Context(doc, kind, grid)
    return problems + [_tagged(finding, r) for r in REGISTRY.values()
                       if r.func is not None and r.id not in skip for finding in r.func(ctx)]


def _tagged(finding: Finding, r: Rule) -> Finding:
    """The finding with its rule, and a 提醒 with the way to keep what it questions."""
    message = finding.message
    if not finding.is_error and not r.required:
        message = with_cells(message, way_out(r.id))
    return replace(finding, rule=r.id, message=message)


def batch_input(doc: Document, kind: Kind, off: Iterable[str] = ()) -> list[similarity.Para]:
    """What one workbook brings to the checks across a batch (none when its kind or the run
    switches 雷同 off); small and picklable, so a worker process can send it back."""
    try:
        skip = switched_off(kind, off, doc)
    except GwError:
        return []  # a kind's bad checks_off is reported on the workbook itself
    return [] if similarity.RULE_ID in skip else similarity.paragraphs(doc, kind)


def compare(groups: Iterable[list[similarity.Para]] | similarity.Gathered,
            off: Iterable[str] = (), order: Iterable[Path] = ()) -> dict[Path, list[Finding]]:
    """Findings across a batch (雷同), by workbook: from each workbook's paragraphs, or from
    what a batch gathered while it ran; ``order``: the workbooks in batch order."""
    if similarity.RULE_ID in frozenset(off):
        return {}
    if isinstance(groups, similarity.Gathered):
        gathered = groups
    else:
        gathered = similarity.Gathered()
        for group in groups:
            gathered.add(group)
    if gathered.owners < 2:
        return {}
    found = similarity.findings(gathered, order)
    return {path: [replace(f, rule=similarity.RULE_ID) for f in items] for path, items in found.items()}


def fix_text(text: str, off: Iterable[str] = ()) -> tuple[str, list[str]]:
    """Apply every mechanical fix (typos first: a pinyin or punctuation fix never creates one)."""
    skip = frozenset(off)
    changes: list[str] = []
    for _ in range(3):  # one fix can make room for another (a removed space joins a typo); bounded
        found = False
        for r in REGISTRY.values():
            if r.fixer is not None and r.id not in skip:
                text, done = r.fixer(text)
                changes.extend(done)
                found = found or bool(done)
        if not found:
            break
    return text, changes
