// Two projects run the suite against both databases Cadence supports: a real PostgreSQL (a fresh
// database per run, migrated with the project's own migrator) and embedded PGlite in memory.
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql@16 ships CJS (main) and ESM (module). Node loads our dependencies' `graphql` as CJS;
// Vite would give our own source the ESM copy, and two copies of graphql refuse each other's types.
const graphqlMain = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlMain }] },
  test: {
    root: new URL('..', import.meta.url).pathname,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // .ci/run reads the JSON report for its 'N passed, N failed' line.
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          env: { CADENCE_TEST_DB: 'postgres' },
        },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          // The API suite and the compiled-vs-reference comparison again on the embedded default; the
          // rest is database-agnostic or PG-only.
          include: [
            'test/http/api.test.ts',
            'test/http/ownership.test.ts',
            'test/plugins/response-cache.test.ts',
            'test/compiled/differential.test.ts',
            // submitAnswer's payload from RETURNING: PGlite's types through Prisma's raw API too.
            'test/interviews/answer-payload.test.ts',
            // The same for signUp, createApiKey, revokeApiKey (and create_api_key as a PGlite function).
            'test/auth/key-payload.test.ts',
          ],
          env: { CADENCE_TEST_DB: 'pglite' },
        },
      },
    ],
  },
});
