"""Which files of the given paths a batch merges, and what a folder holds that it does not."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gwmerge.batch.result import REPORT_NAME, Skipped
from gwmerge.read.xlsx import WORKBOOK_SUFFIXES

#: Spreadsheet files a folder may hold that gwmerge cannot read; they are listed as skipped.
OTHER_SHEETS = (".xls", ".et", ".xlsb", ".ods", ".csv", ".ett", ".xltx")


def scan(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders into their workbooks (sorted) and list what a folder holds but is not merged."""
    found: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        for entry in sorted(path.iterdir()):
            name, suffix = entry.name, entry.suffix.lower()
            if name.startswith(".~") or name.startswith("."):
                continue  # our own temporary files and hidden files
            if entry.is_dir():
                skipped.append(Skipped(entry, "是子文件夹，未处理（只合并所给文件夹里的工作簿）"))
            elif name.startswith("~$"):
                if suffix in WORKBOOK_SUFFIXES or suffix in OTHER_SHEETS:
                    skipped.append(Skipped(entry, "是 Excel/WPS 打开工作簿时留下的锁定文件，不是工作簿"))
            elif name == REPORT_NAME:
                skipped.append(Skipped(entry, "是本工具生成的汇总表"))
            elif suffix in WORKBOOK_SUFFIXES:
                found.append(entry)
            elif suffix in OTHER_SHEETS:
                skipped.append(Skipped(entry, f"是 {suffix} 文件，请用 Excel 或 WPS 另存为 .xlsx 后再合并"))
    return list(dict.fromkeys(found)), skipped


