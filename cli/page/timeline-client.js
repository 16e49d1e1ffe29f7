// The timeline page's script, run by the browser (inlined by timeline-page.ts, never imported by
// Node). It reads the runs from <script id="vc-data">, lists them (#runs), draws the selected run's
// sequence diagram (lanes, message arrows, state bands, refusals), fills #detail on click, marks the
// states the run visited in the statecharts, and in live mode adds runs from Server-Sent Events.
(function () {
  'use strict';
  const SVG = 'http://www.w3.org/2000/svg';
  const data = JSON.parse(document.getElementById('vc-data').textContent);
  const runs = data.runs.slice();
  let selected = undefined;
  const LANE_W = 124;
  const LEFT = 80;
  const TOP = 10;
  const HEADER_H = 48;
  const ROW = 22;
  const ROLE_ORDER = { participant: 0, enclave: 1, host: 2, verifier: 3, operator: 4 };

  const keyOf = (r) => r.computation + ' ' + r.run;

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function hue(text) {
    let h = 0;
    for (const c of text) h = (h * 31 + c.charCodeAt(0)) % 360;
    return h;
  }

  function latest() {
    let best = undefined;
    for (const r of runs) if (!best || r.end >= best.end) best = r;
    return best;
  }

  function lanesOf(run) {
    const lanes = run.lanes.slice();
    const known = new Set(lanes.map((l) => l.name));
    for (const e of run.events)
      for (const name of [e.actor, e.type === 'message' ? e.to : null])
        if (name && !known.has(name)) {
          known.add(name);
          lanes.push({ name: name, role: 'operator' });
        }
    return lanes
      .map((l, i) => ({ lane: l, i: i }))
      .sort((a, b) => ROLE_ORDER[a.lane.role] - ROLE_ORDER[b.lane.role] || a.i - b.i)
      .map((x) => x.lane);
  }

  function ms(run, time) {
    return '+' + Math.max(0, time - run.start) + ' ms';
  }

  function drawSequence(run) {
    const lanes = lanesOf(run);
    const x = new Map(lanes.map((l, i) => [l.name, LEFT + LANE_W / 2 + i * LANE_W]));
    const broadcastX = LEFT + LANE_W / 2 + lanes.length * LANE_W;
    const height = TOP + (run.events.length + 1) * ROW + 10;
    const width = broadcastX + LANE_W / 2;
    const header = el('svg', { id: 'lanes-svg', width: width, height: HEADER_H });
    const svg = el('svg', { id: 'sequence-svg', width: width, height: height });
    const defs = el('defs');
    const marker = el('marker', {
      id: 'head',
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 9,
      markerHeight: 9,
      orient: 'auto-start-reverse',
      markerUnits: 'userSpaceOnUse',
    });
    marker.appendChild(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'head' }));
    defs.appendChild(marker);
    svg.appendChild(defs);
    lanes.forEach((lane) => {
      const cx = x.get(lane.name);
      svg.appendChild(el('line', { class: 'lifeline', x1: cx, y1: 0, x2: cx, y2: height }));
      const head = el('g', { class: 'lane role-' + lane.role, 'data-lane': lane.name });
      head.appendChild(
        el('rect', { x: cx - LANE_W / 2 + 6, y: 6, width: LANE_W - 12, height: 36, rx: 6 }),
      );
      head.appendChild(
        el('text', { x: cx, y: 24, 'text-anchor': 'middle', class: 'lane-name' }, lane.name),
      );
      head.appendChild(
        el('text', { x: cx, y: 37, 'text-anchor': 'middle', class: 'lane-role' }, lane.role),
      );
      header.appendChild(head);
    });
    const bcast = el('g', { class: 'broadcast' });
    bcast.appendChild(
      el('line', {
        class: 'lifeline dashed',
        x1: broadcastX,
        y1: 0,
        x2: broadcastX,
        y2: height,
      }),
    );
    svg.appendChild(bcast);
    header.appendChild(
      el(
        'text',
        { x: broadcastX, y: 28, 'text-anchor': 'middle', class: 'lane-role' },
        'announcements',
      ),
    );

    const rowY = (i) => TOP + (i + 1) * ROW;
    const bands = el('g', { class: 'bands' });
    const marks = el('g', { class: 'marks' });
    const open = new Map();
    const closeBand = (actor, yEnd) => {
      const b = open.get(actor);
      if (!b) return;
      const t = b.event;
      const cx = x.get(actor);
      const g = el('g', {
        class: 'band',
        'data-seq': t.seq,
        'data-event': b.at,
        'data-actor': actor,
        'data-state': t.state,
      });
      g.appendChild(
        el('rect', {
          x: cx - 5,
          y: b.y,
          width: 10,
          height: Math.max(4, yEnd - b.y),
          fill: 'hsl(' + hue(t.state) + ',60%,70%)',
        }),
      );
      g.appendChild(el('text', { x: cx + 8, y: b.y + 11, class: 'band-label' }, t.state));
      g.appendChild(el('title', {}, actor + ': ' + t.state + ' (after ' + t.event + ')'));
      bands.appendChild(g);
      open.delete(actor);
    };
    run.events.forEach((e, i) => {
      const y = rowY(i);
      marks.appendChild(el('text', { x: 6, y: y + 4, class: 'time' }, ms(run, e.time)));
      const cx = x.get(e.actor);
      if (e.type === 'transition') {
        closeBand(e.actor, y);
        open.set(e.actor, { y: y, event: e, at: i });
        // The transitions of one trace batch share its journal position: each is told by its place.
        const dot = el('circle', {
          class: 'transition',
          cx: cx,
          cy: y,
          r: 4,
          'data-seq': e.seq,
          'data-event': i,
        });
        dot.appendChild(el('title', {}, e.actor + ': ' + e.event + ' → ' + e.state));
        marks.appendChild(dot);
      } else {
        const tx = e.to === null ? broadcastX : x.get(e.to);
        const g = el('g', {
          class: 'arrow' + (e.to === null ? ' announcement' : '') + (e.code ? ' refused' : ''),
          'data-seq': e.seq,
          'data-event': i,
        });
        if (tx === cx) {
          g.appendChild(
            el('path', {
              d: 'M' + cx + ',' + (y - 6) + ' h30 v12 h-28',
              class: 'shaft',
              'marker-end': 'url(#head)',
            }),
          );
        } else {
          g.appendChild(
            el('line', {
              class: 'shaft',
              x1: cx,
              y1: y,
              x2: tx,
              y2: y,
              'marker-end': 'url(#head)',
            }),
          );
        }
        g.appendChild(
          el('line', { class: 'hit', x1: cx, y1: y, x2: tx === cx ? cx + 30 : tx, y2: y }),
        );
        const label = e.kind + ' · ' + e.size + ' B · ' + ms(run, e.time);
        g.appendChild(
          el(
            'text',
            {
              x: (cx + tx) / 2 + (tx === cx ? 34 : 0),
              y: y - 4,
              'text-anchor': tx === cx ? 'start' : 'middle',
              class: 'arrow-label',
            },
            label,
          ),
        );
        g.appendChild(
          el(
            'title',
            {},
            e.actor + ' → ' + (e.to === null ? 'everyone listening' : e.to) + ': ' + e.kind,
          ),
        );
        marks.appendChild(g);
      }
      if (e.code) {
        const r = el('g', {
          class: 'refusal',
          'data-seq': e.seq,
          'data-event': i,
          'data-code': e.code,
        });
        r.appendChild(
          el(
            'text',
            { x: cx - 8, y: y + 4, 'text-anchor': 'end', class: 'refusal-label' },
            '✕ ' + e.code,
          ),
        );
        marks.appendChild(r);
      }
    });
    for (const actor of Array.from(open.keys())) closeBand(actor, rowY(run.events.length));
    svg.appendChild(bands);
    svg.appendChild(marks);
    const top = document.createElement('div');
    top.className = 'lane-header';
    top.appendChild(header);
    return { header: top, svg: svg };
  }

  function show(title, value) {
    const detail = document.getElementById('detail');
    detail.replaceChildren();
    const h = document.createElement('h2');
    h.textContent = title;
    const pre = document.createElement('pre');
    pre.textContent = JSON.stringify(value, null, 2);
    detail.append(h, pre);
  }

  function highlightCurrent(run, e) {
    for (const node of document.querySelectorAll('.statechart .current'))
      node.classList.remove('current');
    for (const node of document.querySelectorAll('#sequence .selected'))
      node.classList.remove('selected');
    const at = run.events.indexOf(e);
    for (const node of document.querySelectorAll('#sequence [data-event="' + at + '"]'))
      node.classList.add('selected');
    if (e.type !== 'transition') return;
    const chart = document.querySelector(
      '.statechart[data-machine="' + CSS.escape(e.machine) + '"]',
    );
    if (!chart) return;
    for (const path of e.paths) {
      const node = chart.querySelector('[data-state="' + CSS.escape(path) + '"]');
      if (node) node.classList.add('current');
    }
  }

  function showEvent(run, e) {
    highlightCurrent(run, e);
    const when = new Date(e.time).toISOString();
    if (e.type === 'message')
      show('message #' + e.seq + ': ' + e.kind, {
        kind: e.kind,
        from: e.actor,
        to: e.to === null ? '(announcement)' : e.to,
        time: when,
        offset: ms(run, e.time),
        subject: e.subject,
        size: e.size,
        code: e.code,
        inReplyTo: e.inReplyTo,
        verified: e.verified,
        body: e.body,
      });
    else
      show(e.actor + ' → ' + e.state, {
        actor: e.actor,
        traceActor: e.traceActor,
        machine: e.machine,
        step: e.index,
        event: e.event,
        state: e.state,
        stateValue: JSON.parse(e.stateValue),
        time: when,
        offset: ms(run, e.time),
        outputs: e.outputs,
        code: e.code,
        verified: e.verified,
        context: e.context,
      });
  }

  function markVisited(run) {
    for (const node of document.querySelectorAll('.statechart .visited'))
      node.classList.remove('visited', 'current');
    for (const e of run.events) {
      if (e.type !== 'transition') continue;
      const chart = document.querySelector(
        '.statechart[data-machine="' + CSS.escape(e.machine) + '"]',
      );
      if (!chart) continue;
      for (const path of e.paths) {
        const node = chart.querySelector('[data-state="' + CSS.escape(path) + '"]');
        if (node) node.classList.add('visited');
      }
    }
  }

  function renderRuns() {
    const list = document.getElementById('runs');
    list.replaceChildren();
    for (const r of runs) {
      const li = document.createElement('li');
      li.dataset.computation = r.computation;
      li.dataset.run = r.run;
      li.tabIndex = 0;
      if (selected && keyOf(selected) === keyOf(r)) li.classList.add('active');
      li.textContent =
        r.computation.slice(0, 14) +
        '… run ' +
        r.number +
        ' (' +
        r.run +
        ') · ' +
        r.messageCount +
        ' messages · ' +
        new Date(r.start).toISOString().slice(11, 19);
      li.title = r.computation + ' ' + r.run;
      li.addEventListener('click', () => select(r));
      list.appendChild(li);
    }
  }

  function render() {
    renderRuns();
    const area = document.getElementById('sequence');
    area.replaceChildren();
    const title = document.getElementById('run-title');
    if (!selected) {
      title.textContent = 'no run yet';
      return;
    }
    const run = selected;
    title.textContent =
      run.computation +
      ' · run ' +
      run.number +
      ' (' +
      run.run +
      ') · ' +
      run.messageCount +
      ' messages · ' +
      new Date(run.start).toISOString();
    if (run.divergences.length) {
      const warn = document.createElement('p');
      warn.className = 'divergence';
      warn.textContent =
        'replay diverges: ' +
        run.divergences
          .map((d) => d.actor + ' at step ' + d.index + ' (' + d.reason + ')')
          .join('; ');
      area.appendChild(warn);
    }
    const drawn = drawSequence(run);
    const svg = drawn.svg;
    svg.addEventListener('click', (event) => {
      const target = event.target.closest('[data-event]');
      if (!target) return;
      const e = run.events[Number(target.getAttribute('data-event'))];
      if (e) showEvent(run, e);
    });
    area.append(drawn.header, svg);
    markVisited(run);
  }

  function select(run) {
    selected = run;
    render();
  }

  function upsert(run) {
    const at = runs.findIndex((r) => keyOf(r) === keyOf(run));
    if (at >= 0) runs[at] = run;
    else runs.push(run);
    if (!selected) selected = run;
    else if (keyOf(selected) === keyOf(run)) selected = run;
    render();
  }

  selected = latest();
  render();
  if (data.live) {
    const status = document.getElementById('live-status');
    status.textContent = 'live: connecting';
    const source = new EventSource(data.live.eventsUrl);
    source.onopen = () => (status.textContent = 'live');
    source.onerror = () => (status.textContent = 'live: reconnecting');
    source.onmessage = (message) => {
      const update = JSON.parse(message.data);
      if (update.type === 'run') upsert(update.run);
    };
  }
})();
