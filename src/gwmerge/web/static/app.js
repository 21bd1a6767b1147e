// gwmerge web page. Plain DOM and fetch(); all user text goes in via textContent, never as HTML.
// The job a step shows lives in the address (#check/<job>): reload, Back/Forward and a second tab show it again.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

const OFFLINE = "连不上 gwmerge：它可能已经关闭。请在启动 gwmerge 的电脑上重新运行“gwmerge serve”，然后刷新本页。";
const GONE = "这项任务已不存在：处理完一段时间后（或关闭 gwmerge 时）文件会自动删除。请重新上传。";
const LINK_GONE = "这个下载链接已失效（文件处理完一段时间后会自动删除），请重新生成后再下载。";

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child); // strings become text nodes
  return node;
}

class Gone extends Error {}

// fetch() that never says "Failed to fetch": a closed server and a vanished job each get a sentence.
async function call(url, options = {}) {
  let response;
  try {
    response = await fetch(url, options);
  } catch (e) {
    $("#offline").textContent = OFFLINE;
    throw new Error(OFFLINE);
  }
  $("#offline").textContent = "";
  return response;
}

async function reply(response) {
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  if (response.status === 404 && /找不到这项任务/.test(data.message || "")) throw new Gone(GONE);
  if (!response.ok) throw new Error(data.message || `请求失败（${response.status}），请重试。`);
  return data;
}

function filenameOf(response, fallback) {
  const header = response.headers.get("content-disposition") || "";
  const star = /filename\*=utf-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="([^"]+)"/.exec(header);
  return plain ? plain[1] : fallback;
}

function notesOf(response) {
  try { return JSON.parse(decodeURIComponent(response.headers.get("x-gwmerge-notes") || "[]")); } catch (e) { return []; }
}

async function downloadFrom(response, fallback) {
  if (!response.ok) await reply(response);
  const blob = await response.blob();
  const link = el("a", { href: URL.createObjectURL(blob), download: filenameOf(response, fallback) });
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 60000);
  return link.download;
}

const jobUrl = (id, rest = "") => `/api/jobs/${encodeURIComponent(id)}${rest}`;
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- where we are: the step and its job, in the address ------------------------------------

const jobs = { check: null, format: null }; // the batch of 检查/生成, and the 一键排版 job
const watching = { check: 0, format: 0 };

function show(step) {
  for (const button of $$("nav.steps button")) {
    const on = button.dataset.step === step;
    button.classList.toggle("active", on);
    button.setAttribute("aria-selected", String(on));
  }
  for (const panel of $$(".panel")) panel.classList.toggle("active", panel.id === `step-${step}`);
}

// The address: the step, then each job there is (#merge&check=…&format=…), so any step reloads whole.
function go(step, push = true) {
  let hash = `#${step}`;
  for (const group of ["check", "format"]) if (jobs[group]) hash += `&${group}=${jobs[group]}`;
  if (location.hash !== hash) history[push ? "pushState" : "replaceState"](null, "", hash);
  show(step);
}

function parseHash() {
  const [step, ...rest] = decodeURIComponent(location.hash.slice(1)).split("&");
  const found = { step: ["prepare", "check", "merge", "format"].includes(step) ? step : "prepare" };
  for (const pair of rest) {
    const [key, value] = pair.split("=");
    if ((key === "check" || key === "format") && /^[\w-]+$/.test(value || "")) found[key] = value;
  }
  return found;
}

// The address says which jobs to show: fetch each and show it as it is now (running, done, or gone).
async function restore() {
  const wanted = parseHash();
  show(wanted.step);
  for (const group of ["check", "format"]) {
    const id = wanted[group];
    if (!id || id === jobs[group]) continue;
    if (group === "check") clearCheck(); else clearFormat();
    jobs[group] = id;
    follow(group);
  }
}

// ---- drop zones: a button (or a click, or a drop) hands files over ---------------------------

function dropZone(zone, onFiles) {
  const input = $("input[type=file]", zone);
  const button = $("button.choose", zone);
  button.addEventListener("click", (event) => { event.stopPropagation(); input.click(); });
  zone.addEventListener("click", (event) => { if (event.target === zone || event.target.tagName === "SPAN") input.click(); });
  input.addEventListener("change", () => { if (input.files.length) onFiles(Array.from(input.files)); input.value = ""; });
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer.files.length) onFiles(Array.from(event.dataTransfer.files));
  });
}

// ---- 准备 ------------------------------------------------------------------------------------

// A theme belongs to one kind: only the chosen kind's themes are offered, this year's chosen first.
function themesFollowKind(form) {
  let defaults = {};
  try { defaults = JSON.parse(form.dataset.defaultThemes || "{}"); } catch (e) { defaults = {}; }
  const follow = () => {
    const kind = form.elements.kind.value;
    for (const option of form.elements.theme.options) {
      option.hidden = Boolean(option.dataset.kind) && option.dataset.kind !== kind;
    }
    const wanted = defaults[kind] || "";
    const offered = Array.from(form.elements.theme.options).some((o) => !o.hidden && o.value === wanted);
    form.elements.theme.value = offered ? wanted : "";
  };
  form.elements.kind.addEventListener("change", follow);
  follow();
}

function prepare() {
  const newForm = $("#new-form");
  themesFollowKind(newForm);
  themesFollowKind($("#roster-form"));
  newForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const note = $("[data-role=message]", newForm);
    note.className = "note";
    note.textContent = "正在生成……";
    try {
      const name = await downloadFrom(await call("/api/new", { method: "POST", body: new FormData(newForm) }), "工作簿.xlsx");
      note.textContent = `已下载：${name}`;
    } catch (error) {
      note.className = "note bad";
      note.textContent = error.message;
    }
  });
  const rosterForm = $("#roster-form");
  dropZone($(".drop", rosterForm), async (files) => {
    const note = $("[data-role=message]", rosterForm);
    note.className = "note";
    note.textContent = "正在生成……";
    const body = new FormData();
    body.append("kind", rosterForm.elements.kind.value);
    body.append("theme", rosterForm.elements.theme.value);
    body.append("roster", files[0]);
    try {
      const response = await call("/api/new", { method: "POST", body });
      const name = await downloadFrom(response, "空白工作簿.zip");
      note.textContent = `已下载：${name}（每人一个工作簿）`;
      const notes = notesOf(response);
      if (notes.length) note.append(el("ul", { class: "notes" }, ...notes.map((text) => el("li", { text }))));
    } catch (error) {
      note.className = "note bad";
      note.textContent = error.message;
    }
  });
}

// ---- following a job: progress while it runs, its results when done --------------------------

function progress(box, job) {
  box.hidden = false;
  const bar = $(".bar", box);
  const known = job.total > 0 && job.done < job.total && job.task === "merge";
  bar.classList.toggle("indeterminate", !known);
  $("i", bar).style.width = known ? `${Math.round((100 * job.done) / job.total)}%` : "";
  $("span", box).textContent = known ? `${job.phase} ${job.done}/${job.total}` : job.phase || "请稍候……";
}

// Poll the group's job until it ends (or another job takes its place), showing it all the way.
async function follow(group) {
  const ticket = ++watching[group];
  const id = jobs[group];
  const box = group === "format" ? $("#format-progress") : null;
  try {
    for (;;) {
      const job = await reply(await call(jobUrl(id)));
      if (ticket !== watching[group]) return;
      const busy = job.state !== "done" && job.state !== "failed";
      if (group === "format") {
        if (busy) progress(box, job);
        else { box.hidden = true; showFormat(id, job); }
      } else {
        showBatch(id, job, busy);
      }
      if (!busy) return;
      await wait(400);
    }
  } catch (error) {
    if (ticket !== watching[group]) return;
    if (error instanceof Gone) {
      jobs[group] = null;
      if (group === "check") clearCheck(); else clearFormat();
      go(parseHash().step, false);
    }
    if (group === "format") { box.hidden = true; $("#format-message").textContent = error.message; }
    else { $("#check-busy").hidden = true; $("#merge-progress").hidden = true; messageFor(error.message); }
  }
}

function messageFor(text) {
  const { step } = parseHash();
  $(step === "merge" ? "#merge-message" : "#check-message").textContent = text;
}

async function cancel(group) {
  const id = jobs[group];
  watching[group]++;
  jobs[group] = null;
  if (group === "check") clearCheck(); else clearFormat();
  go(parseHash().step, false);
  if (id) {
    try { await call(jobUrl(id), { method: "DELETE" }); } catch (e) { /* said in #offline */ }
  }
  const { step } = parseHash();
  const say = group === "format" ? "#format-message" : step === "merge" ? "#merge-message" : "#check-message";
  $(say).className = "note";
  $(say).textContent = group === "check" && step === "merge"
    ? "已取消，这一批工作簿已删除；请在“检查”一步重新上传。" : "已取消，上传的文件已删除。";
}

// ---- 检查 ------------------------------------------------------------------------------------

function findingItem(finding) {
  const item = el("li", { class: `finding ${finding.error ? "error" : "warning"}` },
    el("span", { class: "badge", text: finding.severity }));
  if (finding.where) item.append(el("span", { class: "where", text: finding.where }), "：");
  item.append(el("span", { class: "message", text: finding.message }));
  if (finding.fixable) item.append(el("span", { class: "fixable", text: "（可一键改正）" }));
  if (finding.rule) item.append(el("span", { class: "rule", text: `〔${finding.rule}〕` }));
  if (finding.can_off) {
    const off = el("button", { type: "button", class: "link off", text: "这一批不再提醒这一条" });
    off.dataset.rule = finding.rule;
    off.addEventListener("click", () => switchOff(finding.rule));
    item.append(" ", off);
  }
  return item;
}

function clearCheck() {
  for (const id of ["#check-files"]) $(id).replaceChildren();
  $("#check-summary").textContent = "";
  $("#check-message").textContent = "";
  $("#check-message").className = "note bad";
  $("#check-tools").hidden = true;
  $("#check-next").hidden = true;
  $("#check-busy").hidden = true;
  $("#fix-result").hidden = true;
  resetMerge();
}

function renderCheck(check) {
  const list = $("#check-files");
  list.replaceChildren();
  for (const file of check.files) {
    const head = el("h3", {}, file.name);
    if (!file.findings.length) head.append(el("span", { class: "ok", text: "：没有发现问题" }));
    else if (file.warnings) head.append(el("span", { class: "count", text: `（提醒 ${file.warnings} 处）` }));
    const remove = el("button", { type: "button", class: "remove", "aria-label": `从这一批中移除“${file.name}”` }, "移除");
    remove.addEventListener("click", () => removeOne(file.name));
    const item = el("li", { class: file.ok ? "file passed" : "file failed" }, el("div", { class: "head" }, head, remove));
    if (file.findings.length) item.append(el("ul", { class: "findings" }, ...file.findings.map(findingItem)));
    list.append(item);
  }
  const usable = check.files.filter((f) => f.ok).length;
  let summary;
  if (check.errors === 0 && check.warnings === 0) summary = `${check.files.length} 个工作簿都没有发现问题。`;
  else if (check.errors === 0) summary = `没有错误，共 ${check.warnings} 处提醒：都能生成文档，但提醒的内容会原样印进文档，建议先改正。`;
  else summary = `共 ${check.errors} 处错误、${check.warnings} 处提醒。有错误的工作簿不会生成文档，请改好后重新上传（同名文件会替换原来的）。`;
  if (check.fixable) summary += `其中 ${check.fixable} 处可以“一键改正”。`;
  $("#check-summary").textContent = summary;
  $("#check-summary").className = check.errors === 0 && check.warnings === 0 ? "summary good" : "summary";
  $("#check-tools").hidden = false;
  $("#check-fix").hidden = !check.fixable;
  $("#check-next").hidden = usable === 0;
}

function renderFix(jobId, fix) {
  const box = $("#fix-result");
  box.replaceChildren();
  if (!fix) { box.hidden = true; return; }
  box.hidden = false;
  const changed = fix.files.filter((f) => f.cells);
  box.append(el("p", { class: "good", text: changed.length
    ? `已改正 ${changed.length} 个工作簿的 ${fix.cells} 个单元格；这一批接下来用改正后的副本。请下载副本保存（原文件没有改动）：`
    : "没有可以自动改正的地方。" }));
  const list = el("ul", { class: "downloads" });
  for (const file of fix.files) {
    if (file.download) {
      const item = el("li", {}, linkTo(jobId, file.download));
      if (file.changes.length) {
        item.append(el("ul", { class: "changes" }, ...file.changes.map((c) => el("li", { text: `${c.where}：${c.what}` }))));
      }
      list.append(item);
    }
    if (file.error) list.append(el("li", { class: "bad", text: file.error }));
  }
  if (fix.zip) box.append(el("p", {}, linkTo(jobId, { token: fix.zip, name: "下载全部改正后的工作簿（zip）" }, "button primary")));
  box.append(list);
}

function showBatch(id, job, busy) {
  const merging = job.task === "merge";
  $("#check-busy").hidden = !busy || merging;
  if (busy && !merging) $("span", $("#check-busy")).textContent = job.phase || "正在检查……";
  if (busy && merging) {
    progress($("#merge-progress"), job);
    $("button[type=submit]", $("#merge-form")).disabled = true;
  }
  if (!job.merge && !merging) $("#merge-result").hidden = true;
  if (job.check) {
    renderCheck(job.check);
    inputs(job.check);
    renderFix(id, job.fix);
  }
  if (!busy) {
    $("#merge-progress").hidden = true;
    $("button[type=submit]", $("#merge-form")).disabled = false;
    if (job.merge) renderMerge(id, job.merge);
    if (job.state === "failed") messageFor(job.message || "处理失败，请重试。");
  }
}

async function upload(files) {
  $("#check-message").textContent = "";
  $("#check-message").className = "note bad";
  $("#check-busy").hidden = false;
  $("span", $("#check-busy")).textContent = "正在上传……";
  const body = new FormData();
  for (const file of files) body.append("files", file);
  try {
    const url = jobs.check ? jobUrl(jobs.check, "/workbooks") : "/api/workbooks";
    const { job } = await reply(await call(url, { method: "POST", body }));
    const fresh = jobs.check !== job;
    jobs.check = job;
    go("check", fresh);
    await follow("check");
  } catch (error) {
    if (error instanceof Gone) { jobs.check = null; clearCheck(); return upload(files); }
    $("#check-message").textContent = error.message;
    $("#check-busy").hidden = true;
  }
}

async function removeOne(name) {
  const body = new FormData();
  body.append("name", name);
  try {
    const { job } = await reply(await call(jobUrl(jobs.check, "/remove"), { method: "POST", body }));
    if (!job) { jobs.check = null; clearCheck(); go("check", false); return; }
    await follow("check");
  } catch (error) {
    $("#check-message").textContent = error.message;
  }
}

async function clearAll() {
  const id = jobs.check;
  watching.check++;
  jobs.check = null;
  clearCheck();
  go("check", false);
  if (id) {
    try { await call(jobUrl(id), { method: "DELETE" }); } catch (e) { /* said in #offline */ }
  }
  $("#check-choose")?.focus();
}

async function switchOff(rule) {
  const body = new FormData();
  body.append("rule", rule);
  try {
    await reply(await call(jobUrl(jobs.check, "/off"), { method: "POST", body }));
    await follow("check");
    $("#check-message").className = "note";
    $("#check-message").textContent = `这一批已不再提醒〔${rule}〕，生成文档时也一样；要在工作簿里记下，可在“基本信息”的“不做的检查”中填写 ${rule}。`;
  } catch (error) {
    $("#check-message").textContent = error.message;
  }
}

async function fixAll() {
  try {
    await reply(await call(jobUrl(jobs.check, "/fix"), { method: "POST" }));
    await follow("check");
    $("#fix-result").focus();
  } catch (error) {
    $("#check-message").textContent = error.message;
  }
}

// ---- 生成 ------------------------------------------------------------------------------------

function resetMerge() {
  $("#merge-result").hidden = true;
  $("#merge-progress").hidden = true;
  $("#merge-message").textContent = "";
  $("#merge-message").className = "note bad";
  $("#merge-none").hidden = false;
  $("#merge-form").hidden = true;
}

function inputs(check) {
  const names = check.files.filter((f) => f.ok).map((f) => f.name);
  const has = names.length > 0;
  $("#merge-none").hidden = has;
  $("#merge-form").hidden = !has;
  if (has) $("#merge-inputs").textContent = `将处理“检查”中通过的 ${names.length} 个工作簿：${names.join("、")}`;
}

const fileUrl = (jobId, token) => jobUrl(jobId, `/files/${encodeURIComponent(token)}`);

// A download link that first asks whether the file is still there, so an expired link says so.
function linkTo(jobId, file, className = "") {
  const link = el("a", { href: fileUrl(jobId, file.token), download: file.name, class: className }, file.name);
  return link;
}

document.addEventListener("click", async (event) => {
  const link = event.target.closest("a[download][href^='/api/jobs/']");
  if (!link || link.dataset.checked) return;
  event.preventDefault();
  let ok = false;
  try { ok = (await call(link.href, { method: "HEAD" })).ok; } catch (e) { return; }
  if (!ok) {
    const say = link.closest(".panel")?.querySelector("[role=alert]");
    if (say) say.textContent = LINK_GONE;
    return;
  }
  link.dataset.checked = "1";
  link.click();
  delete link.dataset.checked;
});

// A result table like the command line's closing lines: one row per input, ✓ or ✗.
function renderResult(prefix, jobId, result) {
  $(`#${prefix}-summary`).textContent = result.summary;
  $(`#${prefix}-summary`).className = result.failed ? "bad" : "good";
  const zip = $(`#${prefix}-zip`);
  zip.hidden = !result.zip;
  if (result.zip) zip.href = fileUrl(jobId, result.zip);
  const rows = $(`#${prefix}-rows`);
  rows.replaceChildren();
  for (const row of result.rows) {
    const files = el("td", { class: "outputs", "data-label": prefix === "merge" ? "生成的文档" : "排好的文档" });
    const notes = el("td", { class: "notes", "data-label": "说明" });
    if (row.docx) files.append(linkTo(jobId, row.docx));
    if (row.pdf) files.append(linkTo(jobId, row.pdf));
    if (row.pdf_missing) notes.append(el("div", { class: "bad", text: "PDF 未能生成" }));
    if (row.reason) notes.append(el("ul", { class: "findings" }, findingItem(row.reason)));
    if (row.warnings.length) {
      notes.append(el("div", { class: "warn", text: row.ok
        ? `提醒 ${row.warnings.length} 处，以下内容已原样印入文档：` : `提醒 ${row.warnings.length} 处：` }));
      notes.append(el("ul", { class: "findings" }, ...row.warnings.map(findingItem)));
    }
    const thin = row.status === "内容过少";
    if (thin) notes.prepend(el("div", { class: "warn", text: "内容过少：除标题外几乎没有内容" }));
    const mark = el("span", { class: "mark", "aria-label": row.ok ? "成功" : "失败", text: row.ok ? (thin ? "⚠ " : "✓ ") : "✗ " });
    const cells = [el("td", { class: "name", "data-label": prefix === "merge" ? "工作簿" : "原稿" }, mark, row.name)];
    if (prefix === "merge") {
      cells.push(el("td", { "data-label": "姓名", text: row.person || "" }),
        el("td", { "data-label": "职务", text: row.position || "" }),
        el("td", { "data-label": "页数", text: row.pages || "" }));
    }
    rows.append(el("tr", { class: row.ok ? (thin ? "ok thin" : "ok") : "failed" }, ...cells, files, notes));
  }
  $(`#${prefix}-result`).hidden = false;
}

function renderMerge(jobId, merge) {
  renderResult("merge", jobId, merge);
  for (const what of ["report", "bundle"]) {
    const button = $(`#merge-${what}`);
    button.hidden = !merge[what];
    if (merge[what]) button.href = fileUrl(jobId, merge[what]);
  }
  $("#merge-notices").replaceChildren(...(merge.notices || []).map((text) => el("li", { text })));
  const previews = $("#previews");
  previews.replaceChildren();
  for (const row of merge.rows) {
    if (!row.preview) continue;
    previews.append(el("figure", {}, el("img", { src: fileUrl(jobId, row.preview), alt: `${row.docx.name} 第一页` }),
      el("figcaption", { text: row.docx.name })));
  }
  if (merge.pdf_problem) $("#merge-message").textContent = `未生成 PDF：${merge.pdf_problem}`;
}

async function merge(event) {
  event.preventDefault();
  const form = $("#merge-form");
  $("button[type=submit]", form).disabled = true;
  $("#merge-result").hidden = true;
  $("#merge-message").textContent = "";
  try {
    await reply(await call(jobUrl(jobs.check, "/merge"), { method: "POST", body: new FormData(form) }));
    progress($("#merge-progress"), { phase: "排队中……", total: 0, done: 0 });
    await follow("check");
  } catch (error) {
    if (error instanceof Gone) { jobs.check = null; clearCheck(); go("merge", false); }
    $("#merge-message").textContent = error.message;
    $("button[type=submit]", form).disabled = false;
  }
}

// The {字段} picker: a click (or Enter/Space) puts the field where the cursor is.
function fieldPicker() {
  const input = $("#name-pattern");
  for (const button of $$("button.field")) {
    button.addEventListener("click", () => {
      const at = input.selectionStart ?? input.value.length;
      const end = input.selectionEnd ?? at;
      const before = input.value.slice(0, at);
      const joiner = before && !/[-_ ·—]$/.test(before) ? "-" : "";
      input.value = before + joiner + button.dataset.field + input.value.slice(end);
    });
  }
}

// ---- 一键排版 --------------------------------------------------------------------------------

function clearFormat() {
  $("#format-result").hidden = true;
  $("#format-message").textContent = "";
  $("#format-message").className = "note bad";
  $("#format-progress").hidden = true;
}

function showFormat(id, job) {
  if (job.state === "failed") $("#format-message").textContent = job.message || "排版失败，请重试。";
  else if (job.format) renderResult("format", id, job.format);
}

async function format(files) {
  const form = $("#format-form");
  const body = new FormData(form);
  body.delete("files");
  for (const file of files) body.append("files", file);
  clearFormat();
  progress($("#format-progress"), { phase: "正在上传……", total: 0, done: 0 });
  try {
    const { job } = await reply(await call("/api/drafts", { method: "POST", body }));
    jobs.format = job;
    go("format");
    await follow("format");
  } catch (error) {
    $("#format-message").textContent = error.message;
    $("#format-progress").hidden = true;
  }
}

// ---- start -----------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  const tabs = $$("nav.steps button");
  for (const button of tabs) {
    button.addEventListener("click", () => go(button.dataset.step));
    button.addEventListener("keydown", (event) => { // arrow keys move between tabs, as tabs do
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(tabs.indexOf(button) + step + tabs.length) % tabs.length];
      next.focus();
      next.click();
    });
  }
  for (const button of $$("[data-goto]")) button.addEventListener("click", () => {
    go(button.dataset.goto);
    $(`#tab-${button.dataset.goto}`).focus();
  });
  for (const button of $$("#check-busy [data-cancel], #merge-progress [data-cancel]")) button.addEventListener("click", () => cancel("check"));
  $("#format-progress [data-cancel]").addEventListener("click", () => cancel("format"));
  prepare();
  $("#check-form .choose").id = "check-choose";
  dropZone($("#check-form .drop"), upload);
  $("#check-fix").addEventListener("click", fixAll);
  $("#check-clear").addEventListener("click", clearAll);
  $("#fix-result").tabIndex = -1;
  $("#merge-form").addEventListener("submit", merge);
  fieldPicker();
  dropZone($("#format-form .drop"), format);
  window.addEventListener("popstate", restore);
  restore();
  // Files dropped next to a drop zone would make the browser leave the page.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
});
