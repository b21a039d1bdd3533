// Two Cadence instances in one process sharing PostgreSQL (a scratch database) and a redis-server of
// the bench's own. Measures (1) subscription fan-out: SUBS subscriptions over WebSocket spread over
// both instances, events published through one of them, deliveries per second and the delivery
// latency from publish to client; (2) SessionDetail through a round-robin client with the shared
// cache tier versus per-instance caches only: hit rate and p95.
// (3) the same with the Guild's @graphql-yoga/plugin-response-cache + @envelop/response-cache-redis.
//   npx tsx bench/subscriptions.ts [subscriptions=1000] [rounds=20] [cacheRounds=10]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisCache } from '@envelop/response-cache-redis';
import { useResponseCache as useGuildResponseCache } from '@graphql-yoga/plugin-response-cache';
import { createClient } from 'graphql-ws';
import type { Plugin } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import WebSocket from 'ws';
import { loadConfig, type Config } from '../src/config.js';
import { openDatabase, useDatabase } from '../src/db/client.js';
import { createScratchDatabase } from '../test/support/scratch-db.js';
import { publishSessionEvent } from '../src/events/session-events.js';
import { sharedEventLoadStats } from '../src/events/shared-event-load.js';
import { createRedis } from '../src/redis.js';
import { decodeGlobalId } from '../src/schema/ids.js';
import { freePort } from './lib/children.js';

const SUBS = Number(process.argv[2] ?? 1000);
const CACHE_ROUNDS = Number(process.argv[4] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 20);
const USERS = 50;
const log = pino({ level: process.env.BENCH_LOG ?? 'silent' });

const p = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

interface Instance {
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** The Guild's response cache with its Redis store, per user (the key), entries 60 s as ours for a session. */
// (Its Redis errors reach the request as a 500: measured only with Redis up and connected.)
async function guildResponseCache(redisUrl: string) {
  const redis = new Redis(redisUrl, { enableOfflineQueue: false, commandTimeout: 100, maxRetriesPerRequest: 1 });
  await new Promise((resolve) => redis.once('ready', resolve));
  return useGuildResponseCache({
    session: (request) => request.headers.get('authorization'),
    cache: createRedisCache({ redis }),
    ttl: 60_000,
    includeExtensionMetadata: true,
  }) as Plugin;
}

async function startInstance(config: Config, guild = false): Promise<Instance> {
  const { createCadence } = await import('../src/http/yoga.js');
  const { attachWebSocket } = await import('../src/http/websocket.js');
  const redis = createRedis(config.REDIS_URL!, log);
  const yoga = createCadence({
    config: { ...config, graphiql: false },
    log,
    redis,
    responseCachePlugin: guild ? await guildResponseCache(config.REDIS_URL!) : undefined,
  });
  const server: Server = createServer(yoga);
  const ws = attachWebSocket(server, yoga, { config, log });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    async close() {
      await ws.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await yoga.dispose();
      redis.disconnect();
    },
  };
}

async function gql<T>(instance: Instance, query: string, variables: Record<string, unknown>, key?: string) {
  const response = await fetch(instance.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown; extensions?: { responseCache?: { hit?: boolean } } };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const guild = body.extensions?.responseCache;
  return { data: body.data, cache: response.headers.get('x-cache-status') ?? (guild ? (guild.hit ? 'HIT' : 'MISS') : null) };
}

async function main() {
  const scratch = await createScratchDatabase('subs_bench');
  const redisPort = await freePort();
  const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await sleep(300);
  const base = {
    NODE_ENV: 'production',
    DATABASE_URL: scratch.url,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    LOG_LEVEL: 'silent',
    PERSISTED_OPERATIONS_ONLY: 'false',
    ABUSE_MAX_REJECTIONS: '0',
    // One client sets everything up from one address: the per-key and per-address limits would refuse it.
    RATE_LIMIT_PER_MINUTE: '100000000',
    RATE_LIMIT_BURST: '100000000',
    SUBSCRIPTIONS_PER_KEY: '1000',
    SUBSCRIPTIONS_PER_CONNECTION: '100',
    RESPONSE_CACHE_TTL_MS: '60000',
  };
  const config = loadConfig(base);
  const database = await openDatabase(config);
  useDatabase(database);
  const instances: Instance[] = [];
  try {
    const b = await startInstance(config);
    const a = await startInstance(config); // created last: the process's publish goes through A's bus
    instances.push(a, b);

    // Users, each with a posting, a resume and one session.
    const users: { key: string; userId: string; sessionId: string; rawSessionId: string }[] = [];
    for (let i = 0; i < USERS; i++) {
      const { data } = await gql<{ signUp: { key: string; user: { id: string } } }>(
        a,
        `mutation($i: SignUpInput!) { signUp(input: $i) { key user { id } } }`,
        { i: { email: `b-${randomUUID()}@example.test`, name: 'Bench' } },
      );
      const key = data.signUp.key;
      const posting = await gql<{ createJobPosting: { id: string } }>(
        a,
        `mutation { createJobPosting(input: { title: "T", company: "C", description: "D", skills: ["GraphQL"] }) { id } }`,
        {},
        key,
      );
      const resume = await gql<{ createResume: { id: string } }>(
        a,
        `mutation { createResume(input: { title: "R", content: "C" }) { id } }`,
        {},
        key,
      );
      const session = await gql<{ createSession: { id: string } }>(
        a,
        `mutation($i: CreateSessionInput!) { createSession(input: $i) { id } }`,
        { i: { jobPostingId: posting.data.createJobPosting.id, resumeId: resume.data.createResume.id } },
        key,
      );
      const sessionId = session.data.createSession.id;
      users.push({ key, userId: decodeGlobalId(data.signUp.user.id).id, sessionId, rawSessionId: decodeGlobalId(sessionId).id });
    }

    // (1) Fan-out: SUBS subscriptions, half on each instance, 20 connections per instance.
    const perUser = Math.ceil(SUBS / USERS);
    const received = new Map<string, number[]>(); // rawSessionId → receive times of the current round
    const clients = [];
    let open = 0;
    for (let u = 0; u < USERS; u++) {
      const user = users[u]!;
      const instance = u % 2 === 0 ? a : b;
      // One connection at a time: 50 connecting at once on this 2-core VM could miss the key check's
      // deadline and be refused (4403), which is not what this bench measures.
      let connected = () => {};
      const opened = new Promise<void>((resolve) => (connected = resolve));
      const client = createClient({
        url: instance.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${user.key}` },
        lazy: false,
        retryAttempts: 0,
        on: { connected: () => connected(), closed: () => connected() },
      });
      await opened;
      clients.push(client);
      received.set(user.rawSessionId, []);
      for (let s = 0; s < perUser && open < SUBS; s++, open++) {
        client.subscribe(
          {
            query: `subscription($id: ID!) { sessionEvents(sessionId: $id) { __typename sessionId ... on SessionCompleted { session { id status } } } }`,
            variables: { id: user.sessionId },
          },
          {
            next: () => received.get(user.rawSessionId)!.push(performance.now()),
            error: (e) => console.error('subscription error', (e as { code?: number }).code ?? e),
            complete: () => {},
          },
        );
      }
    }
    // Every subscription counted open by the servers, then a moment for the Redis SUBSCRIBEs.
    const activeOn = async (instance: Instance) => {
      const text = await (await fetch(instance.url.replace('/graphql', '/metrics'))).text();
      return Number(/^cadence_subscriptions_active (\d+)/m.exec(text)?.[1] ?? 0);
    };
    for (let i = 0; i < 600 && (await activeOn(a)) + (await activeOn(b)) < open; i++) await sleep(100);
    await sleep(500);
    const latencies: number[] = [];
    let deliveries = 0;
    const started = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      for (const list of received.values()) list.length = 0;
      const sentAt = performance.now();
      for (const user of users) publishSessionEvent({ type: 'SessionCompleted', sessionId: user.rawSessionId, userId: user.userId });
      const deadline = Date.now() + 30_000;
      while ([...received.values()].reduce((n, l) => n + l.length, 0) < open && Date.now() < deadline) await sleep(5);
      for (const list of received.values()) for (const t of list) latencies.push(t - sentAt);
      deliveries += [...received.values()].reduce((n, l) => n + l.length, 0);
    }
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((x, y) => x - y);
    console.log(`fan-out: ${open} subscriptions over WebSocket on 2 instances, ${ROUNDS} rounds of ${USERS} events`);
    console.log(
      `  delivered ${deliveries}/${open * ROUNDS} in ${seconds.toFixed(2)} s = ${(deliveries / seconds).toFixed(0)} deliveries/s; latency publish→client p50 ${p(latencies, 0.5).toFixed(1)} ms, p95 ${p(latencies, 0.95).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`,
    );
    console.log(
      `  object reloads: ${sharedEventLoadStats.loaded} run, ${sharedEventLoadStats.shared} shared with another subscriber of the session on the same instance`,
    );
    await Promise.all(clients.map((c) => c.dispose()));

    // (2) SessionDetail round-robin over A and B, shared tier vs per-instance only.
    const DETAIL = `query SessionDetail($id: ID!) { session(id: $id) { id status startedAt messages(first: 20) { edges { node { id seq role content } } } jobPosting { title company } } }`;
    for (const variant of ['shared tier', 'per-instance only', 'Guild plugin-response-cache + response-cache-redis'] as const) {
      const guild = variant.startsWith('Guild');
      const cfg = loadConfig({
        ...base,
        RESPONSE_CACHE_SHARED: String(variant === 'shared tier'),
        RESPONSE_CACHE_TTL_MS: guild ? '0' : '60000',
      });
      const pair = [await startInstance(cfg, guild), await startInstance(cfg, guild)];
      const times: number[] = [];
      const outcomes: Record<string, number> = {};
      for (let r = 0; r < CACHE_ROUNDS; r++) {
        let turn = 0;
        for (const user of users) {
          // Alternating per user: each user's requests land on A, then B, then A...
          const instance = pair[(r + turn++) % 2]!;
          const t0 = performance.now();
          const { cache } = await gql(instance, DETAIL, { id: user.sessionId }, user.key);
          times.push(performance.now() - t0);
          outcomes[cache ?? 'none'] = (outcomes[cache ?? 'none'] ?? 0) + 1;
        }
      }
      times.sort((x, y) => x - y);
      const total = times.length;
      console.log(
        `SessionDetail, 2 instances round-robin, ${USERS} users × ${CACHE_ROUNDS}, ${variant}: hit rate ${(((outcomes.HIT ?? 0) / total) * 100).toFixed(1)} % (${JSON.stringify(outcomes)}), p50 ${p(times, 0.5).toFixed(2)} ms, p95 ${p(times, 0.95).toFixed(2)} ms`,
      );
      await Promise.all(pair.map((i) => i.close()));
    }
  } finally {
    await Promise.all(instances.map((i) => i.close()));
    await database.close();
    redisServer.kill('SIGKILL');
    await scratch.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
