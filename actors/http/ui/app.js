// cairn web UI: one page, hash routes, kept live by the master's operator event
// stream, or by polling /master/state while the stream is not there.
"use strict";

// Every timer, buffer and list has a bound, named here.
const POLL_MS = 2000;              // polling period while the stream is down
const REFRESH_MIN_GAP_MS = 300;    // events re-fetch the state at most this often
const STREAM_BACKOFF_MIN_MS = 1000;
const STREAM_BACKOFF_MAX_MS = 30000;
const RECORD_MAX_BYTES = 16 << 20; // one RecordIO record of the event stream
const FOLLOW_MS = 1000;            // how often an open file is read for new output
const READ_MAX_BYTES = 64 << 10;   // agents answer at most 64 KiB per read
const TAIL_BYTES = 256 << 10;      // opening a file shows its last 256 KiB
const VIEW_MAX_CHARS = 2 << 20;    // text kept in a file view; older text is dropped
const ROWS_MAX = 500;              // rows drawn in one table; filter to see others
const MESSAGES_MAX = 10000;        // status messages remembered from the event stream

const TERMINAL = new Set(["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR",
  "TASK_LOST", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR"]);
const STATES = ["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING",
  "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED",
  "TASK_UNREACHABLE", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN"];

// ---------------------------------------------------------------- helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

const num = (x) => (typeof x === "number" && Number.isFinite(x) ? x : 0);
const list = (x) => (Array.isArray(x) ? x : []);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pad = (n, w = 2) => String(n).padStart(w, "0");

function fmt_time(seconds) {
  if (!seconds) return "—";
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function fmt_cpus(x) {
  return String(Math.round(num(x) * 100) / 100);
}

function fmt_mb(mb) {
  mb = num(mb);
  if (mb >= 1024 * 1024) return `${(mb / 1024 / 1024).toFixed(1)} TB`;
  if (mb >= 1024) return `${(mb / 1024).toFixed(1)} GB`;
  return `${Math.round(mb)} MB`;
}

function fmt_bytes(b) {
  b = num(b);
  if (b >= 1 << 30) return `${(b / (1 << 30)).toFixed(1)} GiB`;
  if (b >= 1 << 20) return `${(b / (1 << 20)).toFixed(1)} MiB`;
  if (b >= 1 << 10) return `${(b / (1 << 10)).toFixed(1)} KiB`;
  return `${b} B`;
}

const short_state = (s) => (s || "TASK_UNKNOWN").replace(/^TASK_/, "");

function state_badge(state) {
  const kind = {
    TASK_RUNNING: "run", TASK_FINISHED: "ok", TASK_FAILED: "bad", TASK_ERROR: "bad",
    TASK_KILLED: "warn", TASK_KILLING: "warn", TASK_LOST: "lost", TASK_DROPPED: "lost",
    TASK_GONE: "lost", TASK_GONE_BY_OPERATOR: "lost", TASK_UNREACHABLE: "lost",
  }[state] || "wait";
  return h("span", { class: `badge ${kind}`, "data-state": state }, short_state(state));
}

function task_href(framework_id, task_id, query) {
  const q = new URLSearchParams(Object.entries(query || {}).filter(([, v]) => v)).toString();
  return `#/tasks/${encodeURIComponent(framework_id)}/${encodeURIComponent(task_id)}` +
    (q ? `?${q}` : "");
}

async function get_json(url, signal) {
  const r = await fetch(url, { signal, cache: "no-store" });
  if (!r.ok) throw new Error(`${url}: ${r.status} ${(await r.text()).slice(0, 200)}`);
  return r.json();
}

// ---------------------------------------------------------------- the cluster

// Turns /master/state into the shape the views read: numbers default to 0,
// lists to [], and every task knows its framework and agent.
function normalize(raw) {
  const res = (r) => ({ cpus: num(r?.cpus), mem: num(r?.mem), disk: num(r?.disk),
                        gpus: num(r?.gpus), ports: r?.ports || "" });
  const agents = list(raw.slaves).map((s) => ({
    id: s.id || "", hostname: s.hostname || "", port: s.port || 5051, pid: s.pid || "",
    registered: num(s.registered_time), active: !!s.active, resources: res(s.resources),
    used: res(s.used_resources), offered: res(s.offered_resources),
    address: `${s.hostname || ""}:${s.port || 5051}`,
  }));
  const agent_by_id = new Map(agents.map((a) => [a.id, a]));
  const frameworks = [];
  const tasks = [];
  const add = (f, completed) => {
    const fw = {
      id: f.id || "", name: f.name || "", user: f.user || "", completed,
      webui: /^https?:\/\//.test(f.webui_url || "") ? f.webui_url : "",
      roles: list(f.roles).length ? list(f.roles) : (f.role ? [f.role] : []),
      active: !!f.active, connected: !!f.connected, registered: num(f.registered_time),
      used: res(f.used_resources), offered: res(f.offered_resources), running: 0,
    };
    for (const t of [...list(f.tasks), ...list(f.completed_tasks)]) {
      const framework_id = t.framework_id || fw.id;
      const statuses = list(t.statuses).map((s) => ({
        ...s, timestamp: num(s.timestamp),
        message: s.message || status_messages.get(`${framework_id}\n${t.id}\n${s.state}`) || "",
      })).sort((a, b) => a.timestamp - b.timestamp);
      const task = {
        id: t.id || "", name: t.name || "", state: t.state || "TASK_STAGING",
        framework_id, framework: fw, agent_id: t.slave_id || "",
        executor_id: t.executor_id || t.id || "", role: t.role || "",
        resources: res(t.resources), statuses,
        started: statuses.length ? statuses[0].timestamp : 0,
        updated: statuses.length ? statuses[statuses.length - 1].timestamp : 0,
      };
      task.agent = agent_by_id.get(task.agent_id) || null;
      task.key = `${task.framework_id}\n${task.id}`;
      if (!TERMINAL.has(task.state)) fw.running += 1;
      tasks.push(task);
    }
    frameworks.push(fw);
  };
  list(raw.frameworks).forEach((f) => add(f, false));
  list(raw.completed_frameworks).forEach((f) => add(f, true));
  const li = raw.leader_info || {};
  const leader = li.hostname ? `${li.hostname}:${li.port || 5050}`
    : (raw.leader || "").replace(/^[^@]*@/, "");
  return { id: raw.id || "", version: raw.version || "", hostname: raw.hostname || "",
           leader, agents, frameworks, tasks };
}

// ---------------------------------------------------------------- live data

// /master/state carries no status messages; the event stream does. They are kept
// here by framework, task and state, oldest dropped first.
const status_messages = new Map();
let messages_changed = false;

function remember_messages(event) {
  const found = []; // [framework_id, v1 TaskStatus]
  const add_task = (t) => list(t?.statuses).forEach((s) => found.push([t.framework_id?.value, s]));
  if (event.type === "TASK_UPDATED") {
    found.push([event.task_updated?.framework_id?.value, event.task_updated?.status]);
  } else if (event.type === "TASK_ADDED") {
    add_task(event.task_added?.task);
  } else if (event.type === "SUBSCRIBED") {
    const t = event.subscribed?.get_state?.get_tasks || {};
    [...list(t.tasks), ...list(t.completed_tasks)].forEach(add_task);
  }
  for (const [framework_id, s] of found) {
    const text = s?.message || (s?.reason !== "REASON_NONE" && s?.reason);
    if (!framework_id || !s?.task_id?.value || !s.state || !text) continue;
    if (status_messages.size >= MESSAGES_MAX) {
      status_messages.delete(status_messages.keys().next().value);
    }
    status_messages.set(`${framework_id}\n${s.task_id.value}\n${s.state}`, text);
    messages_changed = true;
  }
}

const live = {
  cluster: null,     // the last normalized /master/state
  raw: "",           // and its text: an unchanged state is not drawn again
  updated_ms: 0,     // when it was fetched
  failed: false,     // the last fetch failed
  stream_up: false,  // the event stream is connected
  inflight: null,    // the /master/state fetch under way
  again: false,      // something happened during that fetch: fetch once more
  timer: null,       // a refresh waiting for REFRESH_MIN_GAP_MS
  started_ms: 0,     // when the last fetch started
};

function set_mode() {
  const el = document.getElementById("live");
  const mode = live.failed ? "offline" : live.stream_up ? "stream" : "polling";
  el.dataset.mode = live.cluster ? mode : "connecting";
  el.textContent = { stream: "live", polling: "polling · 2 s", offline: "master unreachable",
                     connecting: "connecting…" }[el.dataset.mode];
  el.title = live.stream_up ? "Following the master's event stream"
    : `The event stream is not available; polling /master/state every ${POLL_MS / 1000} s`;
  if (live.updated_ms) el.title += `\nLast update ${fmt_time(live.updated_ms / 1000)}`;
}

function set_banner(text) {
  const el = document.getElementById("banner");
  el.hidden = !text;
  el.textContent = text || "";
}

function refresh() {
  if (live.inflight) {
    live.again = true;
    return live.inflight;
  }
  live.started_ms = Date.now();
  live.inflight = (async () => {
    try {
      const r = await fetch("/master/state", { cache: "no-store" });
      const text = await r.text();
      if (!r.ok) throw new Error(`/master/state: ${r.status} ${text.slice(0, 200)}`);
      live.updated_ms = Date.now();
      live.failed = false;
      set_banner(null);
      // Redrawing the same state would only lose the reader's text selection.
      if (text !== live.raw || messages_changed) {
        live.raw = text;
        messages_changed = false;
        live.cluster = normalize(JSON.parse(text));
        router.update(live.cluster);
      }
    } catch (e) {
      live.failed = true;
      set_banner(`Cannot read the master's state: ${e.message}`);
    } finally {
      live.inflight = null;
      set_mode();
      if (live.again) {
        live.again = false;
        schedule_refresh();
      }
    }
  })();
  return live.inflight;
}

// At most one fetch per REFRESH_MIN_GAP_MS, however many events arrive.
function schedule_refresh() {
  if (live.timer) return;
  const wait = Math.max(0, live.started_ms + REFRESH_MIN_GAP_MS - Date.now());
  live.timer = setTimeout(() => {
    live.timer = null;
    refresh();
  }, wait);
}

async function poll() {
  for (;;) {
    if (!live.stream_up) await refresh();
    await sleep(POLL_MS);
  }
}

// Yields the JSON records of a RecordIO body: "<length>\n<length bytes of JSON>".
async function* recordio(reader) {
  const decoder = new TextDecoder();
  let buf = new Uint8Array(0);
  for (;;) {
    for (;;) {
      const nl = buf.indexOf(10);
      if (nl < 0) {
        if (buf.length > 20) throw new Error("event stream: bad record header");
        break;
      }
      const header = decoder.decode(buf.subarray(0, nl)).trim();
      const length = Number(header);
      if (!/^\d+$/.test(header) || length > RECORD_MAX_BYTES) {
        throw new Error(`event stream: bad record length ${JSON.stringify(header)}`);
      }
      if (buf.length < nl + 1 + length) break;
      yield JSON.parse(decoder.decode(buf.subarray(nl + 1, nl + 1 + length)));
      buf = buf.subarray(nl + 1 + length);
    }
    const { value, done } = await reader.read();
    if (done) return;
    const joined = new Uint8Array(buf.length + value.length);
    joined.set(buf);
    joined.set(value, buf.length);
    buf = joined;
  }
}

// Subscribes to the operator event stream; any event but HEARTBEAT re-fetches
// /master/state. Polling covers the time the stream is down.
async function subscribe() {
  let backoff_ms = STREAM_BACKOFF_MIN_MS;
  for (;;) {
    const abort = new AbortController();
    let watchdog = null;
    let heartbeat_s = 15;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => abort.abort(), (2 * heartbeat_s + 5) * 1000);
    };
    try {
      arm();
      const r = await fetch("/api/v1", {
        method: "POST", signal: abort.signal, cache: "no-store",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ type: "SUBSCRIBE" }),
      });
      if (!r.ok || !r.body) throw new Error(`POST /api/v1: ${r.status}`);
      for await (const event of recordio(r.body.getReader())) {
        arm();
        if (event.type === "SUBSCRIBED") {
          heartbeat_s = num(event.subscribed?.heartbeat_interval_seconds) || heartbeat_s;
          arm();
          live.stream_up = true;
          backoff_ms = STREAM_BACKOFF_MIN_MS;
          set_mode();
        }
        if (event.type !== "HEARTBEAT") {
          remember_messages(event);
          schedule_refresh();
        }
      }
    } catch (e) {
      // The stream is absent, ended or broken: poll, and try again later.
    } finally {
      clearTimeout(watchdog);
      abort.abort();
    }
    if (live.stream_up) {
      live.stream_up = false;
      set_mode();
      schedule_refresh();
    }
    await sleep(backoff_ms);
    backoff_ms = Math.min(2 * backoff_ms, STREAM_BACKOFF_MAX_MS);
  }
}

// ---------------------------------------------------------------- tables

function compare(a, b) {
  if (a == null || a === "") return b == null || b === "" ? 0 : 1;
  if (b == null || b === "") return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

// A table sorted by a click on a column header. columns: [{key, label, value(row),
// cell(row), num, desc}]; rows are matched against the filter by search(row).
function data_table({ id, columns, sort, empty, search, row_attrs }) {
  let rows = [];
  let terms = [];
  let sort_key = sort?.key ?? columns[0].key;
  let sort_dir = sort?.dir ?? 1;
  const head = h("tr");
  const body = h("tbody");
  const note = h("p", { class: "table-note" });
  const value = (c, r) => (c.value ? c.value(r) : r[c.key]);

  function draw_head() {
    head.replaceChildren(...columns.map((c) => h("th", {
      class: c.num ? "num" : null, "data-key": c.key,
      "aria-sort": c.key === sort_key ? (sort_dir > 0 ? "ascending" : "descending") : null,
    }, h("button", { type: "button", onclick: () => {
      if (sort_key === c.key) sort_dir = -sort_dir;
      else [sort_key, sort_dir] = [c.key, c.desc ? -1 : 1];
      draw_head();
      draw_body();
    } }, c.label))));
  }

  function draw_body() {
    const col = columns.find((c) => c.key === sort_key) || columns[0];
    const shown = rows.filter((r) => {
      if (!terms.length) return true;
      const text = search(r).toLowerCase();
      return terms.every((t) => text.includes(t));
    }).sort((a, b) => sort_dir * compare(value(col, a), value(col, b)));
    body.replaceChildren(...shown.slice(0, ROWS_MAX).map((r) =>
      h("tr", row_attrs ? row_attrs(r) : null, columns.map((c) =>
        h("td", { class: c.num ? "num" : null }, c.cell ? c.cell(r) : value(c, r))))));
    if (!shown.length) {
      body.append(h("tr", { class: "empty" }, h("td", { colspan: columns.length },
        rows.length ? "Nothing matches the filter." : empty)));
    }
    note.textContent = shown.length > ROWS_MAX
      ? `Showing ${ROWS_MAX} of ${shown.length}; filter to narrow.`
      : `${shown.length} of ${rows.length}`;
  }

  draw_head();
  return {
    el: h("div", { class: "table-wrap" }, h("table", { id, class: "grid" },
      h("thead", null, head), body), note),
    // Shows `r`, or those of them that match every word of `text`.
    set_rows(r, text = "") {
      rows = r;
      terms = text.toLowerCase().split(/\s+/).filter(Boolean);
      draw_body();
    },
  };
}

// A list page: a title, a filter box (kept in the hash's ?q=) and a table.
function list_view({ title, id, query, columns, sort, empty, search, row_attrs, rows,
                     extra_filter }) {
  const table = data_table({ id, columns, sort, empty, search, row_attrs });
  let predicate = () => true;
  let last = [];
  const box = h("input", { type: "search", id: `${id}-filter`, class: "filter",
                           placeholder: "Filter…", value: query.get("q") || "" });
  const remember = () => {
    const q = new URLSearchParams(query);
    box.value ? q.set("q", box.value) : q.delete("q");
    const qs = q.toString();
    history.replaceState(null, "", `${location.hash.split("?")[0]}${qs ? `?${qs}` : ""}`);
    query = q;
  };
  const apply = () => table.set_rows(last.filter(predicate), box.value);
  box.addEventListener("input", () => { remember(); apply(); });
  const toolbar = h("div", { class: "toolbar" }, box);
  if (extra_filter) {
    toolbar.append(extra_filter.el);
    extra_filter.on_change = (p, key, v) => {
      predicate = p;
      const q = new URLSearchParams(query);
      v ? q.set(key, v) : q.delete(key);
      query = q;
      remember();
      apply();
    };
    predicate = extra_filter.initial;
  }
  return {
    el: h("section", null, h("h1", null, title), toolbar, table.el),
    update(cluster) { last = rows(cluster); apply(); },
  };
}

// ---------------------------------------------------------------- views

function show_res(kind, x) {
  return kind === "mem" || kind === "disk" ? fmt_mb(x) : fmt_cpus(x);
}

function card(id, label, value, sub, href) {
  return h(href ? "a" : "div", { class: "card", id, href },
    h("span", { class: "card-label" }, label),
    h("span", { class: `card-value${typeof value === "number" ? "" : " small"}`,
                "data-value": value }, value),
    h("span", { class: "card-sub" }, sub));
}

// Total, used, offered and idle of each resource, over all agents.
function resources_table(agents) {
  const total = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  const used = { ...total };
  const offered = { ...total };
  for (const a of agents) {
    for (const k of Object.keys(total)) {
      total[k] += a.resources[k];
      used[k] += a.used[k];
      offered[k] += a.offered[k];
    }
  }
  const pct = (k, x) => (total[k] ? Math.min(100, (100 * x) / total[k]) : 0);
  const cell = (k, x, attr) => h("td", { class: "num", [`data-${attr}`]: x }, show_res(k, x));
  const bar = (k) => h("div", { class: "bar", title: `used ${pct(k, used[k]).toFixed(0)}%, ` +
                                                  `offered ${pct(k, offered[k]).toFixed(0)}%` },
    h("span", { class: "used", style: `width:${pct(k, used[k])}%` }),
    h("span", { class: "offered", style: `width:${pct(k, offered[k])}%` }));
  const kinds = ["cpus", "mem", "disk"].concat(total.gpus ? ["gpus"] : []);
  return h("table", { id: "overview-resources", class: "grid resources" },
    h("thead", null, h("tr", null, h("th", null, "Resource"),
      ["Total", "Used", "Offered", "Idle"].map((t) => h("th", { class: "num" }, t)),
      h("th", { class: "bar-col" }, h("span", { class: "legend used" }, "used"), " ",
        h("span", { class: "legend offered" }, "offered")))),
    h("tbody", null, kinds.map((k) => h("tr", { "data-resource": k }, h("th", null, k),
      cell(k, total[k], "total"), cell(k, used[k], "used"), cell(k, offered[k], "offered"),
      cell(k, Math.max(0, total[k] - used[k] - offered[k]), "idle"),
      h("td", { class: "bar-col" }, bar(k))))));
}

// How many tasks are in each state, each a link to the tasks in it.
function state_counts(tasks) {
  const by_state = new Map();
  for (const t of tasks) by_state.set(t.state, (by_state.get(t.state) || 0) + 1);
  if (!by_state.size) return h("p", { class: "muted" }, "No tasks yet.");
  const order = STATES.concat([...by_state.keys()].filter((s) => !STATES.includes(s)));
  return order.filter((s) => by_state.has(s)).map((s) => h("a", {
    class: "state-count", href: `#/tasks?state=${s}`, "data-state": s,
  }, state_badge(s), h("b", null, by_state.get(s))));
}

function overview_view() {
  const el = h("section", { id: "overview" }, h("h1", null, "Cluster"),
               h("p", { class: "muted" }, "Waiting for the master…"));
  return {
    el,
    update(c) {
      const active_agents = c.agents.filter((a) => a.active).length;
      const live_fws = c.frameworks.filter((f) => !f.completed).length;
      const active_tasks = c.tasks.filter((t) => !TERMINAL.has(t.state)).length;
      el.replaceChildren(
        h("h1", null, "Cluster"),
        h("div", { class: "cards" },
          card("overview-agents", "Agents", c.agents.length, `${active_agents} active`,
               "#/agents"),
          card("overview-frameworks", "Frameworks", live_fws,
               `${c.frameworks.length - live_fws} completed`, "#/frameworks"),
          card("overview-tasks", "Tasks", active_tasks, `active · ${c.tasks.length} known`,
               "#/tasks?state=active"),
          card("overview-leader", "Leading master", c.leader || "none",
               c.version ? `version ${c.version}` : "")),
        h("h2", null, "Resources"), resources_table(c.agents),
        h("h2", null, "Tasks by state"),
        h("div", { class: "states", id: "overview-states" }, state_counts(c.tasks)),
        h("p", { class: "muted footer" }, `Master ${c.hostname} · id ${c.id}`));
    },
  };
}

function agents_view(params, query) {
  const pair = (k) => (a) => `${show_res(k, a.used[k])} / ${show_res(k, a.resources[k])}`;
  return list_view({
    title: "Agents", id: "agents", query, empty: "No agents have registered.",
    sort: { key: "hostname" },
    rows: (c) => c.agents,
    search: (a) => `${a.id} ${a.address} ${a.active ? "active" : "inactive"}`,
    row_attrs: (a) => ({ "data-agent-id": a.id }),
    columns: [
      { key: "id", label: "ID", cell: (a) => h("code", null, a.id) },
      { key: "hostname", label: "Address", value: (a) => a.address },
      { key: "cpus", label: "CPUs used / total", num: true, desc: true,
        value: (a) => a.used.cpus, cell: pair("cpus") },
      { key: "mem", label: "Mem used / total", num: true, desc: true,
        value: (a) => a.used.mem, cell: pair("mem") },
      { key: "disk", label: "Disk used / total", num: true, desc: true,
        value: (a) => a.used.disk, cell: pair("disk") },
      { key: "registered", label: "Registered", desc: true, cell: (a) => fmt_time(a.registered) },
      { key: "active", label: "State", value: (a) => (a.active ? "active" : "inactive"),
        cell: (a) => h("span", { class: `badge ${a.active ? "ok" : "lost"}` },
                       a.active ? "active" : "inactive") },
    ],
  });
}

function frameworks_view(params, query) {
  const status = (f) => (f.completed ? "completed" : !f.active ? "inactive"
    : f.connected ? "active" : "disconnected");
  return list_view({
    title: "Frameworks", id: "frameworks", query, empty: "No frameworks have registered.",
    sort: { key: "registered", dir: -1 },
    rows: (c) => c.frameworks,
    search: (f) => `${f.id} ${f.name} ${f.user} ${f.roles.join(" ")} ${status(f)}`,
    row_attrs: (f) => ({ "data-framework-id": f.id }),
    columns: [
      { key: "id", label: "ID", cell: (f) => h("a", {
        href: `#/tasks?q=${encodeURIComponent(f.id)}`, title: "Its tasks",
      }, h("code", null, f.id)) },
      // A framework's own page (cron's jobs), as Mesos' UI links to it.
      { key: "name", label: "Name", cell: (f) => (f.webui
        ? h("a", { href: f.webui, title: "The framework's own page" }, f.name) : f.name) },
      { key: "user", label: "User" },
      { key: "roles", label: "Roles", value: (f) => f.roles.join(", ") },
      { key: "status", label: "State", value: status,
        cell: (f) => h("span", { class: `badge ${status(f) === "active" ? "ok" : "lost"}` },
                       status(f)) },
      { key: "running", label: "Active tasks", num: true, desc: true },
      { key: "cpus", label: "CPUs", num: true, desc: true, value: (f) => f.used.cpus,
        cell: (f) => fmt_cpus(f.used.cpus) },
      { key: "mem", label: "Mem", num: true, desc: true, value: (f) => f.used.mem,
        cell: (f) => fmt_mb(f.used.mem) },
      { key: "registered", label: "Registered", desc: true, cell: (f) => fmt_time(f.registered) },
    ],
  });
}

function tasks_view(params, query) {
  const predicate_for = (v) => (v === "active" ? (t) => !TERMINAL.has(t.state)
    : v === "terminal" ? (t) => TERMINAL.has(t.state)
      : v ? (t) => t.state === v : () => true);
  const select = h("select", { id: "tasks-state", class: "filter", title: "State" },
    h("option", { value: "" }, "All states"),
    h("option", { value: "active" }, "Active"),
    h("option", { value: "terminal" }, "Terminal"),
    STATES.map((s) => h("option", { value: s }, short_state(s))));
  select.value = query.get("state") || "";
  const extra = { el: select, initial: predicate_for(select.value) };
  select.addEventListener("change", () =>
    extra.on_change(predicate_for(select.value), "state", select.value));
  return list_view({
    title: "Tasks", id: "tasks", query, empty: "No tasks yet.", extra_filter: extra,
    sort: { key: "updated", dir: -1 },
    rows: (c) => c.tasks,
    search: (t) => `${t.id} ${t.name} ${t.state} ${t.framework_id} ${t.framework.name} ` +
      `${t.agent_id} ${t.agent ? t.agent.address : ""}`,
    row_attrs: (t) => ({ "data-task-id": t.id, "data-task-name": t.name, "data-state": t.state,
                         "data-framework-id": t.framework_id }),
    columns: [
      { key: "id", label: "ID", cell: (t) => h("a", { href: task_href(t.framework_id, t.id),
                                                      class: "task-link" }, t.id) },
      { key: "name", label: "Name" },
      { key: "state", label: "State", cell: (t) => state_badge(t.state) },
      { key: "framework", label: "Framework", value: (t) => t.framework.name || t.framework_id },
      { key: "agent", label: "Agent", value: (t) => (t.agent ? t.agent.address : t.agent_id) },
      { key: "cpus", label: "CPUs", num: true, desc: true, value: (t) => t.resources.cpus,
        cell: (t) => fmt_cpus(t.resources.cpus) },
      { key: "mem", label: "Mem", num: true, desc: true, value: (t) => t.resources.mem,
        cell: (t) => fmt_mb(t.resources.mem) },
      { key: "updated", label: "Updated", desc: true, cell: (t) => fmt_time(t.updated) },
    ],
  });
}

// ---------------------------------------------------------------- task page

const sandbox_cache = new Map(); // task key -> {agent: "host:port", dir}

// Finds the task's sandbox: the directory of the executor that ran it, as the
// agent reports it (running or completed executors, of live or completed frameworks).
async function find_sandbox(task, signal) {
  const hit = sandbox_cache.get(task.key);
  if (hit) return hit;
  if (!task.agent) return null;
  const state = await get_json(`http://${task.agent.address}/state`, signal);
  const frameworks = [...list(state.frameworks), ...list(state.completed_frameworks)]
    .filter((f) => f.id === task.framework_id);
  for (const f of frameworks) {
    for (const e of [...list(f.executors), ...list(f.completed_executors)]) {
      if (e.id === task.executor_id && e.directory) {
        const found = { agent: task.agent.address, dir: e.directory };
        if (sandbox_cache.size > 1000) sandbox_cache.clear();
        sandbox_cache.set(task.key, found);
        return found;
      }
    }
  }
  return null;
}

function task_details(task) {
  const row = (k, v) => [h("dt", null, k), h("dd", null, v)];
  const r = task.resources;
  return [
    row("ID", h("code", null, task.id)),
    row("Name", task.name || "—"),
    row("State", h("span", { id: "task-state", "data-state": task.state },
                   state_badge(task.state))),
    row("Framework", [task.framework.name || "", " ", h("code", null, task.framework_id)]),
    row("Agent", task.agent ? [task.agent.address, " ", h("code", null, task.agent_id)]
                            : h("code", null, task.agent_id || "—")),
    row("Executor", h("code", null, task.executor_id)),
    row("Role", task.role || "—"),
    row("Resources", `${fmt_cpus(r.cpus)} cpus · ${fmt_mb(r.mem)} mem · ` +
      `${fmt_mb(r.disk)} disk` + (r.gpus ? ` · ${r.gpus} gpus` : "") +
      (r.ports ? ` · ports ${r.ports}` : "")),
    row("Started", fmt_time(task.started)),
    row("Updated", fmt_time(task.updated)),
  ].flat();
}

function status_history(task) {
  // Messages come only with the event stream: no column for them without it.
  const messages = task.statuses.some((s) => s.message);
  const rows = task.statuses.map((s) => h("tr", { "data-state": s.state },
    h("td", null, state_badge(s.state)), h("td", null, fmt_time(s.timestamp)),
    messages ? h("td", { class: "message" }, s.message) : null));
  if (!rows.length) {
    rows.push(h("tr", { class: "empty" }, h("td", { colspan: 2 }, "No status updates yet.")));
  }
  return h("table", { id: "task-history", class: "grid" },
    h("thead", null, h("tr", null, h("th", null, "State"), h("th", null, "Time"),
                          messages ? h("th", null, "Message") : null)),
    h("tbody", null, rows));
}

function task_view(params, query) {
  const [framework_id, task_id] = params;
  const rel_dir = (query.get("path") || "").replace(/^\/+|\/+$/g, "");
  const rel_file = query.get("file") || "";
  const abort = new AbortController();
  const head = h("div", { class: "task-head" });
  const details = h("dl", { id: "task-details", class: "details" });
  const history = h("div");
  const sandbox = h("div", { id: "sandbox", class: "sandbox" },
                    h("p", { class: "muted" }, "Looking for the sandbox…"));
  let sandbox_state = "unknown"; // unknown | looking | found
  // What a running task uses, from its agent's /monitor/statistics.
  const usage = h("p", { id: "task-usage", class: "muted" });
  let usage_asked = 0;
  async function refresh_usage(task) {
    if (!task.agent || TERMINAL.has(task.state) || Date.now() - usage_asked < 5000) return;
    usage_asked = Date.now();
    try {
      const all = await get_json(`http://${task.agent.address}/monitor/statistics`,
                                 abort.signal);
      const entry = list(all).find((e) => e.framework_id === task.framework_id &&
                                          e.executor_id === task.executor_id);
      if (!entry || abort.signal.aborted) return;
      const s = entry.statistics || {};
      const cpu = num(s.cpus_user_time_secs) + num(s.cpus_system_time_secs);
      usage.replaceChildren(`Using ${cpu.toFixed(2)} CPU-seconds so far · ` +
        `${fmt_mb(num(s.mem_rss_bytes) / 1024 / 1024)} memory · ` +
        `${num(s.processes)} processes`);
    } catch (e) {
      // The figures are a convenience: an agent that cannot say leaves them out.
    }
  }
  const el = h("section", { id: "task-page", "data-task-id": task_id }, head,
    h("div", { class: "task-grid" },
      h("div", null, h("h2", null, "Details"), details, usage),
      h("div", null, h("h2", null, "Status history"), history)),
    h("h2", null, "Sandbox"), sandbox);

  async function open_sandbox(task) {
    sandbox_state = "looking";
    let found = null;
    try {
      found = await find_sandbox(task, abort.signal);
    } catch (e) {
      if (abort.signal.aborted) return;
      sandbox.replaceChildren(h("p", { class: "error" },
        `Cannot ask agent ${task.agent?.address} for the sandbox: ${e.message}`));
      sandbox_state = "unknown";
      return;
    }
    if (abort.signal.aborted) return;
    if (!found) {
      sandbox.replaceChildren(h("p", { class: "muted" }, task.agent
        ? `Agent ${task.agent.address} does not know this task's executor (yet).`
        : `Agent ${task.agent_id || "?"} is not registered with the master.`));
      sandbox_state = "unknown";
      return;
    }
    sandbox_state = "found";
    sandbox.replaceChildren(sandbox_browser(task, found, rel_dir, rel_file, abort.signal));
  }

  return {
    el,
    stop() { abort.abort(); },
    update(c) {
      const task = c.tasks.find((t) => t.framework_id === framework_id && t.id === task_id);
      if (!task) {
        head.replaceChildren(h("h1", null, "Task ", h("code", null, task_id)),
          h("p", { class: "muted" }, `The master knows no task ${task_id} of framework ` +
            `${framework_id}.`));
        return;
      }
      el.dataset.state = task.state;
      head.replaceChildren(h("h1", null, task.name || task.id, " ", state_badge(task.state)));
      if (task.name && task.name !== task.id) {
        head.append(h("p", { class: "muted" }, h("code", null, task.id)));
      }
      details.replaceChildren(...task_details(task));
      history.replaceChildren(status_history(task));
      if (TERMINAL.has(task.state)) usage.replaceChildren();
      else refresh_usage(task);
      if (sandbox_state === "unknown") open_sandbox(task);
    },
  };
}

function sandbox_browser(task, sandbox, rel_dir, rel_file, signal) {
  const href = (q) => task_href(task.framework_id, task.id, q);
  const crumbs = [h("a", { href: href({}) }, "sandbox")];
  let walked = "";
  for (const part of rel_dir.split("/").filter(Boolean)) {
    walked = walked ? `${walked}/${part}` : part;
    crumbs.push(" / ", h("a", { href: href({ path: walked }) }, part));
  }
  const quick = ["stdout", "stderr"].map((name) => {
    const file = rel_dir ? `${rel_dir}/${name}` : name;
    return h("a", { class: `button${rel_file === file ? " on" : ""}`, id: `open-${name}`,
                    href: href({ path: rel_dir, file }) }, name);
  });
  const files = h("div", { id: "sandbox-files" }, h("p", { class: "muted" }, "Reading…"));
  const viewer = rel_file ? file_viewer(sandbox.agent, `${sandbox.dir}/${rel_file}`,
                                        rel_file, signal) : null;
  const el = h("div", null,
    h("div", { class: "toolbar" }, h("span", { class: "crumbs" }, crumbs),
      h("span", { class: "spacer" }), quick),
    h("p", { class: "muted path" }, `${sandbox.agent}:${sandbox.dir}`),
    viewer, files);

  const dir = rel_dir ? `${sandbox.dir}/${rel_dir}` : sandbox.dir;
  get_json(`http://${sandbox.agent}/files/browse?path=${encodeURIComponent(dir)}`, signal)
    .then((entries) => {
      const table = data_table({
        id: "sandbox-table", empty: "The directory is empty.", search: () => "",
        sort: { key: "name" },
        row_attrs: (e) => ({ "data-name": e.name }),
        columns: [
          { key: "name", label: "Name", value: (e) => `${e.is_dir ? 0 : 1}${e.name}`,
            cell: (e) => h("a", { href: e.is_dir ? href({ path: e.rel })
                                              : href({ path: rel_dir, file: e.rel }) },
              e.is_dir ? `${e.name}/` : e.name) },
          { key: "size", label: "Size", num: true, desc: true, cell: (e) => fmt_bytes(e.size) },
          { key: "mtime", label: "Modified", desc: true, cell: (e) => fmt_time(e.mtime) },
          { key: "mode", label: "Mode", cell: (e) => h("code", null, e.mode) },
        ],
      });
      table.set_rows(list(entries).map((e) => {
        const name = String(e.path || "").split("/").pop();
        return { name, rel: rel_dir ? `${rel_dir}/${name}` : name, size: num(e.size),
                 mtime: num(e.mtime), mode: e.mode || "", is_dir: String(e.mode).startsWith("d") };
      }));
      files.replaceChildren(table.el);
    })
    .catch((e) => {
      if (!signal.aborted) files.replaceChildren(h("p", { class: "error" }, e.message));
    });
  return el;
}

// Bytes of the file that `data` stands for. Agents replace each byte that is not
// UTF-8 with U+FFFD; trailing ones may be a character cut by the read, so they are
// not counted, and the next read starts at them again.
function consumed_bytes(data) {
  const trimmed = data.replace(/\uFFFD{1,3}$/, "");
  const replaced = (trimmed.match(/\uFFFD/g) || []).length;
  return { text: trimmed, bytes: new TextEncoder().encode(trimmed).length - 2 * replaced };
}

// Shows a file of a sandbox and follows what is written to it.
function file_viewer(agent, path, rel_file, signal) {
  const text = document.createTextNode("");
  const pre = h("pre", { id: "file-content", class: "file", "data-file": rel_file }, text);
  const status = h("span", { class: "muted", id: "file-status" }, "reading…");
  const follow = h("input", { type: "checkbox", id: "file-follow", checked: true });
  const url = (offset, length) => `http://${agent}/files/read?path=${encodeURIComponent(path)}` +
    `&offset=${offset}&length=${length}`;

  function append(s) {
    const at_bottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 8;
    text.appendData(s);
    if (text.length > VIEW_MAX_CHARS) text.deleteData(0, text.length - VIEW_MAX_CHARS);
    if (at_bottom && follow.checked) pre.scrollTop = pre.scrollHeight;
  }

  (async () => {
    try {
      const size = num((await get_json(url(-1, 0), signal)).offset);
      let offset = Math.max(0, size - TAIL_BYTES);
      if (offset > 0) append(`[… ${fmt_bytes(offset)} before this not shown …]\n`);
      while (!signal.aborted) {
        if (!follow.checked) {
          status.textContent = `${fmt_bytes(offset)} · paused`;
          await sleep(FOLLOW_MS);
          continue;
        }
        const r = await get_json(url(offset, READ_MAX_BYTES), signal);
        const { text: chunk, bytes } = consumed_bytes(r.data || "");
        // Past the end the agent answers nothing (as Mesos does): the size
        // tells whether the file shrank, to follow from its new end.
        const end = bytes ? offset : num((await get_json(url(-1, 0), signal)).offset);
        if (end < offset) {
          append("\n[… the file was truncated …]\n");
          offset = end;
          continue;
        }
        if (chunk) append(chunk);
        offset += bytes;
        pre.dataset.offset = offset;
        status.textContent = `${fmt_bytes(offset)} · following`;
        if (bytes < READ_MAX_BYTES / 2) await sleep(FOLLOW_MS);
      }
    } catch (e) {
      if (!signal.aborted) status.textContent = `cannot read: ${e.message}`;
    }
  })();

  return h("div", { class: "viewer" },
    h("div", { class: "viewer-head" }, h("b", null, rel_file), h("span", { class: "spacer" }),
      status, h("label", null, follow, " follow")),
    pre);
}

// ---------------------------------------------------------------- router

const router = {
  current: null,
  routes: [
    [/^\/?$/, "overview", overview_view],
    [/^\/agents$/, "agents", agents_view],
    [/^\/frameworks$/, "frameworks", frameworks_view],
    [/^\/tasks$/, "tasks", tasks_view],
    [/^\/tasks\/([^/]+)\/([^/]+)$/, "tasks", task_view],
  ],

  go() {
    const [path, qs] = location.hash.replace(/^#/, "").split("?");
    this.current?.stop?.();
    this.current = null;
    let name = "";
    for (const [re, route, make] of this.routes) {
      const m = re.exec(path);
      if (!m) continue;
      name = route;
      this.current = make(m.slice(1).map(decodeURIComponent), new URLSearchParams(qs || ""));
      break;
    }
    const view = document.getElementById("view");
    if (!this.current) {
      view.replaceChildren(h("section", null, h("h1", null, "Not found"),
        h("p", null, "No page here; ", h("a", { href: "#/" }, "the overview"), " is.")));
    } else {
      view.replaceChildren(this.current.el);
      if (live.cluster) this.current.update(live.cluster);
    }
    for (const a of document.querySelectorAll("#nav a")) {
      a.classList.toggle("on", a.dataset.route === name);
    }
  },

  update(cluster) {
    this.current?.update(cluster);
  },
};

window.addEventListener("hashchange", () => router.go());
router.go();
set_mode();
poll();
subscribe();
setInterval(set_mode, POLL_MS);
