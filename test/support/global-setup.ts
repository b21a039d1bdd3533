// Creates a fresh PostgreSQL database for this test run, migrates it with the project's own
// migrator, hands its URL to the test files, and drops it afterwards.
import type { TestProject } from 'vitest/node';
import { createScratchDatabase } from './scratch-db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const database = await createScratchDatabase('cadence_test');
  project.provide('databaseUrl', database.url);
  return () => database.drop();
}
