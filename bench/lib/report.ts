// Output: a plain-text table for stdout and a self-contained HTML page with inline SVG bar charts
// (no script, no CDN: it opens anywhere, and diffs as text).

export interface Column<T> {
  title: string;
  value: (row: T) => string;
  align?: 'left' | 'right';
}

export function table<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const pad = (s: string, i: number) => (columns[i]!.align === 'left' ? s.padEnd(widths[i]!) : s.padStart(widths[i]!));
  const line = (row: string[]) => row.map(pad).join('  ');
  return [line(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function fmt(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// ---------------------------------------------------------------------------------------------
// HTML

export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];

export interface BarGroup {
  label: string;
  bars: { label: string; value: number | null; color?: string }[];
}

export interface ChartOptions {
  title: string;
  unit: string;
  groups: BarGroup[];
  /** A horizontal reference line (a budget or a goal). */
  reference?: { value: number; label: string };
  width?: number;
  height?: number;
  digits?: number;
  /** 'auto' (default): logarithmic when the values span more than two orders of magnitude. */
  scale?: 'linear' | 'log' | 'auto';
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A grouped bar chart as an inline <svg>. */
export function barChart(opts: ChartOptions): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 300;
  const m = { top: 36, right: 16, bottom: 56, left: 64 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const values = opts.groups.flatMap((g) => g.bars.map((b) => b.value ?? 0));
  const maxValue = Math.max(...values, opts.reference?.value ?? 0, 1e-9);
  const positive = values.filter((v) => v > 0);
  const minPositive = positive.length ? Math.min(...positive) : 1;
  const log = opts.scale === 'log' || ((opts.scale ?? 'auto') === 'auto' && maxValue / minPositive > 100);
  const { max, step } = niceScale(maxValue);
  const lo = log ? 10 ** Math.floor(Math.log10(minPositive)) : 0;
  const hi = log ? 10 ** Math.ceil(Math.log10(maxValue)) : max;
  const y = log
    ? (v: number) => m.top + plotH - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH
    : (v: number) => m.top + plotH - (v / max) * plotH;
  const groupW = plotW / Math.max(1, opts.groups.length);
  const barsPerGroup = Math.max(1, ...opts.groups.map((g) => g.bars.length));
  const barW = Math.min(48, (groupW * 0.8) / barsPerGroup);
  const digits = opts.digits ?? (max < 10 ? 2 : max < 100 ? 1 : 0);
  const label = (v: number) =>
    opts.digits === undefined && v < 10 ? v.toFixed(2) : opts.digits === undefined && v < 100 ? v.toFixed(1) : v.toFixed(digits);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(opts.title)}" font-family="system-ui, sans-serif" font-size="11">`,
  );
  parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" class="title" font-size="14" font-weight="600">${esc(opts.title)}</text>`);
  const ticks: number[] = [];
  if (log) for (let v = lo; v <= hi * 1.001; v *= 10) ticks.push(v);
  else for (let v = 0; v <= max + step / 2; v += step) ticks.push(v);
  for (const v of ticks) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y(v) + 4}" text-anchor="end" class="axis">${esc(fmtAxis(v))}</text>`);
  }
  const unit = log ? `${opts.unit} (log scale)` : opts.unit;
  parts.push(
    `<text x="14" y="${m.top + plotH / 2}" transform="rotate(-90 14 ${m.top + plotH / 2})" text-anchor="middle" class="axis">${esc(unit)}</text>`,
  );
  opts.groups.forEach((g, gi) => {
    const gx = m.left + gi * groupW + (groupW - barW * g.bars.length) / 2;
    g.bars.forEach((b, bi) => {
      const color = b.color ?? SERIES_COLORS[bi % SERIES_COLORS.length]!;
      const x = gx + bi * barW;
      if (b.value === null || !Number.isFinite(b.value)) {
        parts.push(`<text x="${x + barW / 2}" y="${y(log ? lo : 0) - 4}" text-anchor="middle" class="value">n/a</text>`);
        return;
      }
      const top = y(Math.min(b.value, log ? hi : max));
      const bottom = y(log ? lo : 0);
      parts.push(
        `<rect x="${x + 1}" y="${top}" width="${barW - 2}" height="${Math.max(0, bottom - top)}" fill="${color}"><title>${esc(`${g.label} · ${b.label}: ${b.value.toFixed(digits)} ${opts.unit}`)}</title></rect>`,
      );
      parts.push(`<text x="${x + barW / 2}" y="${top - 4}" text-anchor="middle" class="value">${esc(label(b.value))}</text>`);
    });
    parts.push(
      `<text x="${m.left + gi * groupW + groupW / 2}" y="${height - m.bottom + 18}" text-anchor="middle" class="label">${esc(g.label)}</text>`,
    );
  });
  if (opts.reference) {
    const ry = y(opts.reference.value);
    parts.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${ry}" y2="${ry}" stroke="#e15759" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    );
  }
  // Legend: the bar labels of the first group (the series).
  const series = opts.groups[0]?.bars ?? [];
  let lx = m.left;
  series.forEach((b, i) => {
    const color = b.color ?? SERIES_COLORS[i % SERIES_COLORS.length]!;
    parts.push(`<rect x="${lx}" y="${height - 22}" width="10" height="10" fill="${color}"/>`);
    parts.push(`<text x="${lx + 14}" y="${height - 13}" class="legend">${esc(b.label)}</text>`);
    lx += 24 + b.label.length * 7;
  });
  if (opts.reference) {
    parts.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${height - 17}" y2="${height - 17}" stroke="#e15759" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    );
    parts.push(`<text x="${lx + 22}" y="${height - 13}" class="legend">${esc(opts.reference.label)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function niceScale(maxValue: number): { max: number; step: number } {
  const rough = maxValue / 5;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const norm = rough / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  return { max: Math.ceil(maxValue / step) * step, step };
}

function fmtAxis(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1000) return `${(v / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })}k`;
  if (Math.abs(v) < 1) return String(Number(v.toPrecision(2)));
  return v.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

export function htmlTable(headers: string[], rows: string[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f5f5f5}td:first-child,th:first-child,td:nth-child(2){text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:12px}
svg{background:#fff;border:1px solid #eee}
svg .title{font-weight:600;font-size:14px}svg .axis,svg .legend{font-size:11px;fill:#555}
svg .label{font-size:12px}svg .value{font-size:10px;fill:#333}
.pass{color:#2a7d2a}.fail{color:#b3261e}pre{background:#f7f7f7;padding:8px;overflow:auto}
</style></head><body>
${body}
</body></html>
`;
}

export interface LineSeries {
  label: string;
  points: { x: number; y: number | null }[];
  color?: string;
}

/** A line chart (x: seconds) as an inline <svg>; null points break the line. */
export function lineChart(opts: {
  title: string;
  unit: string;
  xLabel: string;
  series: LineSeries[];
  reference?: { value: number; label: string }[];
  /** Vertical markers (e.g. where a step starts). */
  markers?: { x: number; label: string }[];
  width?: number;
  height?: number;
}): string {
  const width = opts.width ?? 1000;
  const height = opts.height ?? 300;
  const m = { top: 36, right: 16, bottom: 40, left: 64 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const pts = opts.series.flatMap((s) => s.points);
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y).filter((y): y is number => y !== null && Number.isFinite(y));
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs, xMin + 1) : 1;
  const yMax = Math.max(...ys, ...(opts.reference ?? []).map((r) => r.value), 1e-9) * 1.05;
  const X = (x: number) => m.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const Y = (y: number) => m.top + plotH - (y / yMax) * plotH;
  const parts: string[] = [`<text class="title" x="${m.left}" y="20">${esc(opts.title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${Y(v)}" y2="${Y(v)}" stroke="#eee"/>`);
    parts.push(`<text class="axis" x="${m.left - 6}" y="${Y(v) + 4}" text-anchor="end">${fmt(v, v < 10 ? 1 : 0)} ${esc(opts.unit)}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const v = xMin + ((xMax - xMin) * i) / 5;
    parts.push(`<text class="axis" x="${X(v)}" y="${m.top + plotH + 16}" text-anchor="middle">${fmt(v, xMax - xMin < 10 ? 1 : 0)}</text>`);
  }
  parts.push(`<text class="axis" x="${m.left + plotW / 2}" y="${height - 6}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  for (const mk of opts.markers ?? []) {
    parts.push(`<line x1="${X(mk.x)}" x2="${X(mk.x)}" y1="${m.top}" y2="${m.top + plotH}" stroke="#bbb" stroke-dasharray="2 3"/>`);
    parts.push(`<text class="axis" x="${X(mk.x) + 3}" y="${m.top + 10}">${esc(mk.label)}</text>`);
  }
  for (const r of opts.reference ?? []) {
    parts.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${Y(r.value)}" y2="${Y(r.value)}" stroke="#b3261e" stroke-dasharray="5 4"/>`,
    );
    parts.push(
      `<text class="axis" x="${m.left + plotW - 4}" y="${Y(r.value) - 4}" text-anchor="end" fill="#b3261e">${esc(r.label)}</text>`,
    );
  }
  opts.series.forEach((s, i) => {
    const color = s.color ?? SERIES_COLORS[i % SERIES_COLORS.length]!;
    let d = '';
    let pen = false;
    for (const p of s.points) {
      if (p.y === null || !Number.isFinite(p.y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`;
      pen = true;
    }
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    parts.push(
      `<rect x="${width - m.right - (opts.series.length - i) * 90}" y="10" width="10" height="10" fill="${color}"/><text class="legend" x="${width - m.right - (opts.series.length - i) * 90 + 14}" y="19">${esc(s.label)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}
