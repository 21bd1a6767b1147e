"""User-facing problems: each carries where it happened and one Chinese sentence.

Errors are raised or collected where the problem is known and printed once, at the edge (cli).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """Where a value came from, so every message can point at it (file › sheet › cell)."""

    file: Path | None = None
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        parts = [self.file.name if self.file else None, self.sheet, self.cell]
        return " › ".join(p for p in parts if p)

    def at(self, cell: str) -> Location:
        return Location(self.file, self.sheet, cell)


class Severity(Enum):
    ERROR = "错误"
    WARNING = "提醒"


@dataclass(frozen=True)
class Finding:
    """One problem found in an input; errors stop that document, warnings do not."""

    location: Location
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}：{self.message}" if where else self.message


class GwError(Exception):
    """A problem the user can fix; its text is shown as is, without a traceback."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.message = message
        self.location = location or Location()
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}：{self.message}" if where else self.message

    def __reduce__(self) -> tuple[type[GwError], tuple[str, Location]]:
        # Subclasses travel as plain GwError: what crosses a process boundary is the message.
        return GwError, (self.message, self.location)


class InputInvalid(GwError):
    """A workbook whose findings include errors; carries all of them."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        errors = [f for f in findings if f.is_error]
        first = errors[0] if errors else findings[0]
        more = f"（另有 {len(errors) - 1} 处错误，可用 gwmerge check 查看全部）" if len(errors) > 1 else ""
        super().__init__(first.message + more, first.location)


class InternalError(Exception):
    """An unexpected failure, reduced to text so it can cross a process boundary intact."""

    def __init__(self, description: str, traceback_text: str = "") -> None:
        super().__init__(description, traceback_text)
        self.description = description
        self.traceback_text = traceback_text

    def __str__(self) -> str:
        return self.description

    @classmethod
    def wrap(cls, exc: BaseException) -> InternalError:
        import traceback

        if isinstance(exc, InternalError):
            return exc
        return cls(f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc)))
