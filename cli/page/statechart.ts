// The statechart of a role, drawn from its machine definition (machines/): every state, nested
// states inside their parent, each transition as `event → target`, final states doubly outlined.
// A pure function of the machine; the page marks the states a run visited (class `visited`).
import type { AnyStateMachine } from 'xstate';

/** The part of an xstate v5 state node that the chart reads. */
interface NodeView {
  readonly key: string;
  readonly id: string;
  readonly type: string;
  readonly states: Readonly<Record<string, NodeView>>;
  readonly transitions: ReadonlyMap<
    string,
    readonly { readonly target?: readonly { readonly id: string }[] | undefined }[]
  >;
  readonly always?: readonly { readonly target?: readonly { readonly id: string }[] | undefined }[];
}

interface ChartTransition {
  readonly event: string;
  /** Target state paths (relative to the machine); empty for a transition that stays. */
  readonly targets: readonly string[];
}

interface ChartState {
  /** Dotted path from the machine's root (`serving.idle`). */
  readonly path: string;
  readonly name: string;
  readonly type: string;
  readonly depth: number;
  readonly transitions: readonly ChartTransition[];
  readonly children: readonly ChartState[];
}

export interface Chart {
  readonly machine: string;
  /** Transitions the root handles in every state. */
  readonly transitions: readonly ChartTransition[];
  readonly states: readonly ChartState[];
}

function transitionsOf(node: NodeView, rootId: string): ChartTransition[] {
  const relative = (id: string): string =>
    id.startsWith(`${rootId}.`) ? id.slice(rootId.length + 1) : id;
  const out: ChartTransition[] = [];
  const add = (event: string, ts: NodeView['always']): void => {
    const targets = new Set<string>();
    for (const t of ts ?? []) for (const target of t.target ?? []) targets.add(relative(target.id));
    out.push({ event, targets: [...targets] });
  };
  for (const [event, ts] of node.transitions) add(event, ts);
  if (node.always?.length) add('(always)', node.always);
  return out;
}

/** The machine's states and transitions, in definition order. */
export function chartOf(name: string, machine: AnyStateMachine): Chart {
  const root = machine.root as unknown as NodeView;
  const walk = (node: NodeView, prefix: string, depth: number): ChartState[] =>
    Object.values(node.states).map((child) => {
      const path = prefix + child.key;
      return {
        path,
        name: child.key,
        type: child.type,
        depth,
        transitions: transitionsOf(child, root.id),
        children: walk(child, `${path}.`, depth + 1),
      };
    });
  return { machine: name, transitions: transitionsOf(root, root.id), states: walk(root, '', 0) };
}

const LINE = 14;
const HEAD = 22;
const PAD = 6;
const WIDTH = 420;
const INDENT = 16;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function transitionLine(t: ChartTransition): string {
  return `${t.event} → ${t.targets.length ? t.targets.join(' | ') : '(stays)'}`;
}

/** Lays out one state (and its children) at y; returns its SVG and height. */
function drawState(state: ChartState, y: number): { svg: string; height: number } {
  const x = PAD + state.depth * INDENT;
  const width = WIDTH - 2 * PAD - 2 * state.depth * INDENT;
  const parts: string[] = [];
  let inner = y + HEAD;
  const lines = state.transitions.map((t) => {
    const text = `<text class="transition-label" x="${x + 10}" y="${inner + 10}">${escapeXml(transitionLine(t))}</text>`;
    inner += LINE;
    return text;
  });
  for (const child of state.children) {
    const drawn = drawState(child, inner + 2);
    parts.push(drawn.svg);
    inner += drawn.height + 4;
  }
  const height = inner - y + PAD;
  const final = state.type === 'final';
  const outline = final
    ? `<rect class="outline" x="${x}" y="${y}" width="${width}" height="${height}" rx="8"/><rect class="outline inner" x="${x + 3}" y="${y + 3}" width="${width - 6}" height="${height - 6}" rx="6"/>`
    : `<rect class="outline" x="${x}" y="${y}" width="${width}" height="${height}" rx="8"/>`;
  const title = `<text class="state-name" x="${x + 8}" y="${y + 15}">${escapeXml(state.name)}${final ? ' (final)' : state.type === 'compound' ? ' (compound)' : ''}</text>`;
  return {
    svg: `<g class="state${final ? ' final' : ''}" data-state="${escapeXml(state.path)}">${outline}${title}${lines.join('')}${parts.join('')}</g>`,
    height,
  };
}

/** The chart as one SVG element (`class="statechart"`, `data-machine`). */
export function statechartSvg(chart: Chart): string {
  const parts: string[] = [];
  let y = PAD;
  parts.push(
    `<text class="machine-name" x="${PAD}" y="${y + 14}">${escapeXml(chart.machine)} machine</text>`,
  );
  y += HEAD;
  for (const t of chart.transitions) {
    parts.push(
      `<text class="transition-label" x="${PAD}" y="${y + 10}">in any state: ${escapeXml(transitionLine(t))}</text>`,
    );
    y += LINE;
  }
  y += 4;
  for (const state of chart.states) {
    const drawn = drawState(state, y);
    parts.push(drawn.svg);
    y += drawn.height + 6;
  }
  return `<svg class="statechart" data-machine="${escapeXml(chart.machine)}" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + PAD}" viewBox="0 0 ${WIDTH} ${y + PAD}">${parts.join('')}</svg>`;
}
