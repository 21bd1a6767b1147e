"""The web server's safety rules at the HTTP level: password, limits, hostile zips, lying files, sessions."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import SHEETS

with warnings.catch_warnings():  # starlette suggests httpx2; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
from webserver import free_port

from gwmerge.web import create_app
from gwmerge.web.settings import MB, Limits, Settings

EXAMPLE = SHEETS / "示例-副镇长.xlsx"
LOCAL = "http://127.0.0.1"


def _settings(tmp_path: Path, **kwargs: object) -> Settings:
    root = tmp_path / "jobs"
    root.mkdir()
    return Settings(root=root, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _settings(tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        assert client.get("/").status_code == 200  # the page hands out the session cookie
        yield client


def _files(client: TestClient, *items: tuple[str, bytes]) -> httpx.Response:
    return client.post("/api/workbooks", files=[("files", (name, data)) for name, data in items])


def _everything(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _wait(client: TestClient, job: str) -> dict:
    for _ in range(600):
        state = client.get(f"/api/jobs/{job}").json()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError("job did not finish")


# -- who may connect -------------------------------------------------------------------------------

def test_beyond_localhost_every_request_needs_the_password(tmp_path: Path) -> None:
    settings = _settings(tmp_path, password="jiu8Hao-mima", local_only=False)
    with TestClient(create_app(settings), base_url="http://192.168.1.20:8000") as client:
        page = client.get("/", headers={"accept": "text/html"}, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"
        api = client.get("/api/jobs/anything")
        assert api.status_code == 401 and api.json()["message"] == "需要访问密码，请刷新页面后输入。"
        upload = _files(client, ("a.xlsx", EXAMPLE.read_bytes()))
        assert upload.status_code == 401
        wrong = client.post("/login", data={"password": "jiu8Hao-mimA"})
        assert wrong.status_code == 401 and "密码不对" in wrong.text
        assert client.get("/").status_code in (303, 401)
        basic = base64.b64encode(b"any:jiu8Hao-mima").decode()
        assert client.get("/", headers={"authorization": f"Basic {basic}"}).status_code == 200
        assert client.post("/login", data={"password": "jiu8Hao-mima"}).status_code == 200  # redirected to /
        assert "公文合并" in client.get("/").text
    assert _everything(settings.root) == []


def test_serve_beyond_localhost_prints_a_password(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gwmerge", "serve", "--host", "0.0.0.0", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                            cwd=tmp_path, env={**os.environ, "COLUMNS": "200", "TMPDIR": str(tmp_path)})
    try:
        lines = [proc.stdout.readline() for _ in range(3)]  # type: ignore[union-attr]
        password = re.search(r"访问密码：(\S+)", "".join(lines))
        assert password, lines
        url = f"http://127.0.0.1:{port}/api/jobs/x"
        for _ in range(100):
            try:
                refused = httpx.get(url)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert refused.status_code == 401
        allowed = httpx.get(url, auth=("", password.group(1)))
        assert allowed.status_code == 404 and "找不到这项任务" in allowed.json()["message"]
        assert list(tmp_path.glob("gwmerge-web-*"))
    finally:
        proc.terminate()
        proc.wait(30)
    assert not list(tmp_path.glob("gwmerge-web-*"))  # the server's files went with it


def test_a_short_password_is_refused(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "gwmerge", "serve", "--host", "0.0.0.0", "--password", "123"],
                            capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 1 and "访问密码至少 6 个字符" in result.stderr


def test_localhost_server_refuses_other_host_names(client: TestClient) -> None:
    response = client.get("/", headers={"host": "evil.example:8000"})
    assert response.status_code == 421 and "只接受本机访问" in response.text


def test_changes_need_the_page_session_and_the_same_origin(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        first = _files(client, ("a.xlsx", EXAMPLE.read_bytes()))
        assert first.status_code == 403 and "页面已过期" in first.json()["message"]
        client.get("/")
        other_site = client.post("/api/workbooks", files={"files": ("a.xlsx", EXAMPLE.read_bytes())},
                                 headers={"origin": "http://evil.example"})
        assert other_site.status_code == 403
    assert not settings.root.exists() or _everything(settings.root) == []


def test_one_users_job_is_invisible_to_another(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app, base_url=LOCAL) as alice, TestClient(app, base_url=LOCAL) as bob:
        alice.get("/")
        bob.get("/")
        job = _files(alice, ("张三.xlsx", EXAMPLE.read_bytes())).json()["job"]
        assert _wait(alice, job)["check"]["files"][0]["name"] == "张三.xlsx"
        assert bob.get(f"/api/jobs/{job}").status_code == 404
        assert bob.post(f"/api/jobs/{job}/merge", data={}).status_code == 404
        assert bob.delete(f"/api/jobs/{job}").status_code == 404
        for action in ("workbooks", "remove", "fix"):  # nor add to it, take from it or fix it
            assert bob.post(f"/api/jobs/{job}/{action}", data={"name": "张三.xlsx"}).status_code == 404
        assert alice.post(f"/api/jobs/{job}/merge", data={}).status_code == 202
        merged = _wait(alice, job)["merge"]
        token = merged["rows"][0]["docx"]["token"]
        assert bob.get(f"/api/jobs/{job}/files/{token}").status_code == 404
        download = alice.get(f"/api/jobs/{job}/files/{token}")
        assert download.status_code == 200 and download.content.startswith(b"PK")
        assert "filename*=utf-8''%E5%BC%A0%E4%B8%89.docx" in download.headers["content-disposition"]
        assert len(job) >= 24


# -- what may be uploaded --------------------------------------------------------------------------

def test_upload_over_the_limit_is_refused_and_nothing_stays(tmp_path: Path) -> None:
    settings = _settings(tmp_path, limits=Limits(file_bytes=100_000, request_bytes=300_000))
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        client.get("/")
        big = _files(client, ("大.xlsx", b"PK\x03\x04" + bytes(200_000)))
        assert big.status_code == 400 and big.json()["message"].startswith("“大.xlsx”超过")
        assert _everything(settings.root) == []
        # Beside a good workbook, the oversized file is refused on its own line and the good one is checked.
        small = EXAMPLE.read_bytes()
        assert len(small) < 100_000
        both = _files(client, ("大.xlsx", b"PK\x03\x04" + bytes(200_000)), ("好的.xlsx", small))
        assert both.status_code == 202
        files = {f["name"]: f for f in _wait(client, both.json()["job"])["check"]["files"]}
        assert files["好的.xlsx"]["ok"] and not files["好的.xlsx"]["refused"]
        assert files["大.xlsx"]["refused"] and "超过" in files["大.xlsx"]["findings"][0]["message"]
        assert {p.name for p in _everything(settings.root)} == {"好的.xlsx"}
        client.delete(f"/api/jobs/{both.json()['job']}")
        many = _files(client, *[(f"{n}.xlsx", bytes(90_000)) for n in range(5)])
        assert many.status_code == 413 and "合计不能超过" in many.json()["message"]
        assert _everything(settings.root) == []


def test_file_count_limit(tmp_path: Path) -> None:
    settings = _settings(tmp_path, limits=Limits(files=3))
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        client.get("/")
        response = _files(client, *[(f"{n}.xlsx", EXAMPLE.read_bytes()) for n in range(4)])
        assert response.status_code == 413 and "一次最多上传 3 个文件" in response.json()["message"]
        assert _everything(settings.root) == []


def test_zip_with_parent_folder_names_is_refused(client: TestClient, settings: Settings, tmp_path: Path) -> None:
    for name in ("../逃出去.xlsx", "/etc/逃出去.xlsx", "a/../../逃出去.xlsx", "..\\逃出去.xlsx", "C:/逃出去.xlsx"):
        response = _files(client, ("材料.zip", _zip(**{"好的.xlsx": EXAMPLE.read_bytes(), name: EXAMPLE.read_bytes()})))
        assert response.status_code == 400, name
        assert "压缩包“材料.zip”里有指向压缩包以外的路径" in response.json()["message"]
        assert "已拒绝整个压缩包" in response.json()["message"]
        assert _everything(settings.root) == []
    assert not list(tmp_path.rglob("逃出去.xlsx"))


def test_zip_bomb_is_refused(client: TestClient, settings: Settings) -> None:
    bomb = _zip(**{"炸弹.xlsx": bytes(150 * MB)})
    assert len(bomb) < MB
    response = _files(client, ("材料.zip", bomb))
    assert response.status_code == 400
    assert "压缩包“材料.zip”解压后过大（疑似“压缩炸弹”），已拒绝" in response.json()["message"]
    assert _everything(settings.root) == []


def test_zip_whose_sizes_lie_is_stopped_while_unpacking(tmp_path: Path) -> None:
    settings = _settings(tmp_path, limits=Limits(file_bytes=MB, zip_unpacked_bytes=2 * MB))
    data = bytearray(_zip(**{"a.xlsx": bytes(5 * MB)}))
    # Claim 1000 bytes unpacked in both the local header and the central directory.
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(sig)
        data[at + offset:at + offset + 4] = (1000).to_bytes(4, "little")
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        client.get("/")
        response = _files(client, ("材料.zip", bytes(data)))
        assert response.status_code == 400
        assert "材料.zip" in response.json()["message"]
        assert _everything(settings.root) == []


@pytest.mark.parametrize(("name", "content", "says"), [
    ("张三.xlsx", "docx", "“张三.xlsx”的内容不是Excel 工作簿（.xlsx），而是Word 文档（.docx）"),
    ("张三.xlsx", "text", "“张三.xlsx”的内容不是Excel 工作簿（.xlsx），而是文本文件（.txt）"),
    ("张三.xlsx", "zip", "“张三.xlsx”的内容不是Excel 工作簿（.xlsx），而是压缩包（.zip）"),
    ("张三.xlsx", "binary", "“张三.xlsx”的内容不是有效的Excel 工作簿（.xlsx）"),
    ("张三.zip", "docx", "“张三.zip”的内容不是压缩包（.zip），而是Word 文档（.docx）"),
    ("张三.exe", "xlsx", "“张三.exe”不是可接受的文件类型"),
    ("张三.xls", "ole", "“张三.xls”不是可接受的文件类型"),
    ("张三.xlsx", "ole", "旧版 Office 文件或加了密码的文件"),
])
def test_a_file_that_is_not_what_its_name_says(client: TestClient, settings: Settings, tmp_path: Path,
                                               name: str, content: str, says: str) -> None:
    docx = tmp_path / "a.docx"
    from docx import Document
    Document().save(docx)
    data = {"docx": docx.read_bytes(), "text": "一、存在的主要问题\n".encode(), "zip": _zip(**{"a.txt": b"x"}),
            "binary": bytes(range(256)) * 10, "xlsx": EXAMPLE.read_bytes(),
            "ole": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)}[content]
    response = _files(client, (name, data))
    assert response.status_code == 400
    assert says in response.json()["message"]
    assert _everything(settings.root) == []


def test_good_files_go_on_when_others_are_refused(client: TestClient) -> None:
    response = _files(client, ("好的.xlsx", EXAMPLE.read_bytes()), ("坏的.xlsx", b"not a workbook"),
                      ("包.zip", _zip(**{"里面/李四.xlsx": EXAMPLE.read_bytes(), "__MACOSX/._李四.xlsx": b"x",
                                         "说明.txt": b"hello"})))
    assert response.status_code == 202
    check = _wait(client, response.json()["job"])["check"]
    assert check["errors"] == 2  # the refused files count as errors, as the page says
    files = {f["name"]: f for f in check["files"]}
    assert files["好的.xlsx"]["ok"] and files["李四.xlsx"]["ok"]
    assert files["坏的.xlsx"]["refused"] and "而是文本文件" in files["坏的.xlsx"]["findings"][0]["text"]
    assert "不是可接受的文件类型" in files["包.zip › 说明.txt"]["findings"][0]["text"]


def test_uploaded_names_are_never_paths(client: TestClient, settings: Settings) -> None:
    response = _files(client, ("../../<i>名单\u202e.xlsx", EXAMPLE.read_bytes()), ("con.xlsx", EXAMPLE.read_bytes()),
                      ("..\\..\\同名.xlsx", EXAMPLE.read_bytes()), ("同名.XLSX", EXAMPLE.read_bytes()))
    names = [f["name"] for f in _wait(client, response.json()["job"])["check"]["files"]]
    assert names == ["i名单.xlsx", "_con.xlsx", "同名.xlsx", "同名 (2).xlsx"]
    stored = _everything(settings.root)
    assert {p.parent.name for p in stored} == {"in"}
    assert all(p.is_relative_to(settings.root) for p in stored)


def test_files_are_removed_after_timeout_and_when_the_server_stops(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app, base_url=LOCAL) as client:
        client.get("/")
        job = _files(client, ("a.xlsx", EXAMPLE.read_bytes())).json()["job"]
        _wait(client, job)
        assert client.delete(f"/api/jobs/{job}").status_code == 204
        assert client.get(f"/api/jobs/{job}").status_code == 404
        assert _everything(settings.root) == []
        _wait(client, _files(client, ("a.xlsx", EXAMPLE.read_bytes())).json()["job"])
        assert _everything(settings.root)
    assert not settings.root.exists()


def test_sweep_removes_finished_jobs(settings: Settings) -> None:
    from gwmerge.web.jobs import JobStore

    store = JobStore(settings.root, Limits(job_seconds=60))
    job = store.create("session")
    job.state = "done"
    (job.folder / "x").write_bytes(b"x")
    assert store.sweep(now=time.monotonic() + 30) == 0
    assert store.sweep(now=time.monotonic() + 61) == 1
    assert not job.folder.exists()
    store.close()
    shutil.rmtree(settings.root, ignore_errors=True)


def test_a_name_pattern_never_leaves_the_job_folder(client: TestClient, settings: Settings, tmp_path: Path) -> None:
    job = _files(client, ("张三.xlsx", EXAMPLE.read_bytes())).json()["job"]
    _wait(client, job)
    assert client.post(f"/api/jobs/{job}/merge", data={"name_pattern": "../../{姓名}-{职务}"}).status_code == 202
    row = _wait(client, job)["merge"]["rows"][0]
    assert row["ok"] and "/" not in row["docx"]["name"] and "\\" not in row["docx"]["name"]
    written = [p for p in _everything(settings.root) if p.suffix == ".docx"]
    assert [p.name for p in written] == [row["docx"]["name"]]
    assert all(p.is_relative_to(settings.root) for p in written)
    assert not list(tmp_path.glob("*.docx"))
    # A pattern naming no known field is refused with the command line's sentence.
    assert client.post(f"/api/jobs/{job}/merge", data={"name_pattern": "{不存在}"}).status_code == 202
    failed = _wait(client, job)
    assert failed["state"] == "failed" and "“{不存在}”不是可用的字段" in failed["message"]


def test_job_limits_make_room_by_dropping_the_oldest_finished_job(settings: Settings) -> None:
    from gwmerge.web.jobs import Job, JobStore
    from gwmerge.web.multipart import Refused

    store = JobStore(settings.root, Limits(jobs_per_session=2, jobs_total=2))

    def finished(session: str) -> Job:
        job = store.create(session)
        job.state = "done"
        return job

    first = finished("a")
    second = finished("a")
    finished("a")  # the first one made room
    assert store.get("a", first.id) is None and not first.folder.exists()
    finished("b")  # all sessions together: the oldest of all goes
    assert store.get("a", second.id) is None
    for _ in range(2):
        store.create("c").state = "running"  # queued or running: never dropped
    with pytest.raises(Refused, match="同时进行的任务太多"):
        store.create("c")
    store.close()


def test_a_malformed_or_endless_form_is_refused(client: TestClient, settings: Settings) -> None:
    boundary = "b0und4ry"
    huge_header = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{'a' * 20000}.xlsx\""
                   f"\r\n\r\nx\r\n--{boundary}--\r\n").encode()
    for body, content_type in ((huge_header, f"multipart/form-data; boundary={boundary}"),
                               (b"not multipart", "text/plain"),
                               (b"--x\r\ngarbage", "multipart/form-data; boundary=x")):
        response = client.post("/api/workbooks", content=body, headers={"content-type": content_type})
        assert response.status_code == 400, body[:40]
        assert response.json()["message"]
    assert _everything(settings.root) == []


def test_unknown_addresses_answer_in_chinese(client: TestClient) -> None:
    assert client.get("/nothing-here").json()["message"] == "没有这个页面。"
    assert client.put("/api/workbooks").json()["message"] == "不支持这种请求方式。"
    assert client.get("/static/../app.py").status_code == 404


def test_browser_tests_fail_in_ci_without_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    from webserver import chromium

    monkeypatch.delenv("GWMERGE_CHROMIUM", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("GWMERGE_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="没有找到 chromium"):
        chromium()
    monkeypatch.delenv("GWMERGE_REQUIRE_BROWSER")
    with pytest.raises(pytest.skip.Exception):
        chromium()


def test_a_cancelled_job_leaves_nothing(settings: Settings) -> None:
    """取消 while a batch is generating: the job and all its files go once the batch has stopped."""
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        client.get("/")
        job = _files(client, *[(f"{n}.xlsx", EXAMPLE.read_bytes()) for n in range(3)]).json()["job"]
        _wait(client, job)
        assert client.post(f"/api/jobs/{job}/merge", data={}).status_code == 202
        assert client.delete(f"/api/jobs/{job}").status_code == 204
        for _ in range(600):
            if client.get(f"/api/jobs/{job}").status_code == 404 and not _everything(settings.root):
                break
            time.sleep(0.05)
        assert client.get(f"/api/jobs/{job}").status_code == 404
        assert _everything(settings.root) == []


def test_shared_addresses_are_found_without_sending_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    """The addresses printed for colleagues: this machine's own, never loopback, and no packet sent."""
    import ipaddress
    import socket

    from gwmerge.web.addresses import lan_addresses, urls

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an address lookup must not send anything")

    for name in ("send", "sendto", "sendall"):
        monkeypatch.setattr(socket.socket, name, refuse)
    found = lan_addresses()
    for address in found:
        ip = ipaddress.ip_address(address)
        assert not ip.is_loopback and not ip.is_unspecified and not ip.is_link_local
    assert urls("0.0.0.0", 8000) == [f"http://{a}:8000/" for a in found]
    assert urls("192.168.3.4", 9000) == ["http://192.168.3.4:9000/"]
