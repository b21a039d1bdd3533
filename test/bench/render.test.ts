// A load test's HTML report is derived from its JSON, which is what gets committed:
// `npm run loadtest -- --render FILE.json` writes it again, and refuses a file it cannot read.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'cadence-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function render(result: string) {
  const copy = path.join(dir, path.basename(result));
  copyFileSync(path.join(root, 'bench/results', result), copy);
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/loadtest.ts', '--render', copy], { cwd: root, encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr, html: copy.replace(/\.json$/, '.html') };
}

describe('loadtest --render', () => {
  it('writes the report of a result file: its verdicts, percentiles and charts', () => {
    // The knee run cited in docs/scaling.md: 600 and 700 req/s passed, 800 did not.
    const { status, html } = render('loadtest-2026-12-04T12-11-16Z.json');
    expect(status).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<svg');
    expect(page).toContain('SessionsList');
    expect(page).toContain('724.5'); // what 800 req/s offered answered
  });

  it('refuses, with exit status 2, a result written by an earlier load test', () => {
    const { status, stderr } = render('loadtest-2026-11-25T23-29-59Z.json');
    expect(status).toBe(2);
    expect(stderr).toContain('its HTML is the one committed with it');
  });
});
