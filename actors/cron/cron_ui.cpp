// The jobs page cron serves at / on its own port: it reads the same REST API
// (same origin, so no cross-origin rules to open), and the master's UI links
// to it through the framework's webui_url, as Mesos' UI links to Chronos.
// One small page, kept in the binary as text rather than built from assets.
#include "actors/cron/cron_http.hpp"

namespace cairn {

const char* cron_ui_page() {
  return R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cairn cron</title>
<link rel="icon" href="data:,">
<style>
body { font: 14px system-ui, sans-serif; margin: 0; color: #222; }
header { background: #23313f; color: #fff; padding: 10px 16px; }
header b { margin-right: 16px; }
main { padding: 12px 16px; }
table { border-collapse: collapse; width: 100%; margin-bottom: 20px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #ddd; }
th { background: #f3f4f6; }
tr.job { cursor: pointer; }
tr.job:hover, tr.on { background: #eef4ff; }
.success, .TASK_FINISHED { color: #11733b; }
.failure, .TASK_FAILED, .TASK_LOST, .TASK_ERROR { color: #b42318; }
.muted { color: #777; }
#error { color: #b42318; }
</style>
</head>
<body>
<header><b>cairn cron</b><span id="leader" class="muted"></span></header>
<main>
<div id="error"></div>
<table id="jobs"><thead><tr>
<th>Job</th><th>Schedule</th><th>Next run</th><th>Last result</th><th>State</th>
<th>Successes</th><th>Errors</th><th>Skipped</th><th>Disabled</th>
</tr></thead><tbody></tbody></table>
<h3 id="history-title" hidden></h3>
<table id="history" hidden><thead><tr>
<th>Task</th><th>Attempt</th><th>Start</th><th>End</th><th>State</th><th>Exit</th>
<th>Agent</th><th>Sandbox</th>
</tr></thead><tbody></tbody></table>
</main>
<script>
"use strict";
const api = "v1/scheduler";
let chosen = decodeURIComponent(location.hash.replace(/^#/, ""));

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text === undefined || text === "" ? "-" : String(text);
  if (cls) td.className = cls;
}

async function get(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

function schedule(j) {
  if (j.parents && j.parents.length) return "after " + j.parents.join(", ");
  return j.cron ? "cron " + j.cron : j.schedule;
}

function last(j) {
  if (!j.lastSuccess && !j.lastError) return "fresh";
  return (j.lastSuccess || "") >= (j.lastError || "") ? "success" : "failure";
}

async function draw_jobs() {
  const [jobs, summary] = await Promise.all([get(`${api}/jobs`), get(`${api}/jobs/summary`)]);
  const state = {};
  for (const s of summary.jobs || []) state[s.name] = s.state;
  const body = document.querySelector("#jobs tbody");
  body.textContent = "";
  for (const j of jobs) {
    const row = body.insertRow();
    row.className = "job" + (j.name === chosen ? " on" : "");
    row.dataset.job = j.name;
    row.onclick = () => { chosen = j.name; location.hash = encodeURIComponent(j.name); tick(); };
    cell(row, j.name);
    cell(row, schedule(j));
    cell(row, j.nextRunAt);
    cell(row, last(j), last(j));
    cell(row, state[j.name]);
    cell(row, j.successCount || 0);
    cell(row, j.errorCount || 0);
    cell(row, j.skipCount || 0);
    cell(row, j.disabled ? "yes" : "no");
  }
  if (!jobs.length) cell(body.insertRow(), "No jobs yet.", "muted");
  return jobs.some((j) => j.name === chosen);
}

async function draw_history(known) {
  const title = document.getElementById("history-title");
  const table = document.getElementById("history");
  title.hidden = table.hidden = !known;
  if (!known) return;
  const h = await get(`${api}/job/${encodeURIComponent(chosen)}/history`);
  title.textContent = `History of ${chosen}`;
  const body = table.querySelector("tbody");
  body.textContent = "";
  for (const r of (h.runs || []).slice().reverse()) {
    const row = body.insertRow();
    cell(row, r.taskId);
    cell(row, r.attempt || 0);
    cell(row, r.start);
    cell(row, r.end);
    cell(row, r.state, r.state);
    cell(row, r.exitStatus === undefined || r.exitStatus < 0 ? "" : r.exitStatus);
    cell(row, r.agentId);
    cell(row, r.sandbox);
  }
  if (!(h.runs || []).length) cell(body.insertRow(), "No runs yet.", "muted");
}

async function tick() {
  try {
    await draw_history(await draw_jobs());
    const l = await get("leader");
    document.getElementById("leader").textContent = l.leader ? `leader ${l.leader}` : "";
    document.getElementById("error").textContent = "";
  } catch (e) {
    document.getElementById("error").textContent = String(e.message || e);
  }
}

tick();
setInterval(tick, 2000);
</script>
</body>
</html>
)html";
}

} // namespace cairn
