"""PDF previews through LibreOffice, one converter start per batch (or per job).

Starting ``soffice`` costs most of a second while converting one more document costs a tenth, so a
whole batch is handed to a single ``soffice --convert-to pdf`` process. The process gets

* a private user profile (``-env:UserInstallation``), so it neither clashes with a LibreOffice the
  user already has open nor touches their settings; it is seeded so that LibreOffice skips the
  graphics self-tests it would otherwise run at every headless start (more than half of a start);
* a private fontconfig file (``FONTCONFIG_FILE``) that maps the official font names
  (方正小标宋简体, 黑体, 楷体_GB2312, 仿宋_GB2312, 宋体 …), which free systems lack, to installed free
  fonts, so that title, headings and body stay visibly different typefaces in the preview.

PDFs are written into a temporary directory next to the target and moved into place with
``os.replace``: a reader never sees a half-written PDF.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from gwmerge.core.files import work_folder

__all__ = [
    "FONT_SUBSTITUTES",
    "PdfUnavailable",
    "convert_to_pdf",
    "find_soffice",
    "fontconfig_xml",
    "installed_font_families",
    "substitute",
]

#: Names the LibreOffice program to use (a portable or unusual install); set to a missing path, it
#: means "no LibreOffice here" (tests, or a machine where PDFs should not be attempted).
SOFFICE_ENV = "GWMERGE_SOFFICE"

# Where LibreOffice lives when it is not on PATH.
_SOFFICE_DIRS: tuple[Path, ...] = (
    Path("C:/Program Files/LibreOffice/program"),
    Path("C:/Program Files (x86)/LibreOffice/program"),
    Path("/Applications/LibreOffice.app/Contents/MacOS"),
    Path("/opt/libreoffice/program"),
    Path("/usr/lib/libreoffice/program"),
)

# A new profile's settings. LibreOffice runs its graphics self-tests (VCL's GraphicsRenderTests,
# about 0.6 s of a full core) whenever the profile's last version is older than its own, and a
# headless conversion never records the version: every start would pay for them again. A profile
# that says it was last used by a later version skips them; they only decide whether Skia is
# used on screen, never what a PDF contains.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" oor:op="fuse">\
<value>999.0</value></prop></item>
</oor:items>
"""

# Seconds allowed for starting the converter, then per document.
_START_SECONDS = 90.0
_PER_DOC_SECONDS = 15.0

# A (family, weight) candidate; weight is a fontconfig constant name or None to keep the request's.
Candidate = tuple[str, str | None]

_TITLE: tuple[Candidate, ...] = (
    ("Noto Serif CJK SC", "black"),  # picks Black if installed, else the heaviest (Bold)
    ("Source Han Serif SC", "heavy"),
    ("Source Han Serif CN", "heavy"),
    ("FandolSong", "bold"),
    ("AR PL UMing CN", "bold"),
)
_HEI: tuple[Candidate, ...] = (
    ("Noto Sans CJK SC", None),
    ("Source Han Sans SC", None),
    ("Source Han Sans CN", None),
    ("FandolHei", None),
    ("WenQuanYi Zen Hei", None),
    ("WenQuanYi Micro Hei", None),
    ("Droid Sans Fallback", None),
)
_KAI: tuple[Candidate, ...] = (
    ("AR PL UKai CN", None),
    ("FandolKai", None),
    ("LXGW WenKai", None),
    ("AR PL KaitiM GB", None),
)
_FANG: tuple[Candidate, ...] = (
    ("FandolFang", None),
    ("Noto Serif CJK SC", None),
    ("Source Han Serif SC", None),
    ("AR PL UMing CN", None),
)
_SONG: tuple[Candidate, ...] = (
    ("Noto Serif CJK SC", None),
    ("AR PL UMing CN", None),
    ("FandolSong", None),
    ("Source Han Serif SC", None),
)

#: Official font name → free candidates, best first; the first installed one is used.
FONT_SUBSTITUTES: dict[str, tuple[Candidate, ...]] = {
    **dict.fromkeys(
        ("方正小标宋简体", "方正小标宋_GBK", "方正小标宋", "小标宋", "小标宋体", "FZXiaoBiaoSong-B05S"),
        _TITLE,
    ),
    **dict.fromkeys(("黑体", "SimHei", "方正黑体_GBK", "方正黑体简体", "STHeiti", "华文黑体"), _HEI),
    **dict.fromkeys(
        ("楷体_GB2312", "楷体", "KaiTi", "KaiTi_GB2312", "方正楷体_GBK", "方正楷体简体",
         "STKaiti", "华文楷体"),
        _KAI,
    ),
    **dict.fromkeys(
        ("仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312", "方正仿宋_GBK", "方正仿宋简体",
         "STFangsong", "华文仿宋"),
        _FANG,
    ),
    **dict.fromkeys(
        ("宋体", "SimSun", "NSimSun", "新宋体", "方正书宋_GBK", "STSong", "华文宋体"), _SONG
    ),
}


class PdfUnavailable(Exception):
    """LibreOffice is not installed, so no PDF can be made."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "未找到 LibreOffice，无法生成 PDF：请安装 LibreOffice（https://zh-cn.libreoffice.org/）"
            "并确保 soffice 在 PATH 中，或改用 Word/WPS 另存为 PDF。"
        )


def find_soffice() -> Path | None:
    """Locate the LibreOffice executable: PATH first, then the usual install directories.

    On Windows: ``%ProgramFiles%\\LibreOffice\\program`` (and the x86 one); on Linux also versioned
    folders such as ``/opt/libreoffice7.6/program`` (the Document Foundation's packages).
    ``GWMERGE_SOFFICE``, when set, is the only place looked at.
    """
    chosen = os.environ.get(SOFFICE_ENV)
    if chosen is not None:
        path = Path(chosen)
        return path if chosen and path.is_file() else None
    for name in ("soffice", "libreoffice", "soffice.exe", "soffice.com"):
        found = shutil.which(name)
        if found:
            return Path(found)
    exe = "soffice.exe" if sys.platform == "win32" else "soffice"
    folders = list(_SOFFICE_DIRS)
    for var in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432"):
        if os.environ.get(var):
            folders.append(Path(os.environ[var]) / "LibreOffice" / "program")
    opt = Path("/opt")
    if sys.platform != "win32" and opt.is_dir():
        with contextlib.suppress(OSError):
            folders += sorted(opt.glob("libreoffice*/program"), reverse=True)
    for folder in folders:
        candidate = folder / exe
        if candidate.is_file():
            return candidate
    return None


def installed_font_families() -> set[str]:
    """Family names fontconfig knows (empty when there is no ``fc-list``, e.g. on Windows)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return set()
    try:
        out = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    families: set[str] = set()
    for line in out.splitlines():
        # One line per face; a face with several names lists them comma-separated.
        families.update(n.strip().replace("\\", "") for n in line.split(",") if n.strip())
    return families


def _pick(candidates: Iterable[Candidate], installed: set[str]) -> Candidate | None:
    return next((c for c in candidates if c[0] in installed), None)


def substitute(official: str, installed: set[str]) -> Candidate | None:
    """The free font the PDF uses for ``official`` when it is missing (None: installed, or no candidate)."""
    if official in installed:
        return None
    return _pick(FONT_SUBSTITUTES.get(official, ()), installed)


def fontconfig_xml(installed: set[str], system_conf: Path | None = None) -> str:
    """A fontconfig file: the system configuration plus one rule per official font name.

    A rule replaces the requested family with the first installed candidate (``binding=strong`` so
    it beats language defaults) and, for the title font, asks for a heavy weight. An official font
    that is installed gets no rule: the PDF uses the font itself.
    """
    if system_conf is None:
        default = Path("/etc/fonts/fonts.conf")
        system_conf = default if default.is_file() else None
    parts = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
        "<fontconfig>",
    ]
    if system_conf is not None:
        parts.append(f"  <include ignore_missing=\"yes\">{escape(str(system_conf))}</include>")
    for official in FONT_SUBSTITUTES:
        choice = substitute(official, installed)
        if choice is None:
            continue
        family, weight = choice
        parts += [
            '  <match target="pattern">',
            f'    <test qual="any" name="family"><string>{escape(official)}</string></test>',
            '    <edit name="family" mode="assign" binding="strong">'
            f"<string>{escape(family)}</string></edit>",
        ]
        if weight:
            parts.append(f'    <edit name="weight" mode="assign"><const>{weight}</const></edit>')
        parts.append("  </match>")
    parts.append("</fontconfig>")
    return "\n".join(parts) + "\n"


def _stage_inputs(docs: Sequence[Path], stage: Path) -> list[tuple[Path, Path]]:
    """Pair each document with the path handed to soffice.

    soffice names each PDF after its input's stem, so two inputs with the same stem (from different
    folders) would overwrite each other; the later ones are copied under a unique stem.
    """
    pairs: list[tuple[Path, Path]] = []
    seen: set[str] = set()
    for i, doc in enumerate(docs):
        src = doc
        if doc.stem.casefold() in seen:
            stage.mkdir(exist_ok=True)
            src = stage / f"{doc.stem}~{i}{doc.suffix}"
            shutil.copyfile(doc, src)
        seen.add(src.stem.casefold())
        pairs.append((doc, src))
    return pairs


def convert_to_pdf(
    docx_paths: Sequence[Path], out_dir: Path, *, timeout: float | None = None, jobs: int = 1,
    log: list[str] | None = None,
) -> dict[Path, Path]:
    """Convert documents to PDF in ``out_dir`` with one LibreOffice start per converter.

    ``jobs`` converters run side by side, each with its own profile and its share of the documents.
    Returns ``{document: pdf}`` for the PDFs produced; a document missing from the result could not
    be converted (unreadable file, or the time limit — by default 90 s plus 15 s per document —
    ran out). Each converter's exit code and error output go into ``log`` (shown by ``--debug``).
    Raises :class:`PdfUnavailable` when LibreOffice is not installed.
    """
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailable()
    # Keys stay the caller's paths; the same file given twice is converted once.
    docs: list[Path] = []
    seen: set[Path] = set()
    for given in map(Path, docx_paths):
        real = given.resolve()
        if real not in seen and real.is_file():
            seen.add(real)
            docs.append(given)
    if not docs:
        return {}
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs, len(docs)))

    # The work dir sits inside out_dir so that os.replace stays on one file system.
    with work_folder(out_dir, "pdf") as tmp:
        work = Path(tmp)
        try:
            return _convert(soffice, docs, out_dir, work, jobs, timeout, log)
        finally:
            _remove(work)


def _convert(soffice: Path, docs: list[Path], out_dir: Path, work: Path, jobs: int, timeout: float | None,
             log: list[str] | None) -> dict[Path, Path]:
    """:func:`convert_to_pdf` in its work folder."""
    pairs = _stage_inputs(docs, work / "in")
    # Contiguous shares keep each converter's documents together; sizes differ by one at most.
    shares = [pairs[i * len(pairs) // jobs:(i + 1) * len(pairs) // jobs] for i in range(jobs)]
    fonts_conf = work / "fonts.conf"
    fonts_conf.write_text(fontconfig_xml(installed_font_families()), encoding="utf-8")
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(fonts_conf)
    env.pop("FONTCONFIG_PATH", None)
    converters = [_Converter(share, work / str(i)) for i, share in enumerate(shares)]
    _run_all(soffice, converters, env, timeout)
    results = [conv.collect() for conv in converters]
    result: dict[Path, Path] = {}
    for produced, line in results:
        if log is not None:
            log.append(line)
        for doc, pdf in produced.items():
            target = out_dir / pdf.name
            os.replace(pdf, target)
            result[doc] = target
    return result


@dataclass
class _Converter:
    """One soffice process: its own profile folder, one start for its share of the documents."""

    pairs: list[tuple[Path, Path]]
    work: Path
    proc: subprocess.Popen[bytes] | None = None
    timed_out: float | None = None

    def start(self, soffice: Path, env: dict[str, str]) -> None:
        produced, profile = self.work / "pdf", self.work / "profile"
        produced.mkdir(parents=True)
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
        cmd = [
            str(soffice),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(produced),
            *(str(src.resolve()) for _, src in self.pairs),
        ]
        with (self.work / "soffice.log").open("wb") as errors:
            self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=errors, stderr=errors,
                                         start_new_session=os.name == "posix")

    def kill(self) -> None:
        """Stop soffice and the helpers it spawned (they share its process group), and wait until all are gone.

        On POSIX the launcher (``soffice`` → ``oosplash``) may already have ended while ``soffice.bin``,
        its child, still writes to the profile: the whole group is killed and waited for, or the
        profile folder could be removed while a converter still fills it.
        """
        if self.proc is None:
            return
        if os.name == "posix":
            _kill_group(self.proc)
            return
        if self.proc.poll() is not None:
            return
        # Windows: soffice.exe is a launcher; soffice.bin, its child, holds the profile's files.
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(self.proc.pid)], capture_output=True,
                           timeout=30, check=False)
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(subprocess.SubprocessError):
            self.proc.wait(timeout=30)

    def expire(self, seconds: float) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.timed_out = seconds
            self.kill()

    def collect(self) -> tuple[dict[Path, Path], str]:
        """The PDFs produced, and a line for ``--debug``: exit code and the tail of the error output."""
        done: dict[Path, Path] = {}
        for doc, src in self.pairs:
            pdf = self.work / "pdf" / f"{src.stem}.pdf"
            if pdf.is_file() and pdf.stat().st_size > 0:
                done[doc] = pdf
        code = self.proc.returncode if self.proc is not None else None
        note = f"（超过 {self.timed_out:g} 秒未完成，已中止）" if self.timed_out is not None else ""
        text = (self.work / "soffice.log").read_bytes().decode("utf-8", "replace").strip()
        return done, f"LibreOffice 退出码 {code}{note}" + (f"：{text[-2000:]}" if text else "")


def _run_all(soffice: Path, converters: list[_Converter], env: dict[str, str], timeout: float | None) -> None:
    """Start every converter at once and wait for all of them.

    The converters are started from a helper thread: a signal raises only in the main thread, so it
    can never land inside ``Popen`` after the process exists but before it is recorded (a converter
    nobody would stop). Each has its time limit on a timer, so the waits block instead of polling.
    Whatever ends the wait early — a signal raising in this thread, an error — kills every
    converter's process group and waits until it is gone: none outlives the batch.
    """
    timers: list[threading.Timer] = []
    stop = threading.Event()
    failure: list[BaseException] = []

    def start_all() -> None:
        try:
            for conv in converters:
                if stop.is_set():
                    return
                conv.start(soffice, env)
                seconds = timeout or _START_SECONDS + _PER_DOC_SECONDS * len(conv.pairs)
                timer = threading.Timer(seconds, conv.expire, (seconds,))
                timer.daemon = True
                timer.start()
                timers.append(timer)
        except BaseException as exc:  # handed to the main thread below
            failure.append(exc)
        finally:
            started.set()

    # An Event, not Thread.join: a join interrupted by a signal marks the thread finished (bpo-45274).
    started = threading.Event()
    starter = threading.Thread(target=start_all, name="gwmerge-pdf-start", daemon=True)
    try:
        starter.start()
        started.wait()
        if failure:
            raise failure[0]
        for conv in converters:
            if conv.proc is not None:
                conv.proc.wait()
    finally:
        stop.set()
        started.wait(60)  # a converter being started is recorded before it is stopped
        for timer in timers:
            timer.cancel()
        for conv in converters:
            conv.kill()


#: How long a killed converter's process group may take to disappear (a loaded machine is slow).
_GROUP_GONE_SECONDS = 20.0


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group led by ``proc`` (POSIX) and wait until no member of it runs."""
    kill = os.killpg  # type: ignore[attr-defined,unused-ignore]  # POSIX only: never called on Windows
    deadline = time.monotonic() + _GROUP_GONE_SECONDS
    while True:
        try:
            kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            break
        except PermissionError:  # the group id was reused by someone else's process: ours are gone
            break
        proc.poll()  # reaps the leader, our own child
        if not _group_running(proc.pid) or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    with contextlib.suppress(subprocess.SubprocessError):
        proc.wait(timeout=max(0.0, deadline - time.monotonic()) + 1)


def _group_running(pgid: int) -> bool:
    """Whether a process of group ``pgid`` still runs (Linux ``/proc``; elsewhere: while it takes signals).

    A killed process is gone once every one of its threads is: its main thread can be a zombie
    while another thread still finishes a write into the profile folder.
    """
    proc = Path("/proc")
    if not (proc / "self" / "stat").is_file():
        return True
    for entry in proc.iterdir():
        if entry.name.isdigit() and _stat(entry / "stat")[1:2] == [str(pgid)]:
            try:
                tasks = list((entry / "task").iterdir())
            except OSError:
                continue
            if any(_stat(task / "stat")[:1] not in ([], ["Z"], ["X"]) for task in tasks):
                return True
    return False


def _stat(path: Path) -> list[str]:
    """State and process group from a ``/proc`` stat file; [] when it is gone."""
    try:
        text = path.read_text()
    except OSError:
        return []
    fields = text[text.rfind(")") + 2:].split()  # pid (comm) state ppid pgrp …; comm may hold ")"
    return [fields[0], fields[2]] if len(fields) > 2 else []


def _remove(folder: Path) -> None:
    """Remove a work folder, trying again for a while: a stopped converter's last writes can come late."""
    deadline = time.monotonic() + 5
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists() or time.monotonic() > deadline:
            return
        time.sleep(0.05)
