// Real servers for the subscription tests: Cadence on an ephemeral port with the WebSocket endpoint
// attached, an SSE client over fetch, a graphql-ws client, and a throwaway redis-server.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import { pino } from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { attachWebSocket } from '../../src/http/websocket.js';
import { decodeGlobalId } from '../../src/schema/ids.js';
import { startApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/free-port.js';

export const SESSION_EVENTS = `subscription SessionEvents($sessionId: ID!) {
  sessionEvents(sessionId: $sessionId) {
    __typename
    sessionId
    ... on MessageAdded { message { id seq role content } }
    ... on FeedbackReady { feedback { id score } }
    ... on OperationUpdated { status operation { id status } }
    ... on SessionCompleted { session { id status } }
  }
}`;

export interface Result {
  data?: { sessionEvents: { __typename: string; sessionId: string; [k: string]: unknown } } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A queue read with `next()`; `next()` fails after `ms` rather than hanging the suite. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: ((item: T) => void)[] = [];
  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
  get size(): number {
    return this.items.length;
  }
  next(ms = 5_000): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`nothing arrived within ${ms} ms`));
      }, ms);
      const waiter = (value: T) => {
        clearTimeout(timer);
        resolve(value);
      };
      this.waiters.push(waiter);
    });
  }
}

export type End = { end: 'complete' } | { end: 'error'; errors: Result['errors'] };
export type Message = Result | End;

export interface Instance {
  app: TestApp;
  port: number;
  url: string;
  wsUrl: string;
  /** A gauge or counter from this instance's /metrics (summed over labels). */
  metric(name: string): Promise<number>;
  close(): Promise<void>;
}

export async function startInstance(env: Record<string, string> = {}): Promise<Instance> {
  const app = await startApp({ env });
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  const server: Server = createServer(app.yoga);
  const webSocket = attachWebSocket(server, app.yoga, { config, log: pino({ level: 'silent' }) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    app,
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    async metric(name) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    },
    async close() {
      await webSocket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
  };
}

/** POST over HTTP. */
export async function post(instance: Instance, query: string, variables: Record<string, unknown>, key?: string) {
  const response = await fetch(instance.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as { data?: Record<string, unknown> | null; errors?: Result['errors'] },
  };
}

export interface Subscription {
  inbox: Inbox<Message>;
  close(): void;
}

/** sessionEvents over SSE (Yoga's default transport). Resolves once the server has answered. */
export async function subscribeSse(instance: Instance, key: string | undefined, sessionId: string): Promise<Subscription> {
  const controller = new AbortController();
  const response = await fetch(instance.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query: SESSION_EVENTS, variables: { sessionId } }),
    signal: controller.signal,
  });
  const inbox = new Inbox<Message>();
  void (async () => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: ?(.*)$/m.exec(block)?.[1];
          const data = /^data: ?(.*)$/m.exec(block)?.[1];
          if (event === 'complete') inbox.push({ end: 'complete' });
          else if (data) inbox.push(JSON.parse(data) as Result);
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return { inbox, close: () => controller.abort() };
}

export interface WsConnection {
  client: Client;
  closed: Inbox<{ code: number; reason: string }>;
  subscribe(sessionId: string, query?: string): Subscription;
  dispose(): Promise<void>;
}

/** A graphql-ws client that authenticates with connectionParams, and never retries. */
export function connectWs(instance: Instance, key: string | undefined): WsConnection {
  const closed = new Inbox<{ code: number; reason: string }>();
  const client = createClient({
    url: instance.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: false,
    on: {
      closed: (event) => closed.push({ code: (event as { code: number }).code, reason: String((event as { reason: unknown }).reason) }),
    },
    onNonLazyError: () => {},
  });
  return {
    client,
    closed,
    subscribe(sessionId, query = SESSION_EVENTS) {
      const inbox = new Inbox<Message>();
      const stop = client.subscribe<Result['data']>(
        { query, variables: { sessionId } },
        {
          next: (result) => inbox.push(result as Result),
          error: (error) =>
            inbox.push({
              end: 'error',
              errors: Array.isArray(error)
                ? (error as Result['errors'])
                : [{ message: String((error as { reason?: string }).reason ?? error) }],
            }),
          complete: () => inbox.push({ end: 'complete' }),
        },
      );
      return { inbox, close: stop };
    },
    dispose: async () => {
      await client.dispose();
    },
  };
}

/** The uuid behind a global id. */
export const rawId = (globalId: string) => decodeGlobalId(globalId).id;

/** A redis-server of the test's own, on a free port (never the shared 6379). */
export class ThrowawayRedis {
  private process: ChildProcess | undefined;
  constructor(readonly port: number) {}

  static async start(): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    this.process = child;
    for (let i = 0; i < 100; i++) {
      if (await canConnect(this.port)) return;
      await sleep(50);
    }
    throw new Error('redis-server did not start');
  }

  /** SIGSTOP: connections stay open, commands hang (a slow Redis). */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
