// The trace viewer page, self-contained (no network): `viewerHtml()` embeds
// a trace in it, and the build writes it to `viewer/index.html` as well (see
// tsup.config.ts) for `viewerUrl()`. It lives in the code so the viewer works
// where there are no files to read (a browser).

/** The viewer page, with `null` where `viewerHtml()` puts the trace. */
export const VIEWER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>@aio/debug trace viewer</title>
<style>
  :root { --row: 22px; --label: 220px; font: 13px/1.4 system-ui, sans-serif; color: #1d1d1f; }
  body { margin: 0; padding: 12px 16px; background: #fafafa; }
  h1 { font-size: 16px; margin: 0 0 8px; }
  #status { margin: 4px 0 10px; color: #555; }
  #status.error { color: #b00020; font-weight: 600; }
  #drop { border: 1px dashed #aaa; padding: 6px 10px; border-radius: 4px; display: inline-block; margin-bottom: 10px; }
  #timeline { position: relative; background: #fff; border: 1px solid #ddd; overflow: hidden; }
  .row { position: relative; height: var(--row); border-bottom: 1px solid #f0f0f0; }
  .row .label { position: absolute; left: 0; width: calc(var(--label) - 8px); padding-left: 6px; white-space: nowrap;
    overflow: hidden; text-overflow: ellipsis; line-height: var(--row); background: #f6f6f6; border-right: 1px solid #ddd; }
  .row .lane { position: absolute; left: var(--label); right: 0; top: 0; bottom: 0; }
  .slice { position: absolute; top: 3px; height: calc(var(--row) - 6px); min-width: 1px; border-radius: 2px; }
  .slice.step { background: #3b7dd8; }
  .slice.callback { background: #999; }
  .slice.slow { background: #d9372b; }
  svg#flows { position: absolute; left: 0; top: 0; pointer-events: none; }
  table { border-collapse: collapse; margin-top: 14px; background: #fff; }
  th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
  th { background: #f0f0f0; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>@aio/debug trace viewer</h1>
<div id="drop">Open a trace: <input id="file" type="file" accept=".json,application/json"> (or drop it here)</div>
<div id="status">No trace loaded.</div>
<div id="timeline"></div>
<table id="tasks" hidden>
  <thead><tr><th>track</th><th>slices</th><th>busy (ms)</th><th>first (ms)</th><th>last (ms)</th><th>longest (ms)</th></tr></thead>
  <tbody></tbody>
</table>
<!-- A trace embedded by viewerHtml(trace) of @aio/debug replaces this null. -->
<script id="aio-trace" type="application/json">null</script>
<script>
"use strict";
// Renders Chrome Trace Event JSON written by @aio/debug's writeTrace():
// one timeline row per track (tasks, and each loop's callbacks), slices
// positioned by ts/dur, await arrows (s/f flow events) as lines, and a table
// of the tracks. No network: everything is in this file.
const SLOW_US = 100000;

function setStatus(text, isError) {
  const el = document.getElementById("status");
  el.textContent = text;
  el.className = isError ? "error" : "";
  document.body.dataset.rendered = isError ? "error" : "ok";
}

function problems(trace) {
  if (typeof trace !== "object" || trace === null || !Array.isArray(trace.traceEvents)) {
    return ["a trace must be an object with a traceEvents array"];
  }
  const out = [];
  trace.traceEvents.forEach((e, i) => {
    if (out.length >= 5) return;
    if (typeof e !== "object" || e === null || typeof e.ph !== "string") out.push(\`traceEvents[\${i}] has no phase\`);
    else if (e.ph === "X" && (typeof e.ts !== "number" || typeof e.dur !== "number")) out.push(\`traceEvents[\${i}] (X) needs ts and dur\`);
  });
  return out;
}

function render(trace, source) {
  const bad = problems(trace);
  if (bad.length) {
    setStatus(\`\${source} is not a valid trace: \${bad.join("; ")}\`, true);
    return;
  }
  const events = trace.traceEvents;
  const names = new Map();
  const order = new Map();
  for (const e of events) {
    if (e.ph === "M" && e.name === "thread_name") names.set(e.tid, String(e.args?.name));
    if (e.ph === "M" && e.name === "thread_sort_index") order.set(e.tid, Number(e.args?.sort_index));
  }
  const slices = events.filter((e) => e.ph === "X");
  const tids = [...new Set([...names.keys(), ...slices.map((e) => e.tid)])];
  tids.sort((a, b) => (order.get(a) ?? a) - (order.get(b) ?? b));
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const e of events) {
    if (typeof e.ts !== "number") continue;
    t0 = Math.min(t0, e.ts);
    t1 = Math.max(t1, e.ts + (e.dur || 0));
  }
  if (!Number.isFinite(t0)) { t0 = 0; t1 = 1; }
  const span = Math.max(t1 - t0, 1);

  const timeline = document.getElementById("timeline");
  timeline.textContent = "";
  const rowOf = new Map();
  const width = Math.max(timeline.clientWidth - 220, 200);
  const x = (ts) => ((ts - t0) / span) * width;
  tids.forEach((tid, i) => {
    const row = document.createElement("div");
    row.className = "row";
    row.dataset.tid = String(tid);
    const label = document.createElement("div");
    label.className = "label";
    label.textContent = names.get(tid) || \`tid \${tid}\`;
    label.title = label.textContent;
    const lane = document.createElement("div");
    lane.className = "lane";
    row.append(label, lane);
    timeline.append(row);
    rowOf.set(tid, { lane, index: i });
  });
  const stats = new Map(tids.map((tid) => [tid, { n: 0, busy: 0, first: Infinity, last: -Infinity, longest: 0 }]));
  for (const e of slices) {
    const r = rowOf.get(e.tid);
    if (!r) continue;
    const div = document.createElement("div");
    div.className = \`slice \${e.cat === "callback" ? "callback" : "step"}\${e.dur >= SLOW_US ? " slow" : ""}\`;
    div.style.left = \`\${x(e.ts)}px\`;
    div.style.width = \`\${Math.max((e.dur / span) * width, 1)}px\`;
    div.title = \`\${e.name} — \${(e.dur / 1000).toFixed(3)} ms\${e.args?.awaiting ? \`\\nthen awaits \${e.args.awaiting}\` : ""}\`;
    r.lane.append(div);
    const s = stats.get(e.tid);
    s.n++;
    s.busy += e.dur;
    s.first = Math.min(s.first, e.ts);
    s.last = Math.max(s.last, e.ts + e.dur);
    s.longest = Math.max(s.longest, e.dur);
  }

  // Await arrows: from each flow start to its end.
  const rowHeight = 23;
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.id = "flows";
  svg.setAttribute("width", String(width + 220));
  svg.setAttribute("height", String(tids.length * rowHeight));
  const ends = new Map(events.filter((e) => e.ph === "f").map((e) => [e.id, e]));
  let arrows = 0;
  for (const s of events) {
    if (s.ph !== "s") continue;
    const f = ends.get(s.id);
    const a = rowOf.get(s.tid);
    const b = f && rowOf.get(f.tid);
    if (!f || !a || !b) continue;
    const line = document.createElementNS(svgNS, "line");
    line.setAttribute("x1", String(220 + x(s.ts)));
    line.setAttribute("y1", String(a.index * rowHeight + rowHeight / 2));
    line.setAttribute("x2", String(220 + x(f.ts)));
    line.setAttribute("y2", String(b.index * rowHeight + rowHeight / 2));
    line.setAttribute("stroke", "#e08a00");
    line.setAttribute("stroke-width", "1.5");
    svg.append(line);
    arrows++;
  }
  timeline.append(svg);

  const body = document.querySelector("#tasks tbody");
  body.textContent = "";
  const ms = (us) => (Number.isFinite(us) ? ((us - 0) / 1000).toFixed(3) : "-");
  for (const tid of tids) {
    const s = stats.get(tid);
    const tr = document.createElement("tr");
    tr.dataset.tid = String(tid);
    const cells = [
      names.get(tid) || \`tid \${tid}\`,
      String(s.n),
      ms(s.busy),
      s.n ? ms(s.first - t0) : "-",
      s.n ? ms(s.last - t0) : "-",
      ms(s.longest),
    ];
    cells.forEach((c, i) => {
      const td = document.createElement("td");
      td.textContent = c;
      if (i > 0) td.className = "num";
      tr.append(td);
    });
    body.append(tr);
  }
  document.getElementById("tasks").hidden = false;
  setStatus(\`\${source}: \${tids.length} tracks, \${slices.length} slices, \${arrows} await arrows, \${(span / 1000).toFixed(3)} ms\`, false);
}

function load(text, source) {
  let trace;
  try {
    trace = JSON.parse(text);
  } catch (err) {
    setStatus(\`\${source} is not a complete trace (\${err.message}); was it truncated while being written?\`, true);
    return;
  }
  render(trace, source);
}

document.getElementById("file").addEventListener("change", (ev) => {
  const file = ev.target.files[0];
  if (file) file.text().then((t) => load(t, file.name));
});
document.addEventListener("dragover", (ev) => ev.preventDefault());
document.addEventListener("drop", (ev) => {
  ev.preventDefault();
  const file = ev.dataTransfer.files[0];
  if (file) file.text().then((t) => load(t, file.name));
});

const embedded = document.getElementById("aio-trace").textContent.trim();
if (embedded !== "null" && embedded !== "") load(embedded, "embedded trace");
</script>
</body>
</html>
`;
