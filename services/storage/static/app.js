// StanceStream web view: the stance graph of a time window from /graph, kept live from
// /stream/stances (SSE), and an actor panel from /actors/{id} and /claims?actor=.
// Plain DOM + SVG, no libraries, nothing fetched from other hosts.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const COLORS = { support: "#2e7d32", oppose: "#c62828", neutral: "#9e9e9e" };
const LABELS = ["support", "oppose", "neutral"];
const BEND = { support: 0.12, oppose: -0.12, neutral: 0 }; // parallel edges of a pair curve apart
const $ = (id) => document.getElementById(id);

const state = { nodes: new Map(), edges: new Map(), selected: null, since: null };

function sinceFor(win) {
  const m = /^(\d+)([hd])$/.exec(win);
  if (!m) return null;
  const ms = Number(m[1]) * (m[2] === "h" ? 3600e3 : 86400e3);
  return new Date(Date.now() - ms);
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) q.set(k, v);
  return q.toString();
}

async function getJSON(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r.json();
}

function el(tag, attrs = {}, text) {
  const e = tag === "svg" || ["g", "path", "circle", "text", "title"].includes(tag)
    ? document.createElementNS(SVGNS, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// ---- model -------------------------------------------------------------------------------
function addNode(n) {
  const old = state.nodes.get(n.id);
  if (old) { Object.assign(old, { name: n.name || old.name, type: n.type || old.type }); return old; }
  const spread = K * Math.sqrt(state.nodes.size + 1);
  const node = { activity: 0, ...n, x: (Math.random() - 0.5) * spread,
    y: (Math.random() - 0.5) * spread };
  state.nodes.set(n.id, node);
  return node;
}

function edgeKey(s, t) { return `${s}\u0000${t}`; }

async function loadGraph() {
  const win = $("window").value;
  state.since = sinceFor(win);
  const g = await getJSON("/graph?" + query({
    since: state.since && state.since.toISOString(), min_count: $("min-count").value, limit: 400,
  }));
  state.nodes.clear();
  state.edges.clear();
  g.nodes.forEach(addNode);
  for (const e of g.edges) state.edges.set(edgeKey(e.source, e.target), e);
  layout(300);
  render();
  document.body.dataset.state = "ready";
}

function addLive(ev) {
  if (state.since && ev.published_at && new Date(ev.published_at) < state.since) return;
  addNode({ id: ev.source, name: ev.source_name || ev.source }).activity += 1;
  addNode({ id: ev.target, name: ev.target_name || ev.target }).activity += 1;
  const key = edgeKey(ev.source, ev.target);
  const e = state.edges.get(key) ||
    { source: ev.source, target: ev.target, count: 0, support: 0, oppose: 0, neutral: 0 };
  e.count += 1;
  e[ev.stance] += 1;
  e.fresh = ev.stance;
  state.edges.set(key, e);
}

// ---- layout: Fruchterman-Reingold with gravity, in free coordinates; the view fits them ----
const K = 70; // preferred edge length
function layout(steps) {
  const nodes = [...state.nodes.values()];
  for (let step = 0; step < steps; step++) {
    const temp = K * 2 * (1 - step / steps) + 2;
    for (const a of nodes) { a.dx = -a.x * 0.04; a.dy = -a.y * 0.04; } // gravity to (0, 0)
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i], b = nodes[j];
        const dx = a.x - b.x || Math.random() - 0.5, dy = a.y - b.y || Math.random() - 0.5;
        const d2 = Math.max(dx * dx + dy * dy, 25);
        if (d2 > 36 * K * K) continue; // far apart: let gravity pack the components
        const f = (K * K) / d2;
        a.dx += dx * f; a.dy += dy * f; b.dx -= dx * f; b.dy -= dy * f;
      }
    }
    for (const e of state.edges.values()) {
      const a = state.nodes.get(e.source), b = state.nodes.get(e.target);
      if (!a || !b || a === b) continue;
      const dx = b.x - a.x, dy = b.y - a.y, f = Math.hypot(dx, dy) / (3 * K);
      a.dx += dx * f; a.dy += dy * f; b.dx -= dx * f; b.dy -= dy * f;
    }
    for (const a of nodes) {
      const d = Math.hypot(a.dx, a.dy) || 1, move = Math.min(d, temp);
      a.x += (a.dx / d) * move;
      a.y += (a.dy / d) * move;
    }
  }
}

function fitView() {
  const xs = [...state.nodes.values()].map((n) => n.x), ys = [...state.nodes.values()].map((n) => n.y);
  if (!xs.length) return;
  const x0 = Math.min(...xs) - 40, y0 = Math.min(...ys) - 30;
  const w = Math.max(...xs) - x0 + 160, h = Math.max(...ys) - y0 + 30; // room for labels
  $("graph").setAttribute("viewBox", `${x0} ${y0} ${Math.max(w, 300)} ${Math.max(h, 200)}`);
}

// ---- drawing -----------------------------------------------------------------------------
function radius(n) { return 4 + Math.min(18, Math.sqrt(n.activity || 1) * 2); }

function edgePath(a, b, bend) {
  const dx = b.x - a.x, dy = b.y - a.y, d = Math.hypot(dx, dy) || 1;
  const rb = radius(b) + 2;
  const ex = b.x - (dx / d) * rb, ey = b.y - (dy / d) * rb; // stop at the target's rim
  const cx = (a.x + ex) / 2 - dy * bend, cy = (a.y + ey) / 2 + dx * bend;
  return `M${a.x.toFixed(1)},${a.y.toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ` +
    `${ex.toFixed(1)},${ey.toFixed(1)}`;
}

function render() {
  const edges = $("edges"), nodes = $("nodes");
  fitView();
  edges.replaceChildren();
  nodes.replaceChildren();
  for (const e of state.edges.values()) {
    const a = state.nodes.get(e.source), b = state.nodes.get(e.target);
    if (!a || !b) continue;
    for (const label of LABELS) {
      if (!e[label]) continue;
      const p = el("path", {
        class: "edge" + (e.fresh === label ? " new" : ""), d: edgePath(a, b, BEND[label]),
        stroke: COLORS[label], "stroke-width": (1 + Math.log2(e[label]) * 1.2).toFixed(2),
        "stroke-opacity": label === "neutral" ? 0.45 : 0.85,
        "marker-end": `url(#arrow-${label})`, "data-source": e.source, "data-target": e.target,
        "data-source-name": a.name, "data-target-name": b.name, "data-stance": label,
        "data-count": e[label],
      });
      p.append(el("title", {}, `${a.name} → ${b.name}: ${label} ×${e[label]}`));
      edges.append(p);
    }
    delete e.fresh;
  }
  for (const n of state.nodes.values()) {
    const g = el("g", { class: "node" + (n.id === state.selected ? " selected" : ""),
      "data-id": n.id, "data-name": n.name, transform: `translate(${n.x},${n.y})` });
    g.append(el("circle", { r: radius(n) }),
      el("text", { x: radius(n) + 3, y: 4 }, n.name),
      el("title", {}, `${n.name} (${n.type || "actor"}): ${n.activity} stances`));
    g.addEventListener("click", () => select(n.id));
    nodes.append(g);
  }
}

// ---- actor panel -------------------------------------------------------------------------
function chip(label, text) {
  return el("span", { class: "chip", style: `background:${COLORS[label]}` }, text);
}

function pairTable(title, page) {
  const box = el("section");
  box.append(el("h3", {}, `${title} (${page.total})`));
  const t = el("table");
  t.append(el("tr"));
  t.lastChild.append(el("th", {}, "actor"), el("th", {}, "+"), el("th", {}, "−"),
    el("th", {}, "="), el("th", { title: "articles supporting minus opposing, over both" }, "net"));
  for (const p of page.items) {
    const tr = el("tr", { class: "pair", "data-other": p.other });
    tr.append(el("td", {}, p.other_name || p.other), el("td", { class: "n" }, p.support),
      el("td", { class: "n" }, p.oppose), el("td", { class: "n" }, p.neutral),
      el("td", { class: "n" }, p.signed_score.toFixed(2)));
    t.append(tr);
  }
  box.append(t);
  return box;
}

async function select(id) {
  state.selected = id;
  render();
  const since = state.since && state.since.toISOString();
  const [actor, claims] = await Promise.all([
    getJSON(`/actors/${encodeURIComponent(id)}?` + query({ since, limit: 20 })),
    getJSON("/claims?" + query({ actor: id, since, limit: 20 })),
  ]);
  if (state.selected !== id) return;
  const panel = $("panel");
  panel.replaceChildren();
  const h = el("h2", { id: "actor-name" }, actor.name);
  panel.append(h, el("p", { class: "meta" },
    `${actor.type}${actor.wikidata ? " · " + actor.wikidata : ""} · ${actor.id}`));
  if (actor.aliases.length) panel.append(el("p", {}, "Also: " + actor.aliases.join(", ")));
  panel.append(pairTable("Holds stances toward", actor.held),
    pairTable("Receives stances from", actor.received));
  panel.append(el("h3", {}, `Quotes (${claims.total})`));
  for (const c of claims.items) {
    const q = el("blockquote", { class: "quote", "data-claim": c.id });
    q.append(el("div", { class: "text" }, c.text));
    const meta = el("div", { class: "meta" });
    const art = c.article;
    const link = el("a", { href: /^https?:\/\//.test(art.url || "") ? art.url : "#", target: "_blank", rel: "noopener" },
      art.title || art.url || art.id);
    const who = [c.speaker_name, art.source].filter(Boolean).join(" · ");
    meta.append(who ? who + " · " : "", link);
    q.append(meta);
    for (const s of c.stances) {
      q.append(chip(s.stance, `${s.source_name || s.source} → ${s.target_name || s.target}`));
    }
    panel.append(q);
  }
  const list = el("ol", { id: "ticker" });
  list.replaceChildren(...ticker);
  panel.append(el("h2", {}, "Live"), list);
}

// ---- live --------------------------------------------------------------------------------
const ticker = [];
function connect() {
  const src = new EventSource("/stream/stances");
  let n = 0;
  src.onopen = () => { $("live").textContent = `live · ${n} new`; };
  src.onerror = () => { $("live").textContent = "reconnecting…"; };
  src.addEventListener("stance", (msg) => {
    const ev = JSON.parse(msg.data);
    n += 1;
    $("live").textContent = `live · ${n} new`;
    addLive(ev);
    ticker.unshift(el("li", {}, `${ev.source_name} ${ev.stance} ${ev.target_name}`));
    ticker.length = Math.min(ticker.length, 10);
    const list = $("ticker");
    if (list) list.replaceChildren(...ticker);
    scheduleRender();
  });
}

let pending = null;
function scheduleRender() { // batch bursts of stances into one re-layout
  if (pending) return;
  pending = setTimeout(() => { pending = null; layout(30); render(); }, 300);
}

async function search() {
  const q = $("search").value.trim();
  if (!q) return;
  const res = await getJSON("/actors?" + query({ q, limit: 10 }));
  const list = $("hits");
  list.replaceChildren(...res.items.map((a) => el("option", { value: a.name }, a.id)));
  const exact = res.items.find((a) => a.name === q || a.id === q) || res.items[0];
  if (exact && (exact.name === q || exact.id === q)) {
    if (!state.nodes.has(exact.id)) addNode({ ...exact, activity: exact.stance_count });
    select(exact.id);
  }
}

$("window").addEventListener("change", loadGraph);
$("min-count").addEventListener("change", loadGraph);
$("search").addEventListener("change", search);
$("search").addEventListener("input", () => { if ($("search").value.length > 1) search(); });
loadGraph().then(connect).catch((err) => {
  document.body.dataset.state = "error";
  $("panel").prepend(el("p", { class: "error" }, String(err)));
});
