// When the database fails under a compiled statement, the client sees what the reference executor
// would show: the same HTTP status, the same `data` shape and the same masked error code and path.
// Each server's pool is ended after its API key is cached, so only the operation's SQL can fail.
import { expect, it } from 'vitest';
import { startApp } from '../support/app.js';
import { callPersisted, SESSION_DETAIL, SESSIONS_LIST, seedUsers } from './support.js';

async function failedAnswers(env: Record<string, string>) {
  const app = await startApp({ env });
  const [user] = await seedUsers(app, [2]);
  const id = Buffer.from(`InterviewSession:${user!.sessionIds[0]}`).toString('base64url');
  await callPersisted(app, SESSIONS_LIST, { first: 2 }, user!.key); // caches the key
  await app.database.close();
  const answers = [];
  for (const [operation, variables] of [
    [SESSIONS_LIST, { first: 2 }],
    [SESSION_DETAIL, { id }],
  ] as const) {
    const response = await callPersisted(app, operation, variables, user!.key);
    answers.push({
      status: response.status,
      data: response.body.data,
      errors: response.body.errors?.map((e) => ({ code: e.extensions?.code, path: e.path })),
    });
  }
  await app.yoga.dispose();
  return answers;
}

it('answers a failed statement as the reference answers a failed resolver', async () => {
  const compiled = await failedAnswers({});
  const reference = await failedAnswers({ COMPILED_EXECUTION: '0' });
  expect(compiled[0]!.errors?.length).toBe(1);
  expect(compiled).toEqual(reference);
}, 60_000);
