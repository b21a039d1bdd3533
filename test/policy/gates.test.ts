// The CI gates as a test: every frontend operation within its cost, depth and SQL budgets on this
// project's database (PostgreSQL here; `npm run gates` runs the same on embedded PGlite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_BUDGETS } from '../../src/policy/budgets.js';
import { formatGateTable, GATE_ENV_TTL_MS, judge, measureOperations, operationFiles, type Measurement } from '../../src/policy/gates.js';
import { startApp, type TestApp } from '../support/app.js';

let app: TestApp;
let measurements: Measurement[];

beforeAll(async () => {
  app = await startApp({ env: { PERSISTED_OPERATIONS_ONLY: 'true', AUTH_CACHE_TTL_MS: String(GATE_ENV_TTL_MS) } });
  measurements = await measureOperations(app.yoga);
}, 120_000);
afterAll(async () => {
  await app.close();
});

describe('the gates', () => {
  it('pass for every operation in schema/operations', () => {
    const rows = judge(measurements);
    console.info(formatGateTable(rows));
    expect(rows.map((r) => r.operation)).toEqual([...operationFiles().keys()].sort());
    expect(rows.filter((r) => r.failures.length).map((r) => `${r.operation}: ${r.failures.join('; ')}`)).toEqual([]);
  });

  it('fail an operation without a budget, and a budget without an operation', () => {
    const { Viewer: _dropped, ...budgets } = OPERATION_BUDGETS;
    const rows = judge(measurements, { ...budgets, Ghost: { cost: 1, sql: 1 } });
    const failed = Object.fromEntries(rows.filter((r) => r.failures.length).map((r) => [r.operation, r.failures]));
    expect(failed).toEqual({
      Ghost: ['budget for an operation that is not in schema/operations'],
      Viewer: ['no budget in src/policy/budgets.ts'],
    });
  });

  it('fail an operation over its SQL or cost budget', () => {
    const rows = judge(measurements, { ...OPERATION_BUDGETS, SessionsList: { cost: 10, sql: 0 } });
    const sessionsList = rows.find((r) => r.operation === 'SessionsList')!;
    expect(sessionsList.failures.join('; ')).toMatch(/cost \d+ > budget 10; SQL statements \d+ > budget 0/);
  });
});
