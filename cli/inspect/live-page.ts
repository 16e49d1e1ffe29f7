// The page `vc inspect` serves. STAND-IN until the timeline page (cli/page/, `renderTimelinePage`
// and `toPageRun`) is merged: then this file becomes
//   render: (runs, eventsUrl) => renderTimelinePage({ runs: runs.map(toPageRun), live: { eventsUrl } })
//   toPageRun
// Meanwhile a plain page with the same contract: #runs lists the runs (data-computation, data-run),
// each lane shows its name (data-lane), each message is an `.arrow` (data-seq), a click shows its
// body in #detail, and SSE messages `{type:'run', run}` add or replace a run.
import type { RunJournal } from '../../actors/index.js';
import type { LivePage } from './inspect-server.js';

function pageRun(run: RunJournal): unknown {
  return {
    computation: run.computation,
    run: run.run,
    lanes: run.lanes,
    events: run.messages.map((m) => ({
      seq: m.seq,
      time: m.time,
      actor: m.actor,
      to: m.to ?? null,
      kind: m.kind,
      size: m.size,
      code: m.code ?? null,
      body: m.body,
    })),
  };
}

const script = `
const runs = new Map();
let selected;
const keyOf = (r) => r.computation + '/' + r.run;
for (const r of JSON.parse(document.getElementById('vc-data').textContent)) runs.set(keyOf(r), r);
const el = (tag, attrs, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};
function render() {
  if (!selected || !runs.has(selected)) selected = [...runs.keys()].at(-1);
  const list = document.getElementById('runs');
  list.replaceChildren(...[...runs.values()].map((r) => {
    const li = el('li', { 'data-computation': r.computation, 'data-run': r.run,
      class: keyOf(r) === selected ? 'selected' : '' }, r.computation.slice(0, 12) + ' ' + r.run);
    li.onclick = () => { selected = keyOf(r); render(); };
    return li;
  }));
  const run = runs.get(selected);
  const view = document.getElementById('view');
  if (!run) return view.replaceChildren(el('p', {}, 'waiting for a computation...'));
  const lanes = el('div', { class: 'lanes' });
  for (const lane of run.lanes) lanes.append(el('span', { 'data-lane': lane.name, class: 'lane' }, lane.name));
  const arrows = el('ol', { class: 'arrows' });
  for (const m of run.events) {
    const a = el('li', { class: 'arrow', 'data-seq': String(m.seq) },
      new Date(m.time).toISOString().slice(11, 23) + ' ' + m.actor + ' -> ' + (m.to ?? '*') + ' ' +
      m.kind + ' (' + m.size + ' B)' + (m.code ? ' ' + m.code : ''));
    a.onclick = () => { document.getElementById('detail').textContent =
      m.kind + '\\n' + JSON.stringify(m.body, null, 2); };
    arrows.append(a);
  }
  view.replaceChildren(lanes, arrows);
}
render();
const live = document.getElementById('vc-data').dataset.events;
if (live) new EventSource(live).onmessage = (message) => {
  const data = JSON.parse(message.data);
  if (data.type === 'run') { runs.set(keyOf(data.run), data.run); render(); }
};
`;

function render(runs: readonly RunJournal[], eventsUrl: string): string {
  const data = JSON.stringify(runs.map(pageRun)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>vc inspect</title>
<style>body{font:14px sans-serif;display:grid;grid-template-columns:16em 1fr 24em;gap:1em}
li.selected{font-weight:bold}.lane{margin-right:1em;padding:.2em .5em;background:#eef}
.arrow{cursor:pointer}#detail{white-space:pre-wrap;background:#f6f6f6}</style></head>
<body><ul id="runs"></ul><main id="view"></main><pre id="detail"></pre>
<script type="application/json" id="vc-data" data-events="${eventsUrl}">${data}</script>
<script>${script}</script></body></html>`;
}

export const livePage: LivePage = { render, toPageRun: pageRun };
