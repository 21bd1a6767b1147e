// The 环境 panel: asks the server what `gwmerge doctor` says, when the panel is first opened.
// All text goes in via textContent, never as HTML.
"use strict";

(() => {
  const panel = document.getElementById("env");
  const body = document.getElementById("env-body");
  if (!panel || !body) return;
  const marks = { ok: "✓", warn: "!", bad: "✗" };

  function item(tag, text, cls) {
    const node = document.createElement(tag);
    node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function render(report) {
    body.replaceChildren();
    for (const section of report.sections) {
      body.append(item("h3", section.title));
      const list = item("ul", "");
      for (const line of section.lines) {
        const li = item("li", "", `env-${line.state}`);
        li.append(item("b", marks[line.state] || ""), document.createTextNode(" " + line.text));
        list.append(li);
      }
      body.append(list);
    }
    if (report.advice.length) {
      body.append(item("h3", "建议"));
      const list = item("ol", "");
      for (const text of report.advice) list.append(item("li", text));
      body.append(list);
    }
  }

  let asked = false;
  panel.addEventListener("toggle", async () => {
    if (!panel.open || asked) return;
    asked = true;
    try {
      const response = await fetch("/api/environment");
      const data = await response.json();
      if (!response.ok) throw new Error(data.message || `请求失败（${response.status}）`);
      render(data);
    } catch (error) {
      asked = false;
      body.replaceChildren(item("p", `没能检查环境：${error.message}。请稍后再展开一次。`, "note bad"));
    }
  });
})();
