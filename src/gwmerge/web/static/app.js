// gwmerge web page. Plain DOM and fetch(); all user text goes in via textContent, never as HTML.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

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

async function reply(response) {
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll(jobId, onUpdate) {
  for (;;) {
    const job = await reply(await fetch(`/api/jobs/${encodeURIComponent(jobId)}`));
    onUpdate(job);
    if (job.state === "done" || job.state === "failed") return job;
    await sleep(400);
  }
}

// ---- steps -----------------------------------------------------------------------------------

function show(step) {
  for (const button of $$("nav.steps button")) button.classList.toggle("active", button.dataset.step === step);
  for (const panel of $$(".panel")) panel.classList.toggle("active", panel.id === `step-${step}`);
}

// ---- drop zones: a click chooses files, a drop hands them over -----------------------------

function dropZone(zone, onFiles) {
  const input = $("input[type=file]", zone);
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

// A theme belongs to one kind: only the chosen kind's themes are offered.
function themesFollowKind(form) {
  const follow = () => {
    const kind = form.elements.kind.value;
    for (const option of form.elements.theme.options) {
      option.hidden = Boolean(option.dataset.kind) && option.dataset.kind !== kind;
    }
    if (form.elements.theme.selectedOptions[0]?.hidden) form.elements.theme.value = "";
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
      const name = await downloadFrom(await fetch("/api/new", { method: "POST", body: new FormData(newForm) }), "工作簿.xlsx");
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
      const response = await fetch("/api/new", { method: "POST", body });
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

// ---- 检查 ------------------------------------------------------------------------------------

let current = null; // { id, names } of the uploaded workbooks

function findingItem(finding) {
  const item = el("li", { class: `finding ${finding.error ? "error" : "warning"}` },
    el("span", { class: "badge", text: finding.severity }));
  if (finding.where) item.append(el("span", { class: "where", text: finding.where }), "：");
  item.append(el("span", { class: "message", text: finding.message }));
  return item;
}

function renderCheck(check) {
  const list = $("#check-files");
  list.replaceChildren();
  for (const file of check.files) {
    const head = el("h3", {}, file.name);
    if (!file.findings.length) head.append(el("span", { class: "ok", text: "：没有发现问题" }));
    const item = el("li", { class: file.ok ? "file passed" : "file failed" }, head);
    if (file.findings.length) item.append(el("ul", { class: "findings" }, ...file.findings.map(findingItem)));
    list.append(item);
  }
  const clean = check.errors === 0 && check.warnings === 0;
  $("#check-summary").textContent = clean
    ? `${check.files.length} 个工作簿都没有发现问题。`
    : `共 ${check.errors} 处错误、${check.warnings} 处提醒。有错误的工作簿不会生成文档，请改好后重新上传。`;
  $("#check-summary").className = clean ? "summary good" : "summary";
  $("#check-next").hidden = !check.files.some((f) => f.ok);
}

async function upload(files) {
  const message = $("#check-message");
  message.textContent = "";
  $("#check-files").replaceChildren();
  $("#check-summary").textContent = "";
  $("#check-busy").hidden = false;
  const body = new FormData();
  for (const file of files) body.append("files", file);
  try {
    if (current) fetch(`/api/jobs/${encodeURIComponent(current.id)}`, { method: "DELETE" });
    current = null;
    resetMerge();
    const { job } = await reply(await fetch("/api/workbooks", { method: "POST", body }));
    const done = await poll(job, () => {});
    if (done.state === "failed") throw new Error(done.message);
    renderCheck(done.check);
    current = { id: job, names: done.check.files.filter((f) => !f.refused).map((f) => f.name) };
    showInputs();
  } catch (error) {
    message.textContent = error.message;
  } finally {
    $("#check-busy").hidden = true;
  }
}

// ---- 生成 ------------------------------------------------------------------------------------

function resetMerge() {
  $("#merge-result").hidden = true;
  $("#merge-progress").hidden = true;
  $("#merge-message").textContent = "";
  showInputs();
}

function showInputs() {
  const has = Boolean(current);
  $("#merge-none").hidden = has;
  $("#merge-form").hidden = !has;
  if (has) $("#merge-inputs").textContent = `将处理“检查”中上传的 ${current.names.length} 个工作簿：${current.names.join("、")}`;
}

const fileUrl = (jobId, token) => `/api/jobs/${encodeURIComponent(jobId)}/files/${encodeURIComponent(token)}`;

function link(jobId, file) {
  return el("a", { href: fileUrl(jobId, file.token), download: file.name }, file.name);
}

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
    const files = el("td", { class: "outputs" });
    const notes = el("td", { class: "notes" });
    if (row.docx) files.append(link(jobId, row.docx));
    if (row.pdf) files.append(link(jobId, row.pdf));
    if (row.pdf_missing) notes.append(el("div", { class: "bad", text: "PDF 未能生成" }));
    if (row.reason) notes.append(el("ul", { class: "findings" }, findingItem(row.reason)));
    if (row.warnings.length) notes.append(el("ul", { class: "findings" }, ...row.warnings.map(findingItem)));
    const thin = row.status === "内容过少";
    if (thin) notes.prepend(el("div", { class: "warn", text: "内容过少：除标题外几乎没有内容" }));
    const cells = [el("td", { class: "mark", text: row.ok ? (thin ? "⚠" : "✓") : "✗" }), el("td", { text: row.name })];
    if (prefix === "merge") {
      cells.push(el("td", { text: row.person || "" }), el("td", { text: row.position || "" }),
        el("td", { text: row.pages || "" }));
    }
    rows.append(el("tr", { class: row.ok ? (thin ? "ok thin" : "ok") : "failed" }, ...cells, files, notes));
  }
  $(`#${prefix}-result`).hidden = false;
}

function renderMerge(merge) {
  renderResult("merge", current.id, merge);
  for (const what of ["report", "bundle"]) {
    const button = $(`#merge-${what}`);
    button.hidden = !merge[what];
    if (merge[what]) button.href = fileUrl(current.id, merge[what]);
  }
  $("#merge-notices").replaceChildren(...(merge.notices || []).map((text) => el("li", { text })));
  const previews = $("#previews");
  previews.replaceChildren();
  for (const row of merge.rows) {
    if (!row.preview) continue;
    previews.append(el("figure", {}, el("img", { src: fileUrl(current.id, row.preview), alt: `${row.docx.name} 第一页` }),
      el("figcaption", { text: row.docx.name })));
  }
  if (merge.pdf_problem) $("#merge-message").textContent = `未生成 PDF：${merge.pdf_problem}`;
}

function progress(job) {
  const box = $("#merge-progress");
  box.hidden = false;
  const bar = $(".bar", box);
  const known = job.total > 0 && job.done < job.total;
  bar.classList.toggle("indeterminate", !known);
  $("i", bar).style.width = known ? `${Math.round((100 * job.done) / job.total)}%` : "";
  $("span", box).textContent = known ? `${job.phase} ${job.done}/${job.total}` : job.phase || "请稍候……";
}

async function merge(event) {
  event.preventDefault();
  const form = $("#merge-form");
  const button = $("button[type=submit]", form);
  button.disabled = true;
  $("#merge-result").hidden = true;
  $("#merge-message").textContent = "";
  try {
    const url = `/api/jobs/${encodeURIComponent(current.id)}/merge`;
    await reply(await fetch(url, { method: "POST", body: new FormData(form) }));
    const done = await poll(current.id, progress);
    if (done.state === "failed") throw new Error(done.message);
    renderMerge(done.merge);
  } catch (error) {
    $("#merge-message").textContent = error.message;
  } finally {
    $("#merge-progress").hidden = true;
    button.disabled = false;
  }
}

// ---- 一键排版 --------------------------------------------------------------------------------

async function format(files) {
  const form = $("#format-form");
  const body = new FormData(form);
  body.delete("files");
  for (const file of files) body.append("files", file);
  $("#format-result").hidden = true;
  $("#format-message").textContent = "";
  $("#format-progress").hidden = false;
  try {
    const { job } = await reply(await fetch("/api/drafts", { method: "POST", body }));
    const done = await poll(job, () => {});
    if (done.state === "failed") throw new Error(done.message);
    renderResult("format", job, done.format);
  } catch (error) {
    $("#format-message").textContent = error.message;
  } finally {
    $("#format-progress").hidden = true;
  }
}

// ---- start -----------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  for (const button of $$("nav.steps button")) button.addEventListener("click", () => show(button.dataset.step));
  for (const button of $$("[data-goto]")) button.addEventListener("click", () => show(button.dataset.goto));
  prepare();
  dropZone($("#check-form .drop"), upload);
  $("#merge-form").addEventListener("submit", merge);
  dropZone($("#format-form .drop"), format);
  // Files dropped next to a drop zone would make the browser leave the page.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
});
