import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyStateMachine } from 'xstate';
import { MACHINES } from '../../machines/index.js';
import { statePaths } from './page-run.js';
import { chartOf, statechartSvg } from './statechart.js';

interface StateConfig {
  readonly type?: string;
  readonly on?: Readonly<Record<string, unknown>>;
  readonly states?: Readonly<Record<string, StateConfig>>;
}

/** Every state of a machine by dotted path, read from the config it was written as. */
function statesOf(machine: AnyStateMachine): { path: string; final: boolean; events: string[] }[] {
  const out: { path: string; final: boolean; events: string[] }[] = [];
  const walk = (states: StateConfig['states'], prefix: string): void => {
    for (const [key, config] of Object.entries(states ?? {})) {
      const path = prefix + key;
      out.push({ path, final: config.type === 'final', events: Object.keys(config.on ?? {}) });
      walk(config.states, `${path}.`);
    }
  };
  const root = machine.config as StateConfig;
  out.push({ path: '', final: false, events: Object.keys(root.on ?? {}) });
  walk(root.states, '');
  return out;
}

const attribute = (svg: string, name: string): string[] =>
  [...svg.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]!);

for (const [name, machine] of Object.entries(MACHINES)) {
  test(`the ${name} statechart lists every state of the machine, finals marked, with their events`, () => {
    const chart = chartOf(name, machine);
    const svg = statechartSvg(chart);
    assert.deepEqual(attribute(svg, 'data-machine'), [name]);
    const all = statesOf(machine);
    const expected = all.filter((s) => s.path !== '');
    assert.ok(expected.length > 3, `${name} has states`);
    assert.deepEqual(attribute(svg, 'data-state').sort(), expected.map((s) => s.path).sort());
    for (const state of expected.filter((s) => s.final))
      assert.ok(svg.includes(`<g class="state final" data-state="${state.path}">`), state.path);
    // Each event the machine's states handle appears as a transition label.
    for (const state of all)
      for (const event of state.events) assert.ok(svg.includes(`${event} →`), `${name}: ${event}`);
  });
}

test('the enclave chart nests serving’s states and names transition targets by path', () => {
  const chart = chartOf('enclave', MACHINES.enclave);
  const serving = chart.states.find((s) => s.path === 'serving');
  assert.ok(serving);
  assert.deepEqual(
    serving.children.map((c) => c.path),
    ['serving.idle', 'serving.writing', 'serving.executing', 'serving.reading'],
  );
  const idle = serving.children[0]!;
  const compute = idle.transitions.find((t) => t.event === 'compute.request');
  assert.deepEqual(compute?.targets, ['serving.executing']);
});

test('statePaths lists every state a JSON state value is in', () => {
  assert.deepEqual(statePaths('"idle"'), ['idle']);
  assert.deepEqual(statePaths('{"serving":"idle"}'), ['serving', 'serving.idle']);
  assert.deepEqual(statePaths('{"a":{"b":"c"},"d":"e"}'), ['a', 'a.b', 'a.b.c', 'd', 'd.e']);
});
