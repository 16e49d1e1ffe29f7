// The HTTP side of `vc inspect` without NATS or a browser: the page, /runs, and /events (every run on
// connect, then one update per burst of changes carrying the latest state).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunEvent, RunJournal } from '../../actors/index.js';
import { startInspectServer, type LivePage } from './inspect-server.js';

function runOf(events: number): RunJournal {
  return {
    computation: 'pabc',
    run: 'r1',
    number: 1,
    policyHash: undefined,
    lanes: [{ name: 'alice', role: 'participant' }],
    events: Array.from({ length: events }, () => ({}) as RunEvent),
    messages: [],
    traces: [],
    unverified: 0,
    receiptMismatches: [],
    lastRecord: events,
  };
}

const page: LivePage = {
  render: (runs, eventsUrl) => `<p data-events="${eventsUrl}">${runs.length} runs</p>`,
  toPageRun: (run) => ({ run: run.run, events: run.events.length }),
};

/** Reads SSE `data:` messages from a response body as they come. */
async function* sseMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (data) yield JSON.parse(data.slice(6));
    }
  }
}

test('inspect server: the page, /runs, and /events sends every run, then one update per burst', async () => {
  let run = runOf(1);
  const server = await startInspectServer({ host: '127.0.0.1', port: 0, runs: () => [run], page });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(await (await fetch(server.url)).text(), '<p data-events="/events">1 runs</p>');
    assert.deepEqual(await (await fetch(new URL('runs', server.url))).json(), [
      {
        computation: 'pabc',
        run: 'r1',
        number: 1,
        lanes: ['alice'],
        events: 1,
        messages: 0,
        finished: false,
      },
    ]);
    assert.equal((await fetch(new URL('nope', server.url))).status, 404);

    const response = await fetch(new URL('events', server.url));
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const messages = sseMessages(response.body!);
    assert.deepEqual((await messages.next()).value, { type: 'run', run: { run: 'r1', events: 1 } });
    // A burst of changes: the first goes at once, the rest wait and go as one, with the last state.
    for (let n = 2; n <= 50; n++) {
      run = runOf(n);
      server.changed({ computation: 'pabc', run: 'r1' } as RunEvent);
    }
    assert.deepEqual((await messages.next()).value, { type: 'run', run: { run: 'r1', events: 2 } });
    assert.deepEqual((await messages.next()).value, {
      type: 'run',
      run: { run: 'r1', events: 50 },
    });
    await messages.return(undefined);
  } finally {
    await server.close();
  }
});

test('inspect server: a taken port is ERR_PORT_IN_USE', async () => {
  const first = await startInspectServer({ host: '127.0.0.1', port: 0, runs: () => [], page });
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(startInspectServer({ host: '127.0.0.1', port, runs: () => [], page }), {
      code: 'ERR_PORT_IN_USE',
    });
  } finally {
    await first.close();
  }
});
