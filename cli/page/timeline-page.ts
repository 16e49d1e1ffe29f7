// The timeline page: one self-contained HTML file (no network: inline CSS and script, the runs as
// JSON in <script id="vc-data">) with the runs it knows (#runs), the selected run's sequence diagram
// (a lane per actor, an arrow per message, state bands, refusals), a detail panel (#detail) and each
// role's statechart drawn from its machine. `vc replay --html` writes it; `vc inspect` serves it with
// `live`, and the page then takes runs from Server-Sent Events (`{type:'run', run: PageRun}`).
import { readFileSync } from 'node:fs';
import { MACHINES } from '../../machines/index.js';
import type { PageRun } from './page-run.js';
import { chartOf, statechartSvg } from './statechart.js';

export interface TimelinePageInput {
  readonly runs: readonly PageRun[];
  /** Live mode: the page listens on this Server-Sent Events URL for `{type:'run', run}`. */
  readonly live?: { readonly eventsUrl: string };
}

const STYLE = `
:root { font-family: system-ui, sans-serif; font-size: 13px; color: #222; }
body { margin: 0; display: grid; grid-template-columns: 1fr 360px;
  grid-template-rows: auto auto minmax(0, 78vh) auto;

header { grid-column: 1 / 3; padding: 8px 14px; background: #20304a; color: #fff; display: flex;
  gap: 16px; align-items: baseline; }
header h1 { font-size: 16px; margin: 0; }
#live-status { margin-left: auto; color: #9fe29f; }
nav { grid-column: 1 / 3; padding: 4px 14px; border-bottom: 1px solid #ccc; }
#runs { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
#runs li { padding: 3px 8px; border: 1px solid #aab; border-radius: 4px; cursor: pointer;
  font-family: ui-monospace, monospace; font-size: 12px; }
#runs li.active { background: #20304a; color: #fff; }
main { overflow: auto; padding: 0 8px 8px; }
.lane-header { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid #ddd;
  width: max-content; }
#sequence-svg { display: block; }
#detail { overflow: auto; padding: 8px 12px; border-left: 1px solid #ccc; background: #fafafc; }
#detail pre { font-size: 11.5px; white-space: pre-wrap; word-break: break-all; }
#detail h2 { font-size: 14px; margin: 4px 0; }
.divergence { color: #b00; font-weight: bold; }
.lane rect { fill: #eef2fa; stroke: #20304a; }
.lane.role-participant rect { fill: #e7f5e9; }
.lane.role-enclave rect { fill: #fff3dc; }
.lane-name { font-weight: bold; font-size: 13px; }
.lane-role { font-size: 10px; fill: #666; }
.lifeline { stroke: #bbb; stroke-width: 1; }
.dashed { stroke-dasharray: 4 4; }
.time { font-size: 10px; fill: #888; font-family: ui-monospace, monospace; }
.arrow { cursor: pointer; }
.arrow .shaft { stroke: #20304a; stroke-width: 1.4; fill: none; }
.arrow.announcement .shaft { stroke-dasharray: 5 3; stroke: #5a6f96; }
.arrow.refused .shaft { stroke: #c00; }
.arrow .hit { stroke: transparent; stroke-width: 12; }
.arrow-label { font-size: 10.5px; fill: #20304a; }
.arrow.selected .shaft { stroke: #e07000; stroke-width: 3; }
.head { fill: #20304a; }
.band { cursor: pointer; }
.band rect { stroke: #0003; }
.band.selected rect { stroke: #e07000; stroke-width: 2; }
.band-label { font-size: 9.5px; fill: #555; }
.transition { fill: #fff; stroke: #20304a; stroke-width: 1.5; cursor: pointer; }
.transition.selected { fill: #e07000; }
.refusal-label { fill: #c00; font-weight: bold; font-size: 11px; }
#statecharts { grid-column: 1 / 3; display: flex; flex-wrap: wrap; gap: 12px; padding: 8px;
  border-top: 1px solid #ccc; }
.statechart .outline { fill: #fff; stroke: #889; }
.statechart .state .state { }
.statechart .visited > .outline { fill: #e3f0ff; stroke: #2a62c9; stroke-width: 1.5; }
.statechart .current > .outline { fill: #ffe2bf; stroke: #e07000; stroke-width: 2.5; }
.statechart .state-name { font-weight: bold; font-size: 12px; }
.statechart .machine-name { font-weight: bold; font-size: 14px; }
.statechart .transition-label { font-size: 10.5px; fill: #444; font-family: ui-monospace, monospace; }
`;

let clientScript: string | undefined;

/** The browser script, a plain .js asset beside this file (no compiled code is serialised). */
function client(): string {
  clientScript ??= readFileSync(new URL('./timeline-client.js', import.meta.url), 'utf8');
  return clientScript;
}

/** JSON safe inside a <script> element (no `</script>`, no `<!--`). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The statecharts of every role, drawn from MACHINES. */
function statecharts(): string {
  return Object.entries(MACHINES)
    .map(([name, machine]) => statechartSvg(chartOf(name, machine)))
    .join('\n');
}

/** The whole page as one HTML string. */
export function renderTimelinePage(input: TimelinePageInput): string {
  const data = { runs: input.runs, live: input.live ?? null };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src 'self'">
<title>Veracruz-TS timeline</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Veracruz-TS timeline</h1><span id="run-title"></span><span id="live-status"></span></header>
<nav><ul id="runs"></ul></nav>
<main><div id="sequence"></div></main>
<aside id="detail"><p>Click a message arrow, a state band or a transition dot.</p></aside>
<section id="statecharts">
${statecharts()}
</section>
<script type="application/json" id="vc-data">${scriptJson(data)}</script>
<script>${client()}</script>
</body>
</html>
`;
}
