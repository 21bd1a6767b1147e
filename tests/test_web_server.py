"""The web server under pressure, over real sockets: slow uploads, a heavy file, signals, refusals.

Most tests run the installed command (``python -m gwmerge serve``) in a child process with a
private TMPDIR, so that what it leaves on disk can be seen, and act on it from outside as a crowd
of clients, a hostile file or the terminal would. Linux only (``/proc`` shows the processes).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from conftest import SHEETS
from process import descendants
from webserver import free_port, running
from webserver import settings as make_settings

from gwmerge.web.settings import MB, Limits

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to see the processes"),
]
EXAMPLE = SHEETS / "示例-副镇长.xlsx"
HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")
#: What the server and everything it started may use together while one job is at its cap:
#: the server (~100 MB), the fork server (~100 MB) and jobs capped at 1 GB each (Limits.job_memory_bytes).
STATED_MB = 1300


# -- a server in a child process ------------------------------------------------------------------

@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    url: str
    tmp: Path  # the server's TMPDIR: its private folder goes here
    peak_kb: int = 0
    _sampling: bool = field(default=True, repr=False)

    def folders(self) -> list[Path]:
        return [p for p in self.tmp.iterdir() if p.name.startswith("gwmerge-web-")]

    def uploads(self) -> list[Path]:
        return [p for p in self.tmp.rglob("*") if p.is_file()]

    def tree(self) -> list[int]:
        return [self.proc.pid, *descendants(self.proc.pid)]

    def sample(self) -> None:
        """Follow the memory of the server and everything it started (sum of resident sizes)."""
        while self._sampling and self.proc.poll() is None:
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in self.tree()))
            time.sleep(0.05)

    def stop(self, sig: signal.Signals = signal.SIGTERM, seconds: float = 30) -> tuple[int, str]:
        self._sampling = False
        self.proc.send_signal(sig)
        try:
            out, _ = self.proc.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
            pytest.fail(f"the server was still running {seconds} s after {sig.name}: {out.decode(errors='replace')}")
        return self.proc.returncode, out.decode("utf-8", "replace")


@contextlib.contextmanager
def serve(tmp_path: Path, **env: str) -> Iterator[Served]:
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    port = free_port()
    environment = dict(os.environ, TMPDIR=str(tmp), COLUMNS="200", NO_COLOR="1", PYTHONIOENCODING="utf-8", **env)
    proc = subprocess.Popen([sys.executable, "-m", "gwmerge", "serve", "--port", str(port)], env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    served = Served(proc, f"http://127.0.0.1:{port}", tmp)
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.communicate()
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            break
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
    sampler = threading.Thread(target=served.sample, daemon=True)
    sampler.start()
    try:
        yield served
    finally:
        served._sampling = False
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found[1]) if found else 0


def _running(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""


class User:
    """One person's browser: a session from the page, then uploads and polls."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=60, headers={"origin": url})
        assert self.client.get("/").status_code == 200

    def upload(self, path: str, files: list[tuple[str, bytes]], **data: str) -> str:
        answer = self.client.post(path, files=[("files", f) for f in files], data=data)
        assert answer.status_code == 202, answer.text
        return str(answer.json()["job"])

    def state(self, job: str) -> dict:
        return dict(self.client.get(f"/api/jobs/{job}").json())

    def wait(self, job: str, seconds: float = 120) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            state = self.state(job)
            if state["state"] in ("done", "failed"):
                return state
            time.sleep(0.1)
        raise AssertionError(f"job not finished after {seconds} s: {self.state(job)}")


def _slow_upload(url: str) -> socket.socket:
    """A session of its own (GET /), then an upload that sends its headers and a few bytes, and crawls."""
    host = url.removeprefix("http://")
    with socket.create_connection(tuple(host.split(":")), timeout=30) as s:  # type: ignore[arg-type]
        s.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(65536)
            assert chunk, head
            head += chunk
    cookie = re.search(rb"set-cookie: (gwmerge_session=[^;]+)", head, re.IGNORECASE)
    assert cookie, head
    s = socket.create_connection(tuple(host.split(":")), timeout=30)  # type: ignore[arg-type]
    body_start = (b"--b0und4ry\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.xlsx\"\r\n"
                  b"Content-Type: application/octet-stream\r\n\r\nPK\x03\x04")
    s.sendall(f"POST /api/workbooks HTTP/1.1\r\nHost: {host}\r\nOrigin: {url}\r\nCookie: {cookie[1].decode()}\r\n"
              "Content-Type: multipart/form-data; boundary=b0und4ry\r\nContent-Length: 1000000\r\n\r\n".encode()
              + body_start)
    return s


def _status(s: socket.socket, seconds: float) -> tuple[int, bytes]:
    s.settimeout(seconds)
    answer = b""
    with contextlib.suppress(OSError):
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
        answer += s.recv(65536)
    found = re.match(rb"HTTP/1.1 (\d+)", answer)
    return (int(found[1]) if found else 0), answer


# -- fairness ---------------------------------------------------------------------------------------

def test_two_hundred_slow_uploads_do_not_stop_a_new_user(tmp_path: Path) -> None:
    with serve(tmp_path) as served:
        crawlers = [_slow_upload(served.url) for _ in range(200)]
        time.sleep(3)  # they have been crawling for a while when the new user comes
        started = time.monotonic()
        user = User(served.url)
        job = user.upload("/api/workbooks", [("副镇长.xlsx", EXAMPLE.read_bytes())])
        state = user.wait(job, seconds=90)
        took = time.monotonic() - started
        assert state["state"] == "done", state
        assert [f["name"] for f in state["check"]["files"]] == ["副镇长.xlsx"]
        assert state["check"]["errors"] == 0
        assert took < 90
        for s in crawlers:
            s.close()
        code, _ = served.stop()
        assert code == 128 + signal.SIGTERM
        assert served.folders() == []


def test_an_upload_that_stops_coming_is_dropped_and_its_job_removed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, limits=Limits(body_idle_seconds=1, body_seconds=3))
    with running(settings) as url:
        crawler = _slow_upload(url)
        started = time.monotonic()
        code, answer = _status(crawler, seconds=20)
        assert code == 408, answer
        assert "上传中断（1 秒没有收到数据），请重新上传。" in answer.decode("utf-8", "replace")
        assert time.monotonic() - started < 10
        crawler.close()
        time.sleep(0.5)
        assert list(settings.root.iterdir()) == []  # its job and folder are gone
        # A body that keeps trickling in is dropped once the whole upload takes too long.
        trickler = _slow_upload(url)
        started = time.monotonic()
        trickler.settimeout(0.5)
        code, answer = 0, b""
        while time.monotonic() - started < 20 and not code:
            with contextlib.suppress(OSError):
                trickler.sendall(b"x")
            with contextlib.suppress(TimeoutError):
                code, answer = _status(trickler, seconds=0.5)
        assert code == 408, answer
        assert "上传太慢" in answer.decode("utf-8", "replace")
        assert 3 <= time.monotonic() - started < 10
        trickler.close()


def test_a_session_cannot_hold_more_uploads_than_its_share(tmp_path: Path) -> None:
    from gwmerge.web.jobs import JobStore
    from gwmerge.web.multipart import Refused

    root = tmp_path / "jobs"
    root.mkdir()
    store = JobStore(root, Limits(receiving_per_session=2, receiving_per_address=3, receiving_total=4,
                                  slow_after_seconds=0))
    lan = "192.168.1.5"
    first, second = store.create("a", lan), store.create("a", lan)
    with pytest.raises(Refused, match="你同时上传的文件太多") as refused:
        store.create("a", lan)
    assert refused.value.status == 429
    other = store.create("b", lan)
    with pytest.raises(Refused, match="你同时上传的文件太多"):  # one LAN address, many sessions
        store.create("c", lan)
    local = store.create("d", "127.0.0.1")  # every local program shares 127.0.0.1: no cap by address
    # The server is full of uploads: a newcomer takes the place of the slowest crawler.
    time.sleep(0.01)
    for job in (second, other):
        job.received = 10 * MB  # arriving fast
    store.receiving(local, 0, complete=True)  # all in, its files being sorted: never a crawler
    newcomer = store.create("e", "127.0.0.1")
    assert first.dropped and not first.folder.exists() and store.receiving(first, 100) is False
    assert store.get("a", first.id) is None
    assert [j.dropped for j in (second, other, local)] == [False] * 3 and newcomer.folder.is_dir()
    # When every upload is arriving fast, nobody is dropped: the newcomer is asked to wait.
    newcomer.received = 10 * MB
    with pytest.raises(Refused, match="正在上传的人太多"):
        store.create("f", "127.0.0.1")
    store.close()


# -- a heavy file -----------------------------------------------------------------------------------

def _numbering_bomb(dest: Path, paragraphs: int = 3000, repeat: int = 250) -> Path:
    """A small .docx (a few KB) whose list starts at 2,000,000,000 with ``%1`` repeated in its lvlText."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    level = ('<w:lvl w:ilvl="0"><w:start w:val="2000000000"/><w:numFmt w:val="decimal"/>'
             f'<w:lvlText w:val="{"%1" * repeat}、"/><w:suff w:val="nothing"/></w:lvl>')
    numbering = (f'<w:numbering xmlns:w="{w}"><w:abstractNum w:abstractNumId="0">{level}</w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')
    para = ('<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
            '<w:r><w:t>工作</w:t></w:r></w:p>')
    document = f'<w:document xmlns:w="{w}" xmlns:r="{r}"><w:body>{para * paragraphs}<w:sectPr/></w:body></w:document>'
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   f'<Override PartName="/word/document.xml" ContentType="{main}.document.main+xml"/>'
                   f'<Override PartName="/word/numbering.xml" ContentType="{main}.numbering+xml"/></Types>')
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{r}/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", document)
        z.writestr("word/_rels/document.xml.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId2" Type="{r}/numbering" Target="numbering.xml"/></Relationships>')
        z.writestr("word/numbering.xml", numbering)
    return dest


def test_a_numbering_bomb_through_the_page_leaves_the_server_small_and_others_served(tmp_path: Path) -> None:
    bomb = _numbering_bomb(tmp_path / "编号炸弹.docx")
    assert bomb.stat().st_size < 10_000
    with serve(tmp_path) as served:
        attacker, colleague = User(served.url), User(served.url)
        heavy = attacker.upload("/api/drafts", [(bomb.name, bomb.read_bytes())])
        time.sleep(1)
        job = colleague.upload("/api/workbooks", [("副镇长.xlsx", EXAMPLE.read_bytes())])
        started = time.monotonic()
        state = colleague.wait(job, seconds=90)
        assert state["state"] == "done" and state["check"]["errors"] == 0, state
        waited = time.monotonic() - started
        # The bomb either ended with one sentence or is still running in its own process.
        bombed = attacker.state(heavy)
        assert bombed["state"] in ("running", "done", "failed"), bombed
        assert "Traceback" not in str(bombed)
        print(f"\npeak of the server and its processes with a numbering bomb: {served.peak_kb // 1024} MB")
        assert served.peak_kb < STATED_MB * 1024, served.peak_kb
        assert waited < 60
        code, _ = served.stop(signal.SIGTERM)
        assert code == 128 + signal.SIGTERM
        assert served.uploads() == [] and served.folders() == []


def test_a_job_past_its_memory_cap_ends_with_a_sentence_and_the_server_stays_small(tmp_path: Path) -> None:
    """The cap itself: a test-only hook (GWMERGE_TEST_JOB_ALLOCATE_MB) makes a job allocate 3 GB."""
    with serve(tmp_path, GWMERGE_TEST_JOB_ALLOCATE_MB="3000") as served:
        attacker, colleague = User(served.url), User(served.url)
        heavy = attacker.upload("/api/workbooks", [("allocate-大.xlsx", EXAMPLE.read_bytes())])
        job = colleague.upload("/api/workbooks", [("副镇长.xlsx", EXAMPLE.read_bytes())])
        failed = attacker.wait(heavy)
        assert failed["state"] == "failed"
        assert failed["message"] == ("处理这些文件所需的内存超过了每项任务的上限（1024 MB），已停止；"
                                     "请检查文件是否异常（例如编号极大、段落极多），或分批处理。")
        assert colleague.wait(job)["state"] == "done"
        print(f"\npeak of the server and its processes with a job at its cap: {served.peak_kb // 1024} MB")
        assert served.peak_kb < STATED_MB * 1024, served.peak_kb
        # The server goes on serving the same user afterwards.
        again = attacker.upload("/api/workbooks", [("副镇长.xlsx", EXAMPLE.read_bytes())])
        assert attacker.wait(again)["state"] == "done"
        served.stop()


# -- signals ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_a_job_stops_it_and_leaves_no_upload(tmp_path: Path, sig: signal.Signals) -> None:
    from conftest import need_soffice

    need_soffice()
    with serve(tmp_path) as served:
        user = User(served.url)
        job = user.upload("/api/workbooks", [(f"{i:02d}.xlsx", EXAMPLE.read_bytes()) for i in range(6)])
        assert user.wait(job)["state"] == "done"
        assert user.client.post(f"/api/jobs/{job}/merge", data={"pdf": "1"}).status_code == 202
        deadline = time.monotonic() + 120
        while not any("--convert-to" in _cmdline(p) for p in served.tree()):
            assert time.monotonic() < deadline, user.state(job)
            time.sleep(0.05)
        assert served.uploads()  # the materials are there while the job runs
        everything = served.tree()
        started = time.monotonic()
        code, output = served.stop(sig, seconds=30)
        assert code == 128 + sig, output
        assert time.monotonic() - started < 15
        assert "Traceback" not in output
        assert served.uploads() == [] and served.folders() == []
        deadline = time.monotonic() + 5
        while any(_running(p) for p in everything) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [p for p in everything if _running(p)] == []


def test_an_idle_hang_up_removes_the_servers_folder(tmp_path: Path) -> None:
    with serve(tmp_path) as served:
        assert User(served.url).client.get("/").status_code == 200
        assert served.folders()
        code, _ = served.stop(signal.SIGHUP, seconds=20)
        assert code == 128 + signal.SIGHUP
        assert served.folders() == []


def test_a_killed_servers_jobs_die_with_it_and_its_folder_goes_at_the_next_start(tmp_path: Path) -> None:
    with serve(tmp_path) as served:
        user = User(served.url)
        bomb = _numbering_bomb(tmp_path / "长.docx")
        job = user.upload("/api/drafts", [(bomb.name, bomb.read_bytes())])
        deadline = time.monotonic() + 60
        while user.state(job)["state"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # "running" is said as the job is handed to its process, which may take a moment to start
        while len(everything := served.tree()) < 3:  # the server, the fork server, the job
            assert time.monotonic() < deadline
            time.sleep(0.05)
        served.proc.kill()  # as the task manager or a power cut would
        served.proc.communicate()
        assert served.uploads()
        deadline = time.monotonic() + 15
        while any(_running(p) for p in everything) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [p for p in everything if _running(p)] == []
    old = served.folders()
    assert len(old) == 1
    with serve(tmp_path) as again:  # the same TMPDIR
        assert not old[0].exists()
        assert [p.name for p in again.folders()] == [p.name for p in again.folders() if f"-{again.proc.pid}-" in p.name]
        again.stop()


# -- refusals ---------------------------------------------------------------------------------------

def test_every_refusal_carries_the_security_headers(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, limits=Limits(request_bytes=MB, receiving_per_session=1))
    with running(settings) as url, httpx.Client(base_url=url, timeout=30) as client:
        answers = {"421": client.get("/", headers={"host": "evil.example"}),
                   "403 (no session)": client.post("/api/workbooks")}
        assert client.get("/").status_code == 200
        answers["403 (other site)"] = client.post("/api/workbooks", headers={"origin": "http://evil.example"})
        same = {"origin": url}
        answers["413"] = client.post("/api/workbooks", headers=same,
                                     files=[("files", ("a.xlsx", b"x" * (2 * MB)))])
        answers["404"] = client.get("/api/jobs/nothing")
        crawler_cookie = client.cookies.get("gwmerge_session")
        host = url.removeprefix("http://")
        with socket.create_connection(tuple(host.split(":")), timeout=30) as s:  # type: ignore[arg-type]
            s.sendall(f"POST /api/workbooks HTTP/1.1\r\nHost: {host}\r\nOrigin: {url}\r\n"
                      f"Cookie: gwmerge_session={crawler_cookie}\r\n"
                      "Content-Type: multipart/form-data; boundary=b0und4ry\r\n"
                      "Content-Length: 1000\r\n\r\n--b0".encode())
            time.sleep(0.5)
            answers["429"] = client.post("/api/workbooks", headers=same, files=[("files", ("a.xlsx", b"PK"))])
    expected = {"421": 421, "403 (no session)": 403, "403 (other site)": 403, "413": 413, "404": 404, "429": 429}
    assert {k: a.status_code for k, a in answers.items()} == expected
    for what, answer in answers.items():
        missing = [h for h in HEADERS if h not in answer.headers]
        assert missing == [], f"{what}: {missing}"
        assert answer.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in answer.headers[
            "content-security-policy"]
    assert "你同时上传的文件太多" in answers["429"].json()["message"]
