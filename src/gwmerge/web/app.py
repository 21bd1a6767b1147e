"""The web application: a page with four steps, and the JSON endpoints its script calls."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import json
import urllib.parse
import zipfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from gwmerge import api, checks
from gwmerge.batch.naming import PATTERN_HINT
from gwmerge.core.errors import Finding, GwError
from gwmerge.doctor import examine
from gwmerge.document.kinds import Kind
from gwmerge.document.profile import PROFILES
from gwmerge.web import intake, multipart, work
from gwmerge.web.guard import AUTH_COOKIE, Guard, auth_token, password_ok
from gwmerge.web.jobs import QUEUED, RECEIVING, RUNNING, Job, JobStore
from gwmerge.web.multipart import Form, Refused
from gwmerge.web.settings import MB, Settings

HERE = Path(__file__).parent
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)


# What each 格式方案 changes, said where it is chosen.
PROFILE_HELP = {
    "系统字体": "用 Windows 自带的仿宋、楷体代替仿宋_GB2312、楷体_GB2312（电脑没装 GB2312 字体时选）",
    "28磅行距": "行距 28 磅（默认按每页 22 行排）",
    "西文新罗马": "数字和英文字母用 Times New Roman",
    "小标宋GBK": "标题用“方正小标宋_GBK”字体（有的单位装的是这一款）",
    "引导句加粗": "“一是”“二是”等引导句加粗",
}
# The {字段} a file name may use, each with what it takes.
FIELD_HELP = {
    "单位": "“基本信息”里的单位", "姓名": "姓名", "职务": "职务", "文种": "文种名称", "年度": "年度，如 2025",
    "日期": "落款日期", "标题": "文档标题", "署名": "署名（未填为姓名）", "文件名": "原工作簿的文件名",
}


def _client(request: Request) -> str:
    """The client's address (the per-address cap on uploads still arriving)."""
    return request.client.host if request.client else ""


def _message(status: int, text: str) -> JSONResponse:
    return JSONResponse({"message": text}, status_code=status, headers={"cache-control": "no-store"})


def _job_view(job: Job) -> dict[str, Any]:
    """What the page needs to show the job again after a reload: the task, its progress, its results."""
    keys = ("task", "check", "merge", "format", "fix", "message")
    return {"state": job.state, "phase": job.phase, "done": job.done, "total": job.total,
            **{k: job.data[k] for k in keys if k in job.data}}


def _this_year() -> int:
    return datetime.date.today().year


def _default_theme(kind: Kind) -> str:
    """The theme offered first: this year's, else the latest year before it."""
    years = [t.year for t in kind.themes if t.year is not None and t.year <= _this_year()]
    return str(max(years)) if years else ""


class Web:
    """Routes bound to one server's settings and job store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = JobStore(settings.root, settings.limits)

    # -- helpers ---------------------------------------------------------------------------

    def _session(self, request: Request) -> str:
        return str(request.scope["state"]["session"])

    def _job(self, request: Request) -> Job:
        job = self.store.get(self._session(request), request.path_params["job"])
        if job is None:
            raise Refused("找不到这项任务，可能已过期被清理；请重新上传。", 404)
        return job

    async def _form(self, request: Request, job: Job) -> Form:
        length = request.headers.get("content-length")
        return await multipart.parse(request.headers.get("content-type", ""), request.stream(), job.folder,
                                     self.settings.limits, int(length) if length and length.isdigit() else None,
                                     functools.partial(self.store.receiving, job))

    async def _intake(self, request: Request, job: Job, allowed: set[str],
                      required: bool = True) -> tuple[Form, list[intake.Entry]]:
        """The request's form, its files accepted into ``job/in`` or refused one by one."""
        form = await self._form(request, job)
        entries = await run_in_threadpool(intake.accept, form.files, allowed, intake.Inbox(job.folder / "in"),
                                          self.settings.limits)
        if (required or entries) and not any(e.path for e in entries):
            reasons = [e.refused for e in entries if e.refused]
            raise Refused("".join(reasons) or "没有收到文件，请选择要上传的文件。")
        return form, entries

    # -- pages -----------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        kinds = api.list_kinds()
        page = _env.get_template("index.html").render(
            kinds=kinds, profiles=[(name, PROFILE_HELP.get(name, "")) for name in PROFILES if name != "标准"],
            limits=self.settings.limits, MB=MB, shared=not self.settings.local_only,
            default_theme={k.id: _default_theme(k) for k in kinds}, fields=PATTERN_HINT, FIELD_HELP=FIELD_HELP)
        return HTMLResponse(page, headers={"cache-control": "no-store"})

    async def login(self, request: Request) -> Response:
        if self.settings.password is None:
            return RedirectResponse("/", 303)
        wrong = False
        if request.method == "POST":
            form = await request.form(max_files=0, max_fields=5)
            given = form.get("password")
            if isinstance(given, str) and password_ok(self.settings, given):
                response = RedirectResponse("/", 303)
                response.set_cookie(AUTH_COOKIE, auth_token(self.settings), httponly=True, samesite="strict")
                return response
            await asyncio.sleep(1)  # slows guessing down
            wrong = True
        page = _env.get_template("login.html").render(wrong=wrong)
        return HTMLResponse(page, status_code=401 if wrong else 200)

    # -- 准备 ------------------------------------------------------------------------------

    async def new(self, request: Request) -> Response:
        """A blank workbook, or with a roster one per person in a zip."""
        job = self.store.create(self._session(request), _client(request))
        try:
            form, entries = await self._intake(request, job, {intake.XLSX, intake.CSV}, required=False)
            roster = next((e.path for e in entries if e.path), None)
            out = job.folder / "new"
            notes: list[Finding] = []
            written = await run_in_threadpool(
                functools.partial(api.new, out, kind=form.get("kind") or None, name=form.get("name").strip(),
                                  position=form.get("position").strip(), unit=form.get("unit").strip(),
                                  roster=roster, notes=notes, theme=form.get("theme") or None))
        except GwError as exc:
            self.store.remove(job)
            raise Refused(work.clean(job, str(exc))) from exc
        except BaseException:  # refused, or broken: the job's files go either way
            self.store.remove(job)
            raise
        done = BackgroundTask(self.store.remove, job)
        # Rows the roster skipped, names changed: the page lists them beside the download.
        said = {"x-gwmerge-notes": urllib.parse.quote(json.dumps([work.clean(job, str(n)) for n in notes],
                                                                 ensure_ascii=False))}
        if roster is None and len(written) == 1:
            return FileResponse(written[0], filename=written[0].name, background=done, headers=said)
        bundle = job.folder / "工作簿.zip"
        with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in written:
                zf.write(path, path.name)
        return FileResponse(bundle, filename="空白工作簿.zip", background=done, headers=said)

    # -- 检查 and 生成 ---------------------------------------------------------------------

    async def workbooks(self, request: Request) -> Response:
        """Upload workbooks (or zips of them); they are checked straight away."""
        job = self.store.create(self._session(request), _client(request))
        try:
            _, entries = await self._intake(request, job, {intake.XLSX, intake.ZIP})
        except BaseException:  # refused, or broken: the job's files go either way
            self.store.remove(job)
            raise
        job.data["inputs"], job.data["refused"] = [], []
        work.add_inputs(job, entries)
        self._start(job, "check", work.run_check)
        return JSONResponse({"job": job.id}, status_code=202)

    async def add_workbooks(self, request: Request) -> Response:
        """More workbooks for the same batch: they join the ones there (a same-named file is replaced)."""
        job = self._job(request)
        if "inputs" not in job.data:
            raise Refused("这项任务没有工作簿。")
        if job.busy:
            raise Refused("上一批还在处理中，请等它完成后再添加。", 409)
        before, job.state = job.state, RECEIVING  # the sweeper leaves a job alone while files arrive
        try:
            _, entries = await self._intake(request, job, {intake.XLSX, intake.ZIP})
        finally:
            job.state = before
        work.add_inputs(job, entries)
        self._start(job, "check", work.run_check)
        return JSONResponse({"job": job.id}, status_code=202)

    async def remove_input(self, request: Request) -> Response:
        """Take one workbook (or one refused line) out of the batch; the rest are checked again."""
        job = self._job(request)
        if job.busy:
            raise Refused("还在处理中，请稍候再移除。", 409)
        form = await request.form(max_files=0, max_fields=5)
        name = form.get("name")
        if not isinstance(name, str) or not work.remove_input(job, name):
            raise Refused("批次里没有这个文件，请刷新页面。", 404)
        if not work.inputs(job) and not job.data.get("refused"):
            self.store.remove(job)
            return JSONResponse({"job": None})
        self._start(job, "check", work.run_check)
        return JSONResponse({"job": job.id}, status_code=202)

    async def fix(self, request: Request) -> Response:
        """一键改正: what ``check --fix`` does, into copies the user downloads (and the batch goes on with)."""
        job = self._job(request)
        if not work.inputs(job):
            raise Refused("这项任务没有工作簿。")
        self._start(job, "fix", work.run_fix)
        return JSONResponse({"job": job.id}, status_code=202)

    async def switch_off(self, request: Request) -> Response:
        """“这一批不再提醒”: a rule switched off for this batch (as ``check --off``), then checked again."""
        job = self._job(request)
        if not work.inputs(job):
            raise Refused("这项任务没有工作簿。")
        form = await request.form(max_files=0, max_fields=5)
        rule = form.get("rule")
        try:
            if not isinstance(rule, str):
                raise GwError("没有说明不再提醒哪一条。")
            checks.validate_off([rule])
        except GwError as exc:
            raise Refused(exc.message) from exc
        off = job.data.setdefault("rules_off", [])
        if rule not in off:
            off.append(rule)
        self._start(job, "check", work.run_check)
        return JSONResponse({"job": job.id}, status_code=202)

    def _start(self, job: Job, task: str, run: Callable[[Job], None]) -> None:
        """Run a step of the job in its own process (``run`` is sent there: a module-level function or a
        ``functools.partial`` of one)."""
        if job.state in (QUEUED, RUNNING):  # before the label changes: the page shows the step that runs
            raise Refused("这项任务还在进行中，请稍候。", 409)
        job.data["task"] = task
        job.data.pop("message", None)
        self.store.run(job, run)

    async def drafts(self, request: Request) -> Response:
        """一键排版: upload .docx/.txt drafts; each comes back in the official format."""
        job = self.store.create(self._session(request), _client(request))
        try:
            form, entries = await self._intake(request, job, {intake.DOCX, intake.TXT})
        except BaseException:  # refused, or broken: the job's files go either way
            self.store.remove(job)
            raise
        job.data["inputs"] = [e.path for e in entries if e.path]
        job.data["refused"] = [e for e in entries if e.refused]
        profiles = tuple(p for p in form.getlist("profile") if p)
        options = work.MergeOptions(kind=form.get("kind") or None, profiles=profiles)
        self._start(job, "format", functools.partial(work.run_format, options=options))
        return JSONResponse({"job": job.id}, status_code=202)

    async def status(self, request: Request) -> Response:
        return JSONResponse(_job_view(self._job(request)), headers={"cache-control": "no-store"})

    async def merge(self, request: Request) -> Response:
        job = self._job(request)
        if "inputs" not in job.data:
            raise Refused("这项任务没有工作簿。")
        form = await request.form(max_files=0, max_fields=20)
        profiles = tuple(p for p in form.getlist("profile") if isinstance(p, str) and p)
        def text(name: str) -> str | None:
            value = form.get(name)
            return value.strip() or None if isinstance(value, str) else None

        options = work.MergeOptions(kind=text("kind"), profiles=profiles, pdf=form.get("pdf") == "1",
                                    bundle=form.get("bundle") == "1", name_pattern=text("name_pattern"))
        self._start(job, "merge", functools.partial(work.run_merge, options=options))
        return JSONResponse({"job": job.id}, status_code=202)

    async def download(self, request: Request) -> Response:
        job = self._job(request)
        item = job.downloads.get(request.path_params["token"])
        if item is None or not item[0].is_file():
            raise Refused("这个下载链接已失效（文件处理完一段时间后会自动删除），请重新生成后再下载。", 404)
        path, name = item
        if request.path_params["token"] in (job.data.get(k, {}).get("zip") for k in ("merge", "format")):
            self.store.downloaded_all(job)
        inline = path.suffix == ".png"
        return FileResponse(path, filename=name, content_disposition_type="inline" if inline else "attachment",
                            headers={"cache-control": "no-store"})

    async def environment(self, request: Request) -> Response:
        """The 环境 panel: what `gwmerge doctor` says about this machine (fonts, LibreOffice, folders)."""
        report = await run_in_threadpool(examine, self.settings.root)
        return JSONResponse(report.to_json(), headers={"cache-control": "no-store"})

    async def delete(self, request: Request) -> Response:
        """Cancel or clear: a running job's process is stopped (it removes what it was writing), and the
        job and its files go."""
        job = self._job(request)
        self.store.cancel(job)
        return Response(status_code=204)

    # -- the application -------------------------------------------------------------------

    def app(self) -> Starlette:
        @contextlib.asynccontextmanager
        async def lifespan(_: Starlette) -> AsyncIterator[None]:
            sweeper = asyncio.create_task(self._sweep())
            try:
                yield
            finally:
                sweeper.cancel()
                await run_in_threadpool(self.store.close)

        routes = [
            Route("/", self.index),
            Route("/login", self.login, methods=["GET", "POST"]),
            Route("/api/new", self.new, methods=["POST"]),
            Route("/api/workbooks", self.workbooks, methods=["POST"]),
            Route("/api/drafts", self.drafts, methods=["POST"]),
            Route("/api/environment", self.environment),
            Route("/api/jobs/{job}", self.status),
            Route("/api/jobs/{job}", self.delete, methods=["DELETE"]),
            Route("/api/jobs/{job}/merge", self.merge, methods=["POST"]),
            Route("/api/jobs/{job}/workbooks", self.add_workbooks, methods=["POST"]),
            Route("/api/jobs/{job}/remove", self.remove_input, methods=["POST"]),
            Route("/api/jobs/{job}/fix", self.fix, methods=["POST"]),
            Route("/api/jobs/{job}/off", self.switch_off, methods=["POST"]),
            Route("/api/jobs/{job}/files/{token}", self.download),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]
        app = Starlette(routes=routes, lifespan=lifespan,
                        exception_handlers={Refused: _refused, HTTPException: _http,  # type: ignore[dict-item]
                                            Exception: _internal})
        app.add_middleware(Guard, settings=self.settings)
        return app

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(30)
            await run_in_threadpool(self.store.sweep)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return _message(exc.status, exc.message)


_HTTP = {404: "没有这个页面。", 405: "不支持这种请求方式。"}


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _message(exc.status_code, _HTTP.get(exc.status_code, "请求有误。"))


async def _internal(request: Request, exc: Exception) -> Response:
    return _message(500, "服务器内部错误，请重试；如反复出现，欢迎反馈。")


def create_app(settings: Settings) -> Starlette:
    return Web(settings).app()
