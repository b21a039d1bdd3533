// Cadence's performance dashboard: polls /dashboard/data every 2 seconds and redraws the tiles,
// uPlot charts and tables. Plain browser JavaScript, no build step; everything comes from this server.
/* global uPlot */
// biome-ignore lint/suspicious/noRedundantUseStrict: loaded as a classic script, not a module
'use strict';

const POLL_MS = 2000;
const charts = {};

const COLORS = { p50: '#4c8bf5', p95: '#d9822b', p99: '#d64545', budget: '#1f9d55', a: '#4c8bf5', b: '#d64545', c: '#8e5cd9' };

function chartOptions(series, width, yLabel) {
  return {
    width,
    height: 190,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [{}, { label: yLabel, size: 56 }],
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: s.spanGaps ?? false, dash: s.dash }))],
  };
}

function draw(id, series, data, yLabel) {
  const el = document.getElementById(id);
  const width = Math.max(300, el.clientWidth);
  if (!charts[id]) {
    charts[id] = new uPlot(chartOptions(series, width, yLabel), data, el);
  } else {
    charts[id].setData(data);
    if (Math.abs(charts[id].width - width) > 4) charts[id].setSize({ width, height: 190 });
  }
}

function text(value, digits = 1) {
  if (value === null || value === undefined) return 'n/a';
  return typeof value === 'number' ? value.toLocaleString(undefined, { maximumFractionDigits: digits }) : String(value);
}

function cell(content, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  return td;
}

function fillTable(id, rows, toCells, emptyText) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = cell(emptyText, 'empty');
    td.colSpan = document.querySelectorAll(`#${id} thead th`).length;
    tr.append(td);
    body.append(tr);
    return;
  }
  for (const row of rows) {
    const tr = document.createElement('tr');
    tr.append(...toCells(row));
    body.append(tr);
  }
}

function budgetBar(p95, budget) {
  const ratio = budget > 0 ? p95 / budget : 0;
  const bar = document.createElement('div');
  bar.className = ratio > 1 ? 'bar over' : 'bar';
  const fill = document.createElement('span');
  fill.style.width = `${Math.min(100, ratio * 100)}%`;
  const label = document.createElement('em');
  label.textContent = `${Math.round(ratio * 100)}%`;
  bar.append(fill, label);
  return bar;
}

const time = (ms) => new Date(ms).toLocaleTimeString();

function tiles(data) {
  const g = data.gauges;
  const pool = g?.pool ? `${g.pool.total - g.pool.idle} / ${g.pool.total} (max ${g.pool.max}), ${g.pool.waiting} waiting` : 'n/a';
  const hit = data.totals.cache.hitRate;
  const items = [
    ['operations/s', text(data.totals.requestsPerSecond)],
    ['operations in window', text(data.totals.operations, 0)],
    ['server errors', `${text(data.totals.errors, 0)} (${text(data.totals.errorRate * 100, 2)} %)`],
    ['cache hit rate', hit === null ? 'n/a' : `${text(hit * 100)} %`],
    ['cache hits / misses', `${data.totals.cache.hits} / ${data.totals.cache.misses}`],
    ['pool active / open', pool],
    ['in flight', g ? text(g.concurrent, 0) : 'n/a'],
    ['queued operations', g && g.queueDepth !== null ? text(g.queueDepth, 0) : 'n/a'],
    ['CPU', g ? `${text(g.cpuPercent)} %` : 'n/a'],
    ['event loop p99', g ? `${text(g.eventLoopP99Ms)} ms` : 'n/a'],
    ['RSS', g ? `${text(g.rssMb)} MB` : 'n/a'],
    ['subscriptions', g && g.subscriptions !== null ? text(g.subscriptions, 0) : 'n/a'],
  ];
  document.getElementById('tiles').replaceChildren(
    ...items.map(([label, value]) => {
      const tile = document.createElement('div');
      tile.className = 'tile';
      const l = document.createElement('div');
      l.className = 'label';
      l.textContent = label;
      const v = document.createElement('div');
      v.className = 'value';
      v.textContent = value;
      tile.append(l, v);
      return tile;
    }),
  );
}

function render(data) {
  const s = data.series;
  const budget = s.t.map(() => data.budgets.queryMs);
  draw(
    'chart-latency',
    [
      { label: 'p50', color: COLORS.p50 },
      { label: 'p95', color: COLORS.p95 },
      { label: 'p99', color: COLORS.p99 },
      { label: 'query budget', color: COLORS.budget, dash: [6, 4], spanGaps: true },
    ],
    [s.t, s.p50Ms, s.p95Ms, s.p99Ms, budget],
    'ms',
  );
  draw(
    'chart-throughput',
    [
      { label: 'operations/s', color: COLORS.a, spanGaps: true },
      { label: 'errors/s', color: COLORS.b, spanGaps: true },
    ],
    [s.t, s.requestsPerSecond, s.errorsPerSecond],
    '/s',
  );
  draw('chart-cache', [{ label: 'hit rate %', color: COLORS.a }], [s.t, s.cacheHitRate.map((r) => (r === null ? null : r * 100))], '%');
  draw(
    'chart-pool',
    [
      { label: 'pool active', color: COLORS.a, spanGaps: true },
      { label: 'pool waiting', color: COLORS.b, spanGaps: true },
      { label: 'in flight', color: COLORS.c, spanGaps: true },
      { label: 'queued operations', color: COLORS.budget, spanGaps: true },
    ],
    [s.t, s.poolActive, s.poolWaiting, s.concurrent, s.queueDepth],
    'count',
  );
  draw(
    'chart-process',
    [
      { label: 'CPU %', color: COLORS.a, spanGaps: true },
      { label: 'event loop p99 ms', color: COLORS.b, spanGaps: true },
    ],
    [s.t, s.cpuPercent, s.eventLoopP99Ms],
    '',
  );
  draw('chart-memory', [{ label: 'RSS MB', color: COLORS.c, spanGaps: true }], [s.t, s.rssMb], 'MB');

  tiles(data);
  document.getElementById('ops-window').textContent = `(last ${data.windowSeconds} s)`;
  fillTable(
    'operations',
    data.operations,
    (op) => [
      cell(op.name),
      cell(op.type ?? ''),
      cell(text(op.count, 0), 'num'),
      cell(text(op.errors, 0), 'num'),
      cell(text(op.p50Ms), 'num'),
      cell(text(op.p95Ms), op.withinBudget ? 'num' : 'num over-budget'),
      cell(text(op.p99Ms), 'num'),
      cell(text(op.budgetMs, 0), 'num'),
      cell(budgetBar(op.p95Ms, op.budgetMs)),
    ],
    'no operations in the window yet',
  );
  fillTable(
    'slowest-operations',
    data.slowestOperations,
    (op) => [
      cell(time(op.at)),
      cell(op.operation),
      cell(text(op.durationMs), op.durationMs > op.budgetMs ? 'num over-budget' : 'num'),
      cell(text(op.budgetMs, 0), 'num'),
      cell(text(op.sqlCount, 0), 'num'),
      cell(text(op.sqlMs), 'num'),
      cell(op.requestId, 'id'),
    ],
    'none yet',
  );
  fillTable(
    'slowest-sql',
    data.slowestSql,
    (q) => [cell(time(q.at)), cell(text(q.durationMs), 'num'), cell(q.operation), cell(q.requestId, 'id'), cell(q.sql, 'sql')],
    'none yet',
  );
  const status = document.getElementById('status');
  status.textContent = `updated ${time(data.generatedAt)} · every ${POLL_MS / 1000} s`;
  status.dataset.updatedAt = String(data.generatedAt);
}

async function poll() {
  try {
    const response = await fetch('/dashboard/data', { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
  } catch (error) {
    document.getElementById('status').textContent = `could not load data: ${error.message}`;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();
