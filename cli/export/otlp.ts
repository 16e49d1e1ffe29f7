// `vc replay JOURNAL --otlp FILE`: a journal's runs as OpenTelemetry spans in OTLP JSON (an
// ExportTraceServiceRequest, as OTLP/HTTP JSON exporters send it), built with the OpenTelemetry JS
// SDK and serialized by its own JsonTraceSerializer, so it loads into Jaeger or Grafana Tempo.
//
// - One trace per computation run; its id is derived from computation and run, so exporting the
//   same journal twice gives the same ids.
// - A root span for the run (resource `computation`), parent of every other span of the trace.
// - Actors as resources: one per lane (service.name = alice, enclave, verifier, host, operator…).
// - A span per actor phase: each machine state from the transition into it to that actor's next
//   transition. The last state of an actor that finished is a point in time; of one that did not
//   (a journal cut short), it lasts to the run's last record.
// - A span per request, from the request to its reply (`inReplyTo`), named by the request's kind,
//   on the sender's resource; error status when the reply is protocol.error or carries a code. A
//   request never answered lasts to the run's last record; an announcement is a point in time.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type IdGenerator,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  replayTraces,
  type Lane,
  type MessageEvent,
  type RunJournal,
  type TransitionEvent,
} from '../../actors/index.js';
import { checkOutputFile, outputError } from '../support.js';

/** The service name of the resource that holds each run's root span. */
export const RUN_SERVICE = 'computation';
const SCOPE = 'veracruz-ts/replay';

/** Trace and span ids derived from the run and the order spans are made in (deterministic). */
class RunIds implements IdGenerator {
  #key = '';
  #next = 0;

  begin(run: RunJournal): void {
    this.#key = `${run.computation}/${run.run}`;
    this.#next = 0;
  }

  generateTraceId(): string {
    return digest(this.#key, 32);
  }

  generateSpanId(): string {
    return digest(`${this.#key}/${this.#next++}`, 16);
  }
}

function digest(text: string, hexChars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, hexChars);
}

/** One tracer provider, hence one resource, per actor (lane), all ending in one exporter. */
class Resources {
  readonly exporter = new InMemorySpanExporter();
  readonly ids = new RunIds();
  readonly #providers = new Map<string, BasicTracerProvider>();

  /** The tracer of one actor (`role`: its lane's role, `run` for the root spans' resource). */
  tracer(lane: { readonly name: string; readonly role: string }) {
    let provider = this.#providers.get(lane.name);
    if (!provider) {
      provider = new BasicTracerProvider({
        resource: resourceFromAttributes({
          'service.name': lane.name,
          'service.namespace': 'veracruz',
          'vc.role': lane.role,
        }),
        idGenerator: this.ids,
        spanProcessors: [new SimpleSpanProcessor(this.exporter)],
      });
      this.#providers.set(lane.name, provider);
    }
    return provider.getTracer(SCOPE);
  }

  async finish(): Promise<ReadableSpan[]> {
    for (const provider of this.#providers.values()) await provider.forceFlush();
    const spans = this.exporter.getFinishedSpans();
    for (const provider of this.#providers.values()) await provider.shutdown();
    return spans;
  }
}

const at = (ms: number) => millisToHrTime(ms);

function laneOf(run: RunJournal, name: string): Lane {
  return run.lanes.find((l) => l.name === name) ?? { name, role: 'operator' };
}

function exportRun(resources: Resources, run: RunJournal): void {
  resources.ids.begin(run);
  const start = run.events[0]?.time ?? 0;
  const end = run.events.at(-1)?.time ?? start;
  const codes = run.events.flatMap((e) => (e.code ? [e.code] : []));
  const root = resources.tracer({ name: RUN_SERVICE, role: 'run' }).startSpan(
    `run ${run.run}`,
    {
      kind: SpanKind.INTERNAL,
      startTime: at(start),
      attributes: {
        'vc.computation': run.computation,
        'vc.run': run.run,
        'vc.run.number': run.number,
        'vc.messages': run.messages.length,
        'vc.unverified': run.unverified,
        ...(run.policyHash ? { 'vc.policy_hash': run.policyHash } : {}),
        ...(codes.length > 0 ? { 'vc.codes': [...new Set(codes)] } : {}),
      },
    },
    ROOT_CONTEXT,
  );
  if (codes.length > 0) root.setStatus({ code: SpanStatusCode.ERROR, message: codes[0]! });
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  exportPhases(resources, run, parent, end);
  exportRequests(resources, run, parent, end);
  root.end(at(end));
}

type Context = ReturnType<typeof trace.setSpan>;

function exportPhases(resources: Resources, run: RunJournal, parent: Context, end: number): void {
  const finished = new Set(
    replayTraces(run.traces)
      .filter((r) => r.finished)
      .map((r) => r.actor),
  );
  const byActor = new Map<string, TransitionEvent[]>();
  for (const e of run.events)
    if (e.type === 'transition')
      byActor.set(e.traceActor, [...(byActor.get(e.traceActor) ?? []), e]);
  for (const [traceActor, transitions] of byActor)
    for (const [i, t] of transitions.entries()) {
      const next = transitions[i + 1];
      const last = next === undefined;
      const attributes: Attributes = {
        'vc.actor': traceActor,
        'vc.machine': t.machine,
        'vc.state': t.stateValue,
        'vc.event': t.event,
        'vc.index': t.index,
        'vc.seq': t.seq,
        'vc.outputs': [...t.outputs],
        ...(last ? { 'vc.last': true, 'vc.finished': finished.has(traceActor) } : {}),
        ...(t.code ? { 'vc.code': t.code } : {}),
      };
      const span = resources
        .tracer(laneOf(run, t.actor))
        .startSpan(t.state, { kind: SpanKind.INTERNAL, startTime: at(t.time), attributes }, parent);
      if (t.code) span.setStatus({ code: SpanStatusCode.ERROR, message: t.code });
      span.end(at(next?.time ?? (finished.has(traceActor) ? t.time : Math.max(end, t.time))));
    }
}

function exportRequests(resources: Resources, run: RunJournal, parent: Context, end: number): void {
  const replies = new Map<number, MessageEvent>();
  for (const m of run.messages) if (m.inReplyTo !== undefined) replies.set(m.inReplyTo, m);
  for (const m of run.messages) {
    if (m.inReplyTo !== undefined) continue;
    const reply = replies.get(m.seq);
    const announcement = m.to === undefined;
    const code = reply?.code ?? (reply?.kind === 'protocol.error' ? 'protocol.error' : undefined);
    const attributes: Attributes = {
      'vc.seq': m.seq,
      'vc.subject': m.subject,
      'vc.request.size': m.size,
      ...(m.to === undefined ? {} : { 'vc.to': m.to }),
      ...(m.code ? { 'vc.request.code': m.code } : {}),
      ...(reply
        ? { 'vc.reply.kind': reply.kind, 'vc.reply.size': reply.size, 'vc.reply.seq': reply.seq }
        : {}),
      ...(code ? { 'vc.code': code } : {}),
      ...(!reply && !announcement ? { 'vc.unanswered': true } : {}),
    };
    const span = resources.tracer(laneOf(run, m.actor)).startSpan(
      m.kind,
      {
        kind: announcement ? SpanKind.PRODUCER : SpanKind.CLIENT,
        startTime: at(m.time),
        attributes,
      },
      parent,
    );
    const error = code ?? m.code;
    if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    span.end(at(reply?.time ?? (announcement ? m.time : Math.max(end, m.time))));
  }
}

/** The runs as one OTLP JSON ExportTraceServiceRequest (bytes of UTF-8 JSON). */
export async function otlpJson(runs: readonly RunJournal[]): Promise<Uint8Array> {
  const resources = new Resources();
  for (const run of runs) exportRun(resources, run);
  return JsonTraceSerializer.serializeRequest(await resources.finish())!;
}

/** Writes the runs to `file` as OTLP JSON (replacing it). */
export async function writeOtlp(file: string, runs: readonly RunJournal[]): Promise<void> {
  await checkOutputFile(file, { overwrite: true });
  const bytes = await otlpJson(runs);
  await writeFile(file, bytes).catch((error: unknown) => {
    throw outputError(file, error);
  });
}
