// The OpenAI-compatible provider against a local server that speaks chat completions: a good
// answer, slow, failing and malformed ones. Each failure is a ProviderError whose message is safe
// to store; the API key is sent and never appears in one.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiProvider } from '../../src/coach/providers/openai.js';
import { ProviderError } from '../../src/coach/providers/types.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;
let handler: Handler = () => {};
let server: Server;
let baseUrl = '';
const seen: { authorization?: string; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ authorization: request.headers.authorization, body: JSON.parse(body) as Record<string, unknown> });
      handler(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const completion = (content: string) =>
  JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content } }] });
const feedback = { score: 72, strengths: ['Concrete numbers'], improvements: ['Name the trade-offs'], summary: 'A solid STAR answer.' };
const input = {
  jobPosting: { title: 'Engineer', company: 'Acme', description: 'APIs', skills: ['SQL'] },
  question: 'Tell me about a hard bug.',
  answer: 'I profiled the queries.',
};
const provider = (timeoutMs = 2_000) => new OpenAiProvider({ baseUrl, model: 'local-model', apiKey: 'sk-secret-key', timeoutMs });
const never = new AbortController().signal;

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  expect((error as Error).message).not.toContain('sk-secret-key');
  return error as ProviderError;
}

describe('OpenAI-compatible provider', () => {
  it('asks for structured output with the key and model, and returns the validated feedback', async () => {
    handler = (_req, _body, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(completion(JSON.stringify(feedback)));
    expect(await provider().assessAnswer(input, never)).toEqual(feedback);
    const last = seen.at(-1)!;
    expect(last.authorization).toBe('Bearer sk-secret-key');
    expect(last.body).toMatchObject({ model: 'local-model', temperature: 0, response_format: { type: 'json_schema' } });
    expect(provider().id).toBe('openai:local-model');
  });

  it('gives up on a slow server at its timeout', async () => {
    handler = (_req, _body, res) => setTimeout(() => res.writeHead(200).end(completion(JSON.stringify(feedback))), 2_000);
    expect((await failure(provider(150).assessAnswer(input, never))).message).toBe('no answer within 150 ms');
  });

  it('reports an HTTP error by its status only', async () => {
    handler = (_req, _body, res) =>
      res.writeHead(429, { 'content-type': 'application/json' }).end('{"error":{"message":"rate limited for sk-secret-key"}}');
    expect((await failure(provider().assessAnswer(input, never))).message).toBe('coach provider answered HTTP 429');
  });

  it('refuses a body that is not a completion', async () => {
    handler = (_req, _body, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>gateway</html>');
    expect((await failure(provider().assessAnswer(input, never))).message).toBe('coach provider sent a malformed completion');
  });

  it.each([
    ['not JSON', 'Here is your feedback: great job'],
    ['a score out of range', JSON.stringify({ ...feedback, score: 140 })],
    ['a missing field', JSON.stringify({ score: 50, strengths: [], improvements: [] })],
    ['too many strengths', JSON.stringify({ ...feedback, strengths: Array(9).fill('x') })],
  ])('refuses feedback with %s', async (_what, content) => {
    handler = (_req, _body, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(completion(content));
    expect((await failure(provider().assessAnswer(input, never))).message).toBe(
      'coach provider sent feedback that does not match the schema',
    );
  });

  it('reports an unreachable server', async () => {
    const gone = new OpenAiProvider({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', timeoutMs: 1_000 });
    expect((await failure(gone.assessSession({ jobPosting: input.jobPosting, answers: [] }, never))).message).toBe(
      'could not reach the coach provider',
    );
  });

  it('stops when its job is cancelled', async () => {
    handler = () => {};
    const abort = new AbortController();
    const pending = provider(5_000).assessAnswer(input, abort.signal);
    setTimeout(() => abort.abort(), 50);
    expect((await failure(pending)).message).toBe('generation cancelled');
  });
});
