// StanceStream web view: who supports and opposes whom, from /graph, kept live from
// /stream/stances (SSE), with an actor panel from /actors/{id} and /claims?actor=.
// Layout and drawing: Cytoscape.js with the fCoSE layout, vendored under /static/vendor/;
// nothing is fetched from other hosts. Text is only ever set as text (never as HTML).
"use strict";

const TOP_N = 30; // actors drawn by default, the most active in the window
const LATEST_DAYS = 7; // the default window ...
const LATEST_ARTICLES = 50; // ... or, when those days hold nothing, the newest articles
const EDGE_LIMIT = 5000; // the most /graph gives in one page
const COLORS = { oppose: "#c62828", mixed: "#ef8f00", support: "#2e7d32", neutral: "#9e9e9e" };
const TYPE_COLORS = {
  person: "#3949ab", gov: "#6a1b9a", party: "#6a1b9a", country: "#795548", location: "#795548",
  org: "#00796b", intl_org: "#00796b", group: "#00796b", media: "#00796b", other: "#607d8b",
};
const $ = (id) => document.getElementById(id);

const state = {
  cy: null,
  raw: { nodes: [], edges: [], total: 0 }, // the last /graph answer
  nodes: new Map(), // merged actors: id -> {id, name, type, wikidata, members, activity}
  edges: new Map(), // merged pairs: "s\0t" -> counts
  byMember: new Map(), // any stored actor id -> its merged actor's id
  drawn: { nodes: [], edges: [] },
  since: null, // Date or null (all time)
  windowNote: "",
  showAll: false,
  selected: null,
  fresh: new Set(), // pair keys that got a live stance since the last draw
  seq: 0, // the newest graph request; older answers are dropped
  busy: 0,
  layingOut: false,
  scale: 1, // name size in layout units, per on-screen pixel at zoom 1
};

// ---- small helpers -------------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c); // strings: as text
  return e;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== "") q.set(k, v);
  }
  return q.toString();
}

async function getJSON(url) {
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  if (!r.ok) {
    let msg = `${r.status}`;
    try { msg += " " + JSON.stringify((await r.json()).detail); } catch (_) { /* not JSON */ }
    throw new Error(`${url.split("?")[0]}: ${msg}`);
  }
  return r.json();
}

function nameKey(s) {
  return String(s || "").normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

function pairKey(s, t) { return `${s}\u0000${t}`; }

function fmtDate(d) {
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
}

function plural(n, one, many) { return `${n} ${n === 1 ? one : many || one + "s"}`; }

function minCount() { // a blank, fractional or silly entry never reaches the API
  const v = Number.parseInt($("min-count").value, 10);
  return Number.isFinite(v) && v >= 1 ? Math.min(v, 1e6) : 1;
}

function busy(delta) {
  state.busy = Math.max(0, state.busy + delta);
  settle();
}

function settle() { // "idle": data loaded, layout stopped, nothing in flight (for screenshots)
  const s = document.body.dataset.state;
  if (s === "error") return;
  document.body.dataset.state = state.busy || state.layingOut ? "busy" : "idle";
}

function showError(err) {
  $("status").replaceChildren(el("span", { class: "error" }, String(err && err.message || err)));
}

// ---- the window --------------------------------------------------------------------------
async function resolveWindow() {
  const win = $("window").value;
  const m = /^(\d+)([hd])$/.exec(win);
  if (m) {
    const ms = Number(m[1]) * (m[2] === "h" ? 3600e3 : 86400e3);
    return { since: new Date(Date.now() - ms), note: $("window").selectedOptions[0].textContent };
  }
  if (win !== "latest") return { since: null, note: "all time" };
  const week = new Date(Date.now() - LATEST_DAYS * 86400e3);
  const probe = await getJSON("/graph?" + query({ since: week.toISOString(), limit: 1 }));
  if (probe.total > 0) return { since: week, note: `last ${LATEST_DAYS} days` };
  // nothing this week: the newest LATEST_ARTICLES articles (one /stances row per article and pair)
  const rows = await getJSON("/stances?" + query({ limit: 1000 }));
  if (!rows.total) return { since: null, note: "nothing stored yet" };
  const seen = new Set();
  let since = null;
  for (const r of rows.items) {
    seen.add(r.article_id);
    since = r.created_at;
    if (seen.size >= LATEST_ARTICLES) break;
  }
  const all = seen.size < LATEST_ARTICLES && rows.items.length >= rows.total;
  if (all) {
    return { since: null, note: `nothing in the last ${LATEST_DAYS} days: all ` +
      `${plural(seen.size, "article")} with stances` };
  }
  const d = new Date(since);
  return { since: d, note: `nothing in the last ${LATEST_DAYS} days: the latest ` +
    `${plural(seen.size, "article")}, since ${fmtDate(d)}` };
}

// ---- the model: stored actors merged into one node per actor --------------------------------
function merge(graph) {
  // linked actors group by Wikidata id; a local actor (no QID) joins the one linked actor of
  // its name, else the other local actors of its name
  const groups = new Map(), byName = new Map(), byMember = new Map();
  for (const n of graph.nodes) {
    if (!n.wikidata) continue;
    const g = "q:" + n.wikidata.toUpperCase(), k = nameKey(n.name);
    byName.set(k, byName.has(k) && byName.get(k) !== g ? null : g); // null: two QIDs share it
    byMember.set(n.id, g);
  }
  for (const n of graph.nodes) {
    if (byMember.has(n.id)) continue;
    const k = nameKey(n.name);
    byMember.set(n.id, byName.get(k) || "n:" + k);
  }
  for (const n of graph.nodes) {
    const g = byMember.get(n.id);
    const cur = groups.get(g);
    if (!cur) {
      groups.set(g, { key: g, members: [n], activity: n.activity });
      continue;
    }
    cur.members.push(n);
    cur.activity += n.activity;
  }
  const nodes = new Map(), ids = new Map();
  for (const g of groups.values()) {
    // the node is the linked member (else the most active): its id, name and type
    const head = [...g.members].sort((a, b) =>
      (b.wikidata ? 1 : 0) - (a.wikidata ? 1 : 0) || b.activity - a.activity ||
      (a.id < b.id ? -1 : 1))[0];
    nodes.set(head.id, {
      id: head.id, name: head.name || head.id, type: head.type || "other",
      wikidata: head.wikidata || null, members: g.members.map((m) => m.id), activity: g.activity,
    });
    for (const m of g.members) ids.set(m.id, head.id);
  }
  const edges = new Map();
  for (const e of graph.edges) {
    const s = ids.get(e.source) || e.source, t = ids.get(e.target) || e.target;
    if (s === t) continue; // a local and a linked id of one actor: no stance toward itself
    const k = pairKey(s, t);
    const cur = edges.get(k) || { source: s, target: t, count: 0, support: 0, oppose: 0,
      neutral: 0, articles: 0, articles_support: 0, articles_oppose: 0, stories: 0,
      stories_support: 0, stories_oppose: 0 };
    for (const f of ["count", "support", "oppose", "neutral", "articles", "articles_support",
      "articles_oppose", "stories", "stories_support", "stories_oppose"]) cur[f] += e[f] || 0;
    edges.set(k, cur);
  }
  for (const e of edges.values()) {
    // a wire story run by several outlets counts once (stories: near-duplicate copies)
    const sup = e.stories_support, opp = e.stories_oppose;
    e.signed = sup + opp ? (sup - opp) / (sup + opp) : 0;
    e.label = !e.support && !e.oppose ? "neutral" : e.signed > 0.2 ? "support"
      : e.signed < -0.2 ? "oppose" : "mixed";
  }
  state.nodes = nodes;
  state.edges = edges;
  state.byMember = ids;
}

function visible() {
  const mc = minCount(), neutral = $("show-neutral").checked;
  const edges = [...state.edges.values()].filter((e) =>
    e.count >= mc && (neutral || e.label !== "neutral") && state.nodes.has(e.source) &&
    state.nodes.has(e.target));
  const weight = new Map();
  for (const e of edges) {
    weight.set(e.source, (weight.get(e.source) || 0) + e.count);
    weight.set(e.target, (weight.get(e.target) || 0) + e.count);
  }
  const ranked = [...weight.keys()].sort((a, b) => weight.get(b) - weight.get(a) ||
    state.nodes.get(a).name.localeCompare(state.nodes.get(b).name));
  const keep = new Set(state.showAll ? ranked : ranked.slice(0, TOP_N));
  if (!state.showAll) {
    // an actor whose only stances are with actors left out would float alone: it makes room
    // for the next most active actor that has a stance with one drawn
    const links = new Map(ranked.map((id) => [id, new Set()]));
    for (const e of edges) { links.get(e.source).add(e.target); links.get(e.target).add(e.source); }
    const dropped = new Set();
    for (let round = 0; round < 5; round++) {
      const alone = [...keep].filter((id) => ![...links.get(id)].some((o) => keep.has(o)));
      if (!alone.length) break;
      for (const id of alone) { keep.delete(id); dropped.add(id); }
      for (const id of ranked) {
        if (keep.size >= TOP_N) break;
        if (!keep.has(id) && !dropped.has(id) && [...links.get(id)].some((o) => keep.has(o))) {
          keep.add(id);
        }
      }
    }
  }
  if (state.selected && state.nodes.has(state.selected)) keep.add(state.selected);
  return {
    nodes: ranked.filter((id) => keep.has(id)).map((id) => ({ ...state.nodes.get(id),
      weight: weight.get(id) })),
    edges: edges.filter((e) => keep.has(e.source) && keep.has(e.target)),
    ranked: ranked.length,
  };
}

// ---- drawing -------------------------------------------------------------------------------
function mix(a, b, t) { // two #rrggbb colours, t in [0, 1]
  const p = (c, i) => parseInt(c.slice(1 + 2 * i, 3 + 2 * i), 16);
  return "#" + [0, 1, 2].map((i) => Math.round(p(a, i) + (p(b, i) - p(a, i)) * t)
    .toString(16).padStart(2, "0")).join("");
}

function edgeColor(e) {
  if (e.label === "neutral") return COLORS.neutral;
  return e.signed < 0 ? mix(COLORS.mixed, COLORS.oppose, -e.signed)
    : mix(COLORS.mixed, COLORS.support, e.signed);
}

function edgeText(e) {
  const a = state.nodes.get(e.source), b = state.nodes.get(e.target);
  const verb = { support: "supports", oppose: "opposes", mixed: "mixed toward",
    neutral: "neutral toward" }[e.label];
  return {
    head: `${a ? a.name : e.source} ${verb} ${b ? b.name : e.target}`,
    claims: `claims: ${e.support} support · ${e.oppose} oppose · ${e.neutral} neutral`,
    articles: `articles: ${e.articles_support} supporting · ${e.articles_oppose} opposing` +
      ` of ${e.articles}` + (e.stories < e.articles ? ` (${e.stories} stories)` : ""),
    score: `score ${e.signed > 0 ? "+" : ""}${e.signed.toFixed(2)} (support − oppose over both)`,
    short: e.label === "neutral" ? `${e.neutral} neutral` : [["support", e.support],
      ["oppose", e.oppose]].filter(([, n]) => n).map(([l, n]) => `${n} ${l}`).join(" · "),
  };
}

const FONT = "system-ui, sans-serif";
const STYLE = [
  { selector: "node", style: {
    shape: "round-rectangle", width: "data(w)", height: "data(h)",
    "background-color": "data(fill)", "border-color": "data(color)", "border-width": "data(border)",
    label: "data(label)", "font-size": "data(font)", "font-family": FONT, "font-weight": 600,
    color: "#1a1a1a", "text-valign": "center", "text-halign": "center", "text-wrap": "wrap",
    "min-zoomed-font-size": 0, "z-index-compare": "manual", "z-index": 10,
  } },
  { selector: "node.nolabel", style: { label: "" } },
  { selector: "node.hover, node:selected", style: { label: "data(label)", "z-index": 20 } },
  { selector: "node:selected", style: { "border-color": "#ff8f00", "border-width": "data(ring)",
    "overlay-opacity": 0 } },
  { selector: "node.dim", style: { opacity: 0.3 } },
  { selector: "edge", style: {
    width: "data(width)", "line-color": "data(color)", "target-arrow-color": "data(color)",
    "target-arrow-shape": "triangle", "arrow-scale": 1.3, "curve-style": "bezier",
    "control-point-step-size": 40, opacity: 0.9, "font-size": "data(font)", "font-family": FONT,
    "text-background-color": "#ffffff", "text-background-opacity": 0.95,
    "text-background-padding": 2, "text-border-width": 1, "text-border-color": "#bbb",
    "text-border-opacity": 1, "z-index-compare": "manual", "z-index": 1,
  } },
  { selector: "edge.neutral", style: { "line-style": "dashed", opacity: 0.6 } },
  { selector: "edge.hover, edge:selected, edge.lit", style: { label: "data(short)", opacity: 1,
    "z-index": 30 } },
  { selector: "edge.dim", style: { opacity: 0.12 } },
  { selector: "edge.fresh", style: { "underlay-color": "#ffd54f", "underlay-opacity": 0.7,
    "underlay-padding": 4 } },
];

// node boxes are sized to their names (wrapped at about 22 characters)
const measure = document.createElement("canvas").getContext("2d");
function wrapName(name) {
  const lines = [];
  for (const word of String(name).split(/\s+/).filter(Boolean)) {
    const last = lines.length ? lines[lines.length - 1] : null;
    if (last !== null && (last + " " + word).length <= 22) lines[lines.length - 1] += " " + word;
    else lines.push(word);
  }
  return lines.length ? lines : [String(name) || "?"];
}

function nodeBox(name, font) {
  const lines = wrapName(name);
  measure.font = `600 ${font}px ${FONT}`;
  const w = Math.max(...lines.map((l) => measure.measureText(l).width));
  return { label: lines.join("\n"), w: Math.ceil(w + font * 1.1),
    h: Math.ceil(lines.length * font * 1.25 + font * 0.7) };
}

function tint(c) { return mix(c, "#ffffff", 0.82); }

function initCy() {
  state.cy = cytoscape({
    container: $("graph"), style: STYLE, minZoom: 0.1, maxZoom: 4,
    boxSelectionEnabled: false, autoungrabify: false,
  });
  const cy = state.cy;
  cy.on("tap", "node", (ev) => { $("tip").hidden = true; select(ev.target.id()); });
  cy.on("tap", "edge", (ev) => { $("tip").hidden = true; select(ev.target.data("source")); });
  cy.on("tap", (ev) => { if (ev.target === cy) unselect(); });
  cy.on("mouseover", "node", (ev) => { ev.target.addClass("hover"); tip(ev, nodeTip(ev.target)); });
  cy.on("mouseover", "edge", (ev) => { ev.target.addClass("hover"); tip(ev, edgeTip(ev.target)); });
  cy.on("mouseout", "node, edge", (ev) => { ev.target.removeClass("hover"); $("tip").hidden = true; });
  cy.on("mousemove", "node, edge", (ev) => moveTip(ev));
}

function nodeTip(n) {
  const d = n.data();
  return [el("b", {}, d.name), el("br"), `${d.typeName} · ${plural(d.weight, "claim")} in view` +
    (d.members.length > 1 ? ` · ${d.members.length} stored ids merged` : "")];
}

function edgeTip(edge) {
  const t = edgeText(state.edges.get(edge.id()));
  return [el("b", {}, t.head), el("br"), t.claims, el("br"), t.articles, el("br"), t.score];
}

function tip(ev, content) {
  $("tip").replaceChildren(...content);
  $("tip").hidden = false;
  moveTip(ev);
}

function moveTip(ev) {
  const box = $("graph").getBoundingClientRect(), p = ev.renderedPosition || { x: 0, y: 0 };
  const t = $("tip");
  t.style.left = `${Math.min(box.left + p.x + 14, box.right - t.offsetWidth - 4)}px`;
  t.style.top = `${box.top + p.y + 14}px`;
}

const TYPE_NAMES = { person: "person", gov: "government body", party: "party",
  country: "country", location: "place", org: "organisation", intl_org: "international body",
  group: "group", media: "media", other: "actor" };

function draw() {
  const cy = state.cy;
  const view = visible();
  const maxW = Math.max(1, ...view.nodes.map((n) => n.weight));
  const elements = [];
  for (const n of view.nodes) {
    elements.push({ group: "nodes", data: {
      id: n.id, name: n.name, members: n.members, weight: n.weight, type: n.type,
      typeName: TYPE_NAMES[n.type] || n.type, color: TYPE_COLORS[n.type] || TYPE_COLORS.other,
      fill: tint(TYPE_COLORS[n.type] || TYPE_COLORS.other),
      base: 12 + Math.round(5 * Math.sqrt(n.weight / maxW)), // the most active: bigger names
    } });
    Object.assign(elements[elements.length - 1].data, sized(elements[elements.length - 1].data));
  }
  for (const e of view.edges) {
    const t = edgeText(e);
    const arts = e.label === "neutral" ? 1 : e.stories_support + e.stories_oppose;
    elements.push({ group: "edges", classes: e.label, data: {
      id: pairKey(e.source, e.target), source: e.source, target: e.target, color: edgeColor(e),
      width: state.scale * Math.min(11, 2.5 + 1.8 * Math.log2(Math.max(1, arts))),
      font: 12 * state.scale, short: t.short,
      label: e.label,
    } });
  }
  const want = new Set(elements.map((x) => x.data.id));
  const before = new Set(cy.elements().map((x) => x.id()));
  const added = elements.filter((x) => !before.has(x.data.id));
  cy.batch(() => {
    cy.elements().filter((x) => !want.has(x.id())).remove();
    for (const x of elements) {
      const cur = cy.getElementById(x.data.id);
      if (cur.nonempty()) { cur.data(x.data); cur.classes(x.classes || ""); }
    }
    // a new actor starts beside an actor it has a stance with, so the layout only refines
    for (const x of added.filter((a) => a.group === "nodes")) {
      const nb = view.edges.map((e) => e.source === x.data.id ? e.target
        : e.target === x.data.id ? e.source : null).find((id) => id && before.has(id));
      const p = nb ? cy.getElementById(nb).position() : { x: 0, y: 0 };
      const a = Math.random() * 2 * Math.PI, r = (nb ? 150 : 400 + 40 * added.length) * state.scale;
      x.position = { x: p.x + r * Math.cos(a), y: p.y + r * Math.sin(a) };
    }
    cy.add(added);
    cy.edges().removeClass("fresh");
    for (const k of state.fresh) cy.getElementById(k).addClass("fresh");
  });
  state.fresh.clear();
  const sel = state.selected ? cy.getElementById(state.selected) : cy.collection();
  cy.elements().removeClass("dim lit");
  if (sel.nonempty()) {
    sel.select();
    cy.elements().not(sel.closedNeighborhood()).addClass("dim");
    sel.connectedEdges().addClass("lit");
  }
  state.drawn = { nodes: view.nodes, edges: view.edges };
  status(view);
  const changed = added.length > 0 || before.size !== cy.elements().length;
  // a few actors more: refined from where the others are; otherwise laid out afresh
  const removed = [...before].some((id) => !want.has(id) && !id.includes("\u0000"));
  const few = added.filter((x) => x.group === "nodes").length <= Math.max(2, view.nodes.length / 5);
  if (changed || !state.laidOut) layout(!state.laidOut || removed || !few);
  else placeLabels();
}

function sized(d) { // a node's box at the current scale
  const font = Math.round(d.base * state.scale * 10) / 10;
  return { font, border: 2 * state.scale, ring: 4 * state.scale, ...nodeBox(d.name, font) };
}

function rescale(k) { // names, borders and arrows k times bigger in layout units
  const cy = state.cy;
  state.scale *= k;
  cy.batch(() => {
    cy.nodes().forEach((node) => { node.data(sized(node.data())); });
    cy.edges().forEach((edge) => {
      edge.data({ width: edge.data("width") * k, font: edge.data("font") * k });
    });
  });
}

function seeded(seed) { // mulberry32: the same graph gets the same layout
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function layout(fresh, pass = 0) {
  // fCoSE lays the boxes out apart from one another, its spacing fixed in layout units; when
  // the fitted view is zoomed out below 90 %, the boxes are scaled up by as much (1.6 times at
  // most, so they do not crowd the arrows out) and laid out again from where they are
  const cy = state.cy;
  if (state.layout) state.layout.stop();
  if (cy.nodes().empty()) { state.laidOut = false; placeLabels(); return; }
  state.layingOut = true;
  settle();
  if (fresh && state.scale !== 1) rescale(1 / state.scale);
  const n = cy.nodes().length;
  const run = cy.layout({
    name: "fcose", quality: "proof", randomize: fresh, animate: false, fit: true, padding: 24,
    nodeDimensionsIncludeLabels: false, uniformNodeDimensions: false, packComponents: true,
    nodeRepulsion: () => 6500,
    idealEdgeLength: (e) => 60 + Math.min(60, n * 2) + 0.35 * (e.source().width() +
      e.target().width()) / state.scale,
    edgeElasticity: () => 0.4, nodeSeparation: 40, gravity: 0.9, gravityRange: 1.5,
    numIter: 2500, tile: true, tilingPaddingVertical: 24, tilingPaddingHorizontal: 24,
  });
  state.layout = run;
  run.one("layoutstop", () => {
    if (state.layout !== run) return; // a newer layout took over
    state.layout = null;
    state.laidOut = true;
    cy.fit(undefined, 24);
    const z = cy.zoom();
    if (z < 0.9 && pass < 2 && state.scale < 1.6) {
      rescale(Math.min(1.6, state.scale / z) / state.scale);
      layout(false, pass + 1);
      return;
    }
    if (z > 1.25) { cy.zoom(1.25); cy.center(); }
    placeLabels();
    state.layingOut = false;
    settle();
  });
  const ids = cy.nodes().map((x) => x.id()).sort().join("\u0000");
  let h = 2166136261;
  for (let i = 0; i < ids.length; i++) h = Math.imul(h ^ ids.charCodeAt(i), 16777619);
  const random = Math.random;
  Math.random = seeded(h); // fCoSE draws its start from Math.random; it runs synchronously
  try { run.run(); } finally { Math.random = random; }
}

function labelBox(n) {
  const b = n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true });
  return { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 };
}

function overlaps(a, b) { return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2; }

function placeLabels() {
  // where two names would still overlap, the less active actor's is left out (it shows on
  // hover and when selected); the selected actor's always shows
  const cy = state.cy;
  cy.nodes().removeClass("nolabel");
  const shown = [];
  const order = cy.nodes().sort((a, b) => (b.selected() ? 1 : 0) - (a.selected() ? 1 : 0) ||
    b.data("weight") - a.data("weight"));
  cy.batch(() => {
    for (const node of order) {
      const box = labelBox(node);
      if (shown.some((s) => overlaps(s, box))) node.addClass("nolabel");
      else shown.push(box);
    }
  });
}

function status(view) {
  const parts = [];
  const mc = minCount();
  if (!state.raw.edges.length) {
    parts.push(state.windowNote === "nothing stored yet"
      ? "No stances stored yet: they appear here as articles come in (stancestream ingest)"
      : `No stances in this window (${state.windowNote})`);
  } else {
    parts.push(view.nodes.length ? `${view.nodes.length} of ${plural(view.ranked, "actor")}`
      : "no pair passes these filters");
    parts.push(plural(view.edges.length, "pair"));
    parts.push(state.windowNote);
    parts.push(mc > 1 ? `pairs seen ${mc}+ times` : "every pair");
    parts.push($("show-neutral").checked ? "neutral pairs shown" : "neutral pairs hidden");
  }
  if (state.raw.total > state.raw.edges.length) {
    parts.push(`the ${state.raw.edges.length} most frequent of ${state.raw.total} pairs fetched`);
  }
  $("status").replaceChildren(parts.join(" · "));
  const btn = $("show-all");
  btn.hidden = view.ranked <= TOP_N;
  btn.textContent = state.showAll ? `show the top ${TOP_N} only`
    : `show all ${view.ranked} actors`;
}

// ---- loading -----------------------------------------------------------------------------
async function loadGraph({ rewindow = true } = {}) {
  const seq = ++state.seq;
  busy(+1);
  try {
    if (rewindow) {
      const w = await resolveWindow();
      if (seq !== state.seq) return;
      state.since = w.since;
      state.windowNote = w.note;
    }
    const g = await getJSON("/graph?" + query({
      since: state.since && state.since.toISOString(), min_count: 1, limit: EDGE_LIMIT,
    }));
    if (seq !== state.seq) return;
    state.raw = g;
    merge(g);
    if (state.selected && !state.nodes.has(state.selected)) {
      state.selected = state.byMember.get(state.selected) || state.selected;
    }
    draw();
  } catch (err) {
    showError(err);
  } finally {
    busy(-1);
  }
}

// ---- actor panel -------------------------------------------------------------------------
function chip(s) {
  return el("span", { class: `chip ${s.stance}`, "data-stance": s.stance,
    title: `${s.stance}, score ${Number(s.score).toFixed(2)}` },
    `${s.source_name || s.source} ${{ support: "supports", oppose: "opposes",
      neutral: "·" }[s.stance]} ${s.target_name || s.target}`);
}

function mergePairs(pages, selfId) {
  const out = new Map();
  let total = 0;
  for (const page of pages) {
    total += page.total;
    for (const p of page.items) {
      const id = state.byMember.get(p.other) || p.other;
      if (id === selfId) continue;
      const cur = out.get(id) || { other: id, name: state.nodes.has(id)
        ? state.nodes.get(id).name : p.other_name || p.other, count: 0, support: 0, oppose: 0,
      neutral: 0, sup: 0, opp: 0 };
      cur.count += p.count; cur.support += p.support; cur.oppose += p.oppose;
      cur.neutral += p.neutral; cur.sup += p.stories_support; cur.opp += p.stories_oppose;
      out.set(id, cur);
    }
  }
  const rows = [...out.values()];
  for (const r of rows) r.signed = r.sup + r.opp ? (r.sup - r.opp) / (r.sup + r.opp) : 0;
  // stances first (most non-neutral claims), neutral-only pairs last
  rows.sort((a, b) => (b.support + b.oppose) - (a.support + a.oppose) || b.count - a.count ||
    a.name.localeCompare(b.name));
  return { rows, total };
}

function pairTable(title, merged, cls) {
  const box = el("section", { class: cls });
  box.append(el("h3", {}, `${title} (${merged.rows.length})`));
  if (!merged.rows.length) { box.append(el("p", { class: "hint" }, "none in this window")); return box; }
  const t = el("table");
  t.append(el("tr", {}, el("th", {}, "actor"), el("th", { title: "claims read as support" }, "+"),
    el("th", { title: "claims read as oppose" }, "−"), el("th", { title: "neutral claims" }, "="),
    el("th", { title: "articles supporting minus opposing, over both" }, "score")));
  for (const p of merged.rows) {
    const score = el("td", { class: "n" }, (p.signed > 0 ? "+" : "") + p.signed.toFixed(2));
    if (p.support || p.oppose) score.style.color = edgeColor({ label: "x", signed: p.signed });
    const name = el("td", {}, state.nodes.has(p.other)
      ? el("a", { href: "#", "data-actor": p.other }, p.name) : p.name);
    t.append(el("tr", { class: "pair" + (p.support || p.oppose ? "" : " quiet"),
      "data-other": p.other }, name, el("td", { class: "n" }, String(p.support)),
    el("td", { class: "n" }, String(p.oppose)), el("td", { class: "n" }, String(p.neutral)),
    score));
  }
  box.append(t);
  return box;
}

function quoteCard(c, members) {
  const strong = c.stances.filter((s) => s.stance !== "neutral");
  const weak = c.stances.filter((s) => s.stance === "neutral");
  const mine = (s) => members.has(s.source) || members.has(s.target);
  strong.sort((a, b) => (mine(b) ? 1 : 0) - (mine(a) ? 1 : 0) || b.score - a.score);
  const q = el("blockquote", { class: "quote" + (strong.length ? "" : " quiet"),
    "data-claim": c.id, "data-strong": strong.length });
  q.append(el("div", { class: "text" }, c.text));
  const art = c.article || {};
  const url = /^https?:\/\//i.test(art.url || "") ? art.url : null;
  const title = art.title || art.url || art.id || "article";
  const meta = el("div", { class: "meta" });
  const who = [c.speaker_name, art.outlet || art.source,
    art.published_at ? fmtDate(new Date(art.published_at)) : null].filter(Boolean).join(" · ");
  if (who) meta.append(who + " · ");
  meta.append(url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, title)
    : title);
  q.append(meta);
  const chips = el("div", { class: "chips" }, ...strong.map(chip));
  if (weak.length) {
    const more = el("details", { class: "neutral-chips" },
      el("summary", {}, `${plural(weak.length, "neutral reading")}`), ...weak.map(chip));
    chips.append(more);
  }
  if (!c.stances.length) chips.append(el("span", { class: "hint" }, "no stance read"));
  q.append(chips);
  return q;
}

// the panel of actor ``id`` from its stored ids' [/actors/{id}, /claims?actor=] answers
function showActor(id, pages) {
  const node = state.nodes.get(id);
  const members = node ? node.members : [id];
  const self = new Set(members);
  const empty = { items: [], total: 0 };
  const actors = pages.map(([a]) => ({ aliases: [], held: empty, received: empty, ...a }));
  const head = actors[0] || { id, name: id, aliases: [], held: empty, received: empty };
  const name = node ? node.name : head.name || id;
  const box = $("actor");
  box.replaceChildren(el("h2", { id: "actor-name" }, name));
  box.append(el("p", { class: "meta" }, [TYPE_NAMES[head.type] || head.type,
    head.wikidata || (node && node.wikidata), members.length > 1
      ? `${members.length} stored ids: ${members.join(", ")}` : head.id]
    .filter(Boolean).join(" · ")));
  const aliases = [...new Set(actors.flatMap((a) => a.aliases || []))]
    .filter((a) => nameKey(a) !== nameKey(name));
  if (aliases.length) box.append(el("p", { class: "meta" }, "Also written: " + aliases.join(", ")));
  box.append(pairTable("Holds stances toward", mergePairs(actors.map((a) => a.held || empty), id),
    "held"), pairTable("Receives stances from",
    mergePairs(actors.map((a) => a.received || empty), id), "received"));
  const seen = new Set(), claims = [];
  let total = 0;
  for (const [, page] of pages) {
    const c = page || empty;
    total += c.total || 0;
    for (const item of c.items || []) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      claims.push({ ...item, stances: item.stances || [] });
    }
  }
  // quotes with a support or oppose reading of this actor first, then other readings,
  // then the neutral ones; newest article first within each (the API's order)
  const rank = (c) => c.stances.some((s) => s.stance !== "neutral" &&
    (self.has(s.source) || self.has(s.target))) ? 0
    : c.stances.some((s) => s.stance !== "neutral") ? 1 : 2;
  claims.sort((a, b) => rank(a) - rank(b));
  box.append(el("h3", {}, `Quotes (${claims.length < total ? `${claims.length} of ${total}`
    : total})`));
  if (!claims.length) box.append(el("p", { class: "hint" }, "No quotes in this window."));
  for (const c of claims) box.append(quoteCard(c, self));
  $("panel").scrollTop = 0;
}

async function select(id) {
  const node = state.nodes.get(id);
  const members = node ? node.members : [id];
  state.selected = id;
  if (state.cy) {
    state.cy.elements().unselect();
    const n = state.cy.getElementById(id);
    n.select();
    state.cy.elements().removeClass("dim lit");
    if (n.nonempty()) {
      state.cy.elements().not(n.closedNeighborhood()).addClass("dim");
      n.connectedEdges().addClass("lit"); // its pairs' counts as edge labels
      placeLabels();
    } else if (node) {
      draw(); // an actor left out of the top ones: drawn with its pairs
    }
  }
  busy(+1);
  try {
    const since = state.since && state.since.toISOString();
    const pages = await Promise.all(members.map((m) => Promise.all([
      getJSON(`/actors/${encodeURIComponent(m)}?` + query({ since, limit: 100 })),
      getJSON("/claims?" + query({ actor: m, since, limit: 100 })),
    ])));
    if (state.selected !== id) return;
    showActor(id, pages);
    $("panel").scrollTop = 0;
  } catch (err) {
    if (state.selected === id) {
      $("actor").replaceChildren(el("p", { class: "error" }, String(err.message || err)));
    }
  } finally {
    busy(-1);
  }
}

function unselect() {
  state.selected = null;
  if (state.cy) {
    state.cy.elements().unselect();
    state.cy.elements().removeClass("dim lit");
    placeLabels();
  }
  $("actor").replaceChildren(el("p", { class: "hint" }, "Click an actor to see the stances it " +
    "holds and receives and the quotes behind them. Hover an arrow for its counts."));
}

// ---- live --------------------------------------------------------------------------------
const ticker = [];
let refresh = null;
function connect() {
  if (typeof EventSource === "undefined") { $("live").textContent = "no live updates"; return; }
  const src = new EventSource("/stream/stances");
  let n = 0;
  src.onopen = () => { $("live").textContent = `live · ${n} new`; };
  src.onerror = () => { $("live").textContent = "reconnecting…"; };
  src.addEventListener("stance", (msg) => {
    let ev;
    try { ev = JSON.parse(msg.data); } catch (_) { return; }
    n += 1;
    $("live").textContent = `live · ${n} new`;
    if (state.since && ev.published_at && new Date(ev.published_at) < state.since) return;
    const s = state.byMember.get(ev.source) || ev.source;
    const t = state.byMember.get(ev.target) || ev.target;
    state.fresh.add(pairKey(s, t));
    ticker.unshift(el("li", { class: ev.stance },
      `${ev.source_name || ev.source} ${ev.stance} ${ev.target_name || ev.target}`));
    ticker.length = Math.min(ticker.length, 10);
    $("ticker").replaceChildren(...ticker);
    if (!refresh) { // bursts of stances: one /graph reload every 1.5 s at most
      busy(+1);
      refresh = setTimeout(() => {
        refresh = null;
        loadGraph({ rewindow: false }).finally(() => busy(-1));
      }, 1500);
    }
  });
}

// ---- search ------------------------------------------------------------------------------
let searchSeq = 0;
async function search(pick) {
  const q = $("search").value.replace(/[\u0000-\u001f\u007f]/g, " ").trim().slice(0, 200);
  if (!q) return;
  const seq = ++searchSeq;
  try {
    const res = await getJSON("/actors?" + query({ q, limit: 10 }));
    if (seq !== searchSeq) return;
    $("hits").replaceChildren(...res.items.map((a) => el("option", { value: a.name }, a.id)));
    if (!pick) return;
    const hit = res.items.find((a) => nameKey(a.name) === nameKey(q) || a.id === q ||
      (a.wikidata || "").toUpperCase() === q.toUpperCase()) || res.items[0];
    if (!hit) { $("status").replaceChildren(`no actor matches “${q}”`); return; }
    const id = state.byMember.get(hit.id) || hit.id;
    select(id);
  } catch (err) {
    showError(err);
  }
}

// ---- start -------------------------------------------------------------------------------
function start() {
  $("window").addEventListener("change", () => loadGraph());
  $("min-count").addEventListener("change", () => draw());
  $("show-neutral").addEventListener("change", () => draw());
  $("show-all").addEventListener("click", () => { state.showAll = !state.showAll; draw(); });
  $("search").addEventListener("change", () => search(true));
  $("search").addEventListener("input", () => { if ($("search").value.trim().length > 1) search(false); });
  $("actor").parentElement.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-actor]");
    if (a) { ev.preventDefault(); select(a.dataset.actor); }
  });
  if (typeof cytoscape === "undefined") {
    document.body.dataset.state = "error";
    showError("the graph library did not load (/static/vendor/cytoscape.min.js)");
    return;
  }
  initCy();
  loadGraph().then(connect);
}

// for tests and for embedding: what is drawn, and a way to draw a given /graph answer
window.stancestreamView = {
  state: () => document.body.dataset.state,
  nodes: () => state.cy.nodes().map((n) => ({ id: n.id(), name: n.data("name"),
    members: n.data("members"), labelled: !n.hasClass("nolabel") })),
  edges: () => state.drawn.edges.map((e) => ({ source: e.source, target: e.target,
    source_name: state.nodes.get(e.source).name, target_name: state.nodes.get(e.target).name,
    stance: e.label, signed_score: e.signed, support: e.support, oppose: e.oppose,
    neutral: e.neutral, count: e.count })),
  labelBoxes: () => state.cy.nodes().filter((n) => !n.hasClass("nolabel")).map((n) => {
    const b = n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true });
    const z = state.cy.zoom(), p = state.cy.pan();
    return { id: n.id(), name: n.data("name"), x1: b.x1 * z + p.x, y1: b.y1 * z + p.y,
      x2: b.x2 * z + p.x, y2: b.y2 * z + p.y };
  }),
  renderedPosition: (id) => {
    const n = state.cy.getElementById(id);
    return n.nonempty() ? n.renderedPosition() : null;
  },
  select: (id) => select(id),
  showActor: (id, pages) => showActor(id, pages), // draw a panel from given API answers
  show: (graph) => { // draw a /graph answer as if the API had sent it
    state.seq += 1;
    state.raw = graph;
    merge(graph);
    draw();
  },
  reload: () => loadGraph(),
};

start();
