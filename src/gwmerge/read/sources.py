"""Sources for ``import`` and ``format``: which files, read by which reader, written where.

The pipeline (``pipeline.import_source``, ``pipeline.format_source``) and the API call these; the
decisions live here so that the command line, the web page and tests agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gwmerge.core.errors import Finding, GwError, Location
from gwmerge.core.safetext import safe_filename
from gwmerge.document import sheetformat as sf
from gwmerge.read import docx as read_docx
from gwmerge.read import pastes, recognise
from gwmerge.read import txt as read_txt
from gwmerge.read.recognise import Recognised

SOURCE_SUFFIXES = (".docx", ".txt")
#: Recognition is linear (about a second per 2,000 paragraphs); past this a file is no material.
MAX_PARAGRAPHS = 20_000


def collect_sources(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders expanded into their .docx and .txt files (sorted, no lock files)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES
                                and not p.name.startswith(("~$", ".~"))))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def read_source(path: Path, kind: str | None = None) -> Recognised:
    """A .docx or .txt material recognised into the model (never changing its wording)."""
    if not path.exists():
        raise GwError("找不到这个文件或文件夹，请检查路径。", Location(path))
    suffix = path.suffix.lower()
    findings: list[Finding]
    if suffix == ".docx":
        paras, findings = read_docx.read(path)
    elif suffix == ".txt":
        paras, findings = read_txt.read(path)
    elif suffix in (".doc", ".wps", ".rtf", ".pdf", ".odt"):
        raise GwError(f"不能直接导入 {suffix} 文件，请在 Word 或 WPS 中另存为 .docx"
                      "（PDF 可复制文字存为 .txt）后再导入。", Location(path))
    else:
        raise GwError("只能导入 .docx 或 .txt 文件。", Location(path))
    if not any(p.text.strip() for p in paras):
        raise GwError("文件里没有文字，没有可导入的内容。", Location(path))
    if len(paras) > MAX_PARAGRAPHS:
        raise GwError(f"材料有 {len(paras)} 段，超过 {MAX_PARAGRAPHS} 段，一份公文材料不会这么长；"
                      "请检查是否选错文件，或分成几份再导入。", Location(path))
    paras = pastes.tidy(paras, findings, Location(path))
    if not any(p.text.strip() for p in paras):
        raise GwError("文件里只有页码、网址这样的行，没有可导入的正文。", Location(path))
    return recognise.recognise(paras, path, findings, kind)


def destinations(sources: list[Path], out: Path | None, suffix: str) -> dict[Path, Path]:
    """Where each source's result goes: beside it, into folder ``out``, or the file ``out`` itself."""
    if out is not None and len(sources) == 1 and out.suffix.lower() == suffix and not out.is_dir():
        return {sources[0]: out}
    # A name Linux allows may not be one Windows does (a:b?.txt, CON.docx): made safe like merge's.
    return {source: (out if out is not None else source.parent) / f"{safe_filename(source.stem)}{suffix}"
            for source in sources}


def describe(found: Recognised) -> list[str]:
    """What was recognised, in the words a clerk uses (printed by ``import`` and ``format``)."""
    lines = []
    title = found.document.info.get("标题")
    lines.append(f"标题：{'／'.join(title.paragraphs)}" if title else "标题：未识别")
    subtitle = found.document.info.get("副标题")
    if subtitle:
        lines.append(f"副标题：{subtitle.value}")
    sections = found.document.sections
    for number, ((heading, items, points), section) in enumerate(zip(found.sections, sections, strict=True), 1):
        parts = [f"条目 {items} 个"] if items else []
        if points:
            parts.append(f"要点 {points} 个")
        where = f"（{section.heading.location.cell}）" if section.heading.location.cell else ""
        if not section.heading:
            lines.append(f"正文（没有一级标题）：{'，'.join(parts) or '段落'}")
            continue
        lines.append(f"第 {number} 部分“{heading}”{where}：{'，'.join(parts) or '段落'}")
    if found.points_run_on is not None:
        lines.append(f"一是、二是：{'多数接在段内' if found.points_run_on else '多数单独成段'}")
    lines.append(f"落款：{found.signature}" if found.signature else "落款：无")
    off = found.document.info.get(sf.FIELD_CHECKS_OFF)
    kind = f"文种：{found.kind.id}"
    lines.append(f"{kind}（各部分名称按原文，不按文种检查）" if off and recognise.PARTS_RULE in off.value else kind)
    return lines
