"""What a batch hands back: one outcome per input, what a folder held but was not merged, and notices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gwmerge.pipeline import Outcome

REPORT_NAME = "汇总表.xlsx"
ZIP_NAME = "合并结果.zip"
BUNDLE_NAME = "打印合订本.pdf"


@dataclass(frozen=True)
class Skipped:
    """An entry of a given folder that was not merged, and why (in Chinese)."""

    path: Path
    reason: str


@dataclass
class BatchResult:
    """The outcome of ``api.merge``; iterating over it gives the per-workbook outcomes.

    Fields:

    * ``outcomes`` — one :class:`~gwmerge.pipeline.Outcome` per input workbook, in input order. An
      outcome's ``status`` is 已生成, 内容过少 (written, but nothing beyond headings), 失败, or
      未处理 (the batch was stopped before it).
    * ``skipped`` — folder entries not merged (``.xls``, lock files ``~$…``, subfolders), with why.
    * ``out_dir`` — the output folder.
    * ``report`` — the 汇总表.xlsx written into the output folder, or None.
    * ``zip`` — the archive of documents, PDFs and the 汇总表 (``--zip``), or None.
    * ``bundle`` — the print bundle PDF (``--bundle``), or None.
    * ``notices`` — batch-wide remarks, each one Chinese sentence: documents that cannot be told
      apart on paper, outputs renamed because of a name collision, one system error that hit many
      files (reported once), PDFs that could not be made.
    * ``pdf_problem`` — why no PDF at all could be made (LibreOffice missing), or None.
    * ``pdf_log`` — LibreOffice's exit codes and error output, for ``--debug``.
    * ``interrupted`` — the signal number that stopped the batch, or None.
    * ``pdf_wanted`` — whether PDFs were asked for.
    * ``unsubmitted`` — (姓名, 职务) of the roster's people without a workbook (``order``), in its order.

    The exit policy is :attr:`exit_code`: 128 + signal when interrupted; 1 when any workbook failed,
    any document is nearly empty, or a PDF/bundle asked for is missing; otherwise 0.
    """

    outcomes: list[Outcome]
    skipped: list[Skipped] = field(default_factory=list)
    out_dir: Path = Path()
    report: Path | None = None
    zip: Path | None = None
    bundle: Path | None = None
    notices: list[str] = field(default_factory=list)
    pdf_problem: str | None = None
    pdf_log: list[str] = field(default_factory=list)
    interrupted: int | None = None
    pdf_wanted: bool = False
    bundle_wanted: bool = False
    unsubmitted: list[tuple[str, str]] = field(default_factory=list)

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)

    def __getitem__(self, index: int) -> Outcome:
        return self.outcomes[index]

    @property
    def written(self) -> int:
        """Documents written with content (not counting nearly empty ones)."""
        return sum(o.status == "已生成" for o in self.outcomes)

    @property
    def nearly_empty(self) -> int:
        return sum(o.status == "内容过少" for o in self.outcomes)

    @property
    def unprocessed(self) -> int:
        """Workbooks not reached because the batch was stopped."""
        return sum(o.status == "未处理" for o in self.outcomes)

    @property
    def failed(self) -> int:
        return sum(not o.ok for o in self.outcomes)

    @property
    def missing_pdfs(self) -> int:
        return sum(o.ok and o.output is not None and o.pdf is None for o in self.outcomes) if self.pdf_wanted else 0

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 128 + self.interrupted
        if self.failed or self.nearly_empty or self.missing_pdfs or (self.bundle_wanted and self.bundle is None):
            return 1
        return 0


