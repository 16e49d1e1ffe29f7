// `vc replay JOURNAL --otlp FILE`: a committed scenario history and a refused run exported as OTLP
// JSON, checked against the journal they come from and against the OTLP JSON shape (the
// ExportTraceServiceRequest of opentelemetry-proto, JSON mapping); no Jaeger or Tempo is started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  readComputation,
  readRuns,
  type MessageEvent,
  type RunJournal,
} from '../../actors/index.js';
import {
  embeddedEnvironment,
  prepareRun,
  runScenario,
  type ScenarioReport,
} from '../../scenarios/index.js';
import { refusalCases } from '../../scenarios/testing/index.js';
import { parseJournal, privateTempDir } from '../../transport/index.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';
import { otlpJson, RUN_SERVICE } from './otlp.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  status: { code: number; message?: string };
}
interface OtlpRequest {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}
interface Exported {
  readonly service: string;
  readonly span: OtlpSpan;
}

const HISTORY = new URL('../../scenarios/histories/sealed-bid-auction.vcj', import.meta.url)
  .pathname;

const attribute = (attributes: readonly OtlpAttribute[], key: string): OtlpValue | undefined =>
  attributes.find((a) => a.key === key)?.value;
const nanos = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();

/** The OTLP JSON shape: hex ids, enum kinds and codes, nanosecond strings, typed values. */
function assertOtlpShape(request: OtlpRequest): Exported[] {
  assert.ok(Array.isArray(request.resourceSpans) && request.resourceSpans.length > 0);
  const spans: Exported[] = [];
  for (const rs of request.resourceSpans) {
    const service = attribute(rs.resource.attributes, 'service.name')?.stringValue;
    assert.ok(service, 'every resource has a service.name');
    for (const scope of rs.scopeSpans) {
      assert.equal(typeof scope.scope.name, 'string');
      for (const span of scope.spans) {
        assert.match(span.traceId, /^[0-9a-f]{32}$/);
        assert.match(span.spanId, /^[0-9a-f]{16}$/);
        if (span.parentSpanId !== undefined) assert.match(span.parentSpanId, /^[0-9a-f]{16}$/);
        assert.ok(span.kind >= 1 && span.kind <= 5, `span kind ${span.kind}`);
        assert.match(span.startTimeUnixNano, /^\d+$/);
        assert.match(span.endTimeUnixNano, /^\d+$/);
        assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano));
        assert.ok([0, 1, 2].includes(span.status.code));
        for (const a of span.attributes) {
          const kinds = Object.keys(a.value);
          assert.equal(kinds.length, 1, `${a.key} has one typed value`);
          assert.ok(
            ['stringValue', 'intValue', 'boolValue', 'doubleValue', 'arrayValue'].includes(
              kinds[0]!,
            ),
          );
        }
        spans.push({ service, span });
      }
    }
  }
  return spans;
}

async function exported(runs: readonly RunJournal[]): Promise<OtlpRequest> {
  return JSON.parse(new TextDecoder().decode(await otlpJson(runs))) as OtlpRequest;
}

test('vc replay --otlp: a scenario history as one trace, actors as resources, a span per phase and per request', async () => {
  const dir = privateTempDir('vc-otlp-');
  try {
    const out = join(dir.path, 'trace.json');
    const io = captureIo();
    assert.equal(await main(['replay', HISTORY, '--otlp', out], io), 0, io.stderr.join('\n'));
    const request = JSON.parse(readFileSync(out, 'utf8')) as OtlpRequest;
    const spans = assertOtlpShape(request);
    const [run] = await readRuns(parseJournal(readFileSync(HISTORY)).records);
    assert.ok(run);

    const services = request.resourceSpans.map(
      (rs) => attribute(rs.resource.attributes, 'service.name')!.stringValue!,
    );
    assert.deepEqual(
      [...services].sort(),
      [...run.lanes.map((l) => l.name), RUN_SERVICE].sort(),
      'one resource per actor, by its name, and one for the run',
    );
    for (const name of ['auctioneer', 'alice', 'enclave', 'verifier', 'host'])
      assert.ok(services.includes(name), `${name} is a resource`);

    const traceId = createHash('sha256')
      .update(`${run.computation}/${run.run}`)
      .digest('hex')
      .slice(0, 32);
    assert.ok(
      spans.every((s) => s.span.traceId === traceId),
      'one trace, derived from the run',
    );
    const roots = spans.filter((s) => s.span.parentSpanId === undefined);
    assert.equal(roots.length, 1);
    const root = roots[0]!;
    assert.equal(root.service, RUN_SERVICE);
    assert.equal(root.span.name, `run ${run.run}`);
    assert.equal(root.span.startTimeUnixNano, nanos(run.events[0]!.time));
    assert.equal(root.span.endTimeUnixNano, nanos(run.events.at(-1)!.time));
    for (const { span } of spans.filter((s) => s !== root)) {
      assert.equal(span.parentSpanId, root.span.spanId, 'the run is every span’s parent');
      assert.ok(BigInt(span.startTimeUnixNano) >= BigInt(root.span.startTimeUnixNano));
      assert.ok(BigInt(span.endTimeUnixNano) <= BigInt(root.span.endTimeUnixNano));
    }

    // A span per phase: each transition's state, from it to the same actor's next transition.
    const bySeq = new Map(
      spans.map((s) => [Number(attribute(s.span.attributes, 'vc.seq')?.intValue), s]),
    );
    // The transitions of one trace batch share its journal position: a phase is found by its
    // actor and index too.
    const phaseOf = (t: { seq: number; traceActor: string; index: number }) =>
      spans.find(
        (s) =>
          Number(attribute(s.span.attributes, 'vc.seq')?.intValue) === t.seq &&
          attribute(s.span.attributes, 'vc.actor')?.stringValue === t.traceActor &&
          Number(attribute(s.span.attributes, 'vc.index')?.intValue) === t.index,
      );
    const transitions = run.events.filter((e) => e.type === 'transition');
    for (const [i, t] of transitions.entries()) {
      const phase = phaseOf(t);
      assert.ok(phase, `a span for transition ${t.seq}`);
      assert.equal(phase.service, t.actor);
      assert.equal(phase.span.name, t.state);
      assert.equal(phase.span.startTimeUnixNano, nanos(t.time));
      const next = transitions.slice(i + 1).find((n) => n.traceActor === t.traceActor);
      if (next) assert.equal(phase.span.endTimeUnixNano, nanos(next.time));
    }
    const enclavePhases = spans.filter((s) => s.service === 'enclave' && s.span.kind === 1);
    assert.ok(enclavePhases.some((s) => s.span.name === 'serving.executing'));

    // A span per request: request to reply, its kind as name, sizes as attributes.
    const requests = run.messages.filter((m) => m.inReplyTo === undefined);
    assert.equal(spans.length, 1 + transitions.length + requests.length);
    for (const reply of run.messages.filter((m) => m.inReplyTo !== undefined)) {
      const asked: MessageEvent = run.messages.find((m) => m.seq === reply.inReplyTo)!;
      const span = bySeq.get(asked.seq)!;
      assert.equal(span.service, asked.actor);
      assert.equal(span.span.name, asked.kind);
      assert.equal(span.span.kind, 3, 'SPAN_KIND_CLIENT');
      assert.equal(span.span.startTimeUnixNano, nanos(asked.time));
      assert.equal(span.span.endTimeUnixNano, nanos(reply.time));
      assert.equal(attribute(span.span.attributes, 'vc.request.size')?.intValue, asked.size);
      assert.equal(attribute(span.span.attributes, 'vc.reply.kind')?.stringValue, reply.kind);
      assert.equal(attribute(span.span.attributes, 'vc.reply.size')?.intValue, reply.size);
      assert.equal(span.span.status.code, 0);
    }
    assert.ok(spans.some((s) => s.service === 'auctioneer' && s.span.name === 'compute.request'));

    const again = captureIo();
    const second = join(dir.path, 'again.json');
    assert.equal(await main(['replay', HISTORY, '--otlp', second], again), 0);
    assert.equal(readFileSync(second, 'utf8'), readFileSync(out, 'utf8'), 'deterministic');

    const nowhere = captureIo();
    const unwritable = join(dir.path, 'no-such-folder', 'trace.json');
    assert.equal(await main(['replay', HISTORY, '--otlp', unwritable], nowhere), 1);
    assert.match(nowhere.stderr.join('\n'), /ERR_OUTPUT_UNWRITABLE/);
  } finally {
    dir.remove();
  }
});

test('OTLP export of two runs: a trace each, each with its own root, actors still one resource each', async () => {
  const records = ['sealed-bid-auction', 'shamir'].flatMap((name) =>
    parseJournal(
      readFileSync(new URL(`../../scenarios/histories/${name}.vcj`, import.meta.url)),
    ).records.map((r) => ({ ...r, seq: r.seq + (name === 'shamir' ? 1_000_000 : 0) })),
  );
  const runs = await readRuns(records);
  assert.equal(runs.length, 2);
  const request = await exported(runs);
  const spans = assertOtlpShape(request);
  const traces = new Set(spans.map((s) => s.span.traceId));
  assert.equal(traces.size, 2, 'one trace per run');
  for (const traceId of traces) {
    const ofTrace = spans.filter((s) => s.span.traceId === traceId);
    const roots = ofTrace.filter((s) => s.span.parentSpanId === undefined);
    assert.equal(roots.length, 1);
    assert.ok(
      ofTrace.every((s) => s === roots[0] || s.span.parentSpanId === roots[0]!.span.spanId),
    );
  }
  const services = request.resourceSpans.map(
    (rs) => attribute(rs.resource.attributes, 'service.name')!.stringValue!,
  );
  assert.equal(new Set(services).size, services.length, 'one ResourceSpans per actor');
});

test('OTLP export of a refused run: the refused request and the run carry error status', async () => {
  const dir = privateTempDir('vc-otlp-');
  const journalFile = join(dir.path, 'refused.vcj');
  try {
    const env = await embeddedEnvironment({ journalFile });
    let report: ScenarioReport;
    try {
      const refusal = refusalCases.find((c) => c.code === 'ERR_NO_RESULT')!;
      report = await runScenario(await prepareRun(refusal.scenario, env.trust), env);
    } finally {
      await env.stop();
    }
    assert.equal(report.rounds[0]?.outcomes[0]?.failure?.code, 'ERR_NO_RESULT');
    const { records } = parseJournal(readFileSync(journalFile));
    const run = await readComputation(records, report.computation);
    const spans = assertOtlpShape(await exported([run]));

    const refused = spans.filter((s) => s.span.name === 'result.read');
    assert.equal(refused.length, 1);
    assert.equal(refused[0]!.service, 'owner');
    assert.equal(refused[0]!.span.status.code, 2, 'STATUS_CODE_ERROR');
    assert.equal(refused[0]!.span.status.message, 'ERR_NO_RESULT');
    const reply = attribute(refused[0]!.span.attributes, 'vc.reply.kind')?.stringValue;
    assert.equal(reply, 'protocol.error');
    assert.equal(attribute(refused[0]!.span.attributes, 'vc.code')?.stringValue, 'ERR_NO_RESULT');

    const root = spans.find((s) => s.span.parentSpanId === undefined)!;
    assert.equal(root.span.status.code, 2);
    assert.equal(root.span.status.message, 'ERR_NO_RESULT');
    const ok = spans.filter((s) => s.span.name === 'session.hello');
    assert.ok(ok.length > 0 && ok.every((s) => s.span.status.code === 0));
  } finally {
    dir.remove();
  }
});
