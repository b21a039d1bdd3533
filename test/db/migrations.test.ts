// The offline migrator against real databases: a scratch PostgreSQL database and in-memory PGlite,
// plus the drift check that CI runs. No mocks: the point is that Prisma's wasm engine, the driver
// adapters and our folder handling agree with each other.
import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createMigration, diffMigrationsToSchema, MIGRATIONS_DIR, SCHEMA_PATH } from '../../src/db/migrations.js';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

const ROWS_SQL =
  'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name';

/** The committed migrations and the checksum Prisma records for each: sha256 of migration.sql. */
async function committedMigrations(): Promise<{ name: string; checksum: string }[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => ({
      name,
      checksum: createHash('sha256')
        .update(await readFile(path.join(MIGRATIONS_DIR, name, 'migration.sql')))
        .digest('hex'),
    })),
  );
}

function expectRecordedLikePrisma(rows: MigrationRow[], expected: { name: string; checksum: string }[]): void {
  expect(rows.map((r) => r.migration_name)).toEqual(expected.map((m) => m.name));
  for (const [i, row] of rows.entries()) {
    expect(row.checksum).toBe(expected[i]?.checksum);
    expect(row.finished_at).toBeInstanceOf(Date);
    expect(row.rolled_back_at).toBeNull();
    expect(row.applied_steps_count).toBe(1);
  }
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cadence-migrations-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('applying migrations to PostgreSQL', () => {
  const dbName = `cadence_migrations_test_${randomUUID().replace(/-/g, '')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
  });
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  });

  it('applies every migration to a fresh database, records it like Prisma, and applies nothing the second time', async () => {
    const expected = await committedMigrations();
    expect(expected.length).toBeGreaterThan(0);

    const first = await applyMigrations({ kind: 'postgres', url: url.toString() });
    expect(first.applied).toEqual(expected.map((m) => m.name));
    const second = await applyMigrations({ kind: 'postgres', url: url.toString() });
    expect(second.applied).toEqual([]);

    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      expectRecordedLikePrisma((await client.query<MigrationRow>(ROWS_SQL)).rows, expected);
      const tables = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = 'users'",
      );
      expect(tables.rows[0]?.n).toBe(1);
    } finally {
      await client.end();
    }
  });
});

describe('applying migrations to PGlite', () => {
  let client: PGlite;
  beforeAll(() => {
    client = new PGlite('memory://');
  });
  afterAll(async () => {
    await client.close();
  });

  it('applies every migration to an in-memory database, records it like Prisma, and applies nothing the second time', async () => {
    const expected = await committedMigrations();
    const first = await applyMigrations({ kind: 'pglite', client });
    expect(first.applied).toEqual(expected.map((m) => m.name));
    const second = await applyMigrations({ kind: 'pglite', client });
    expect(second.applied).toEqual([]);
    expectRecordedLikePrisma((await client.query<MigrationRow>(ROWS_SQL)).rows, expected);
  });

  it('refuses to run when an applied migration was modified afterwards', async () => {
    const dir = path.join(tmp, 'edited');
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const [first] = await committedMigrations();
    await writeFile(path.join(dir, first!.name, 'migration.sql'), '\n-- edited after the fact\n', { flag: 'a' });

    await expect(applyMigrations({ kind: 'pglite', client }, { migrationsDir: dir })).rejects.toThrow(
      new RegExp(`modified after they were applied.*${first!.name}`),
    );
  });

  it('records a migration that fails as failed, keeps none of it, and refuses to go on until it is resolved', async () => {
    const dir = path.join(tmp, 'failing');
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const name = '29991231235959_broken';
    await mkdir(path.join(dir, name));
    // A valid statement, then a broken one: the first must not survive the failure.
    await writeFile(path.join(dir, name, 'migration.sql'), 'CREATE TABLE half_done (id int);\nCREATE TABLE broken (;\n');

    await expect(applyMigrations({ kind: 'pglite', client }, { migrationsDir: dir })).rejects.toThrow(
      /Migration 29991231235959_broken failed to apply[\s\S]*syntax error/,
    );
    const rows = await client.query<MigrationRow>(`${ROWS_SQL.replace('ORDER BY', `WHERE migration_name = '${name}' ORDER BY`)}`);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]?.finished_at).toBeNull();
    const leftovers = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'half_done'");
    expect(leftovers.rows[0]?.n).toBe(0);

    await expect(applyMigrations({ kind: 'pglite', client }, { migrationsDir: dir })).rejects.toThrow(
      /failed in the target database: 29991231235959_broken/,
    );
  });
});

describe('drift between migrations and schema.prisma', () => {
  /** schema.prisma plus one new model and one new column on an existing model. */
  async function driftedSchema(): Promise<string> {
    const original = await readFile(SCHEMA_PATH, 'utf8');
    const withColumn = original.replace(/model User \{\n/, 'model User {\n  driftProbe String?\n');
    expect(withColumn).not.toBe(original);
    const file = path.join(tmp, 'drifted.prisma');
    await writeFile(
      file,
      `${withColumn}\nmodel DriftProbe {\n  id   Int    @id @default(autoincrement())\n  note String\n\n  @@map("drift_probes")\n}\n`,
    );
    return file;
  }

  it('finds no difference between the committed migrations and schema.prisma', async () => {
    expect(await diffMigrationsToSchema()).toBe('');
  });

  it('reports the SQL still needed when the schema gains a model and a column', async () => {
    const sql = await diffMigrationsToSchema({ schemaPath: await driftedSchema() });
    expect(sql).toMatch(/ALTER TABLE "users" ADD COLUMN\s+"driftProbe" TEXT/);
    expect(sql).toMatch(/CREATE TABLE "drift_probes"/);
  });

  it('writes that SQL as a new migration folder, and nothing once migrations and schema agree again', async () => {
    const dir = path.join(tmp, 'create');
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const schemaPath = await driftedSchema();

    const folder = await createMigration('Add drift probe', { migrationsDir: dir, schemaPath });
    expect(folder).not.toBeNull();
    expect(path.basename(folder!)).toMatch(/^\d{14}_add_drift_probe$/);
    expect(await readFile(path.join(folder!, 'migration.sql'), 'utf8')).toMatch(/CREATE TABLE "drift_probes"/);

    expect(await createMigration('again', { migrationsDir: dir, schemaPath })).toBeNull();
  });
});
