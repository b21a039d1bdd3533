// Client-side vs server-side latency (issue 8, item 9), run by hand:
//   npx tsx test/lifecycle/support/measure-latency.ts <port> [clients=50] [seconds=15]
// N keep-alive clients send `query Typename { __typename }` back to back; prints the client's p50/p95
// and /metrics/performance's figures for the same operation over the same run.
import { Agent, request } from 'node:http';

const port = Number(process.argv[2]);
const clients = Number(process.argv[3] ?? 50);
const seconds = Number(process.argv[4] ?? 15);
const body = JSON.stringify({ query: 'query Typename { __typename }' });

function once(agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      { host: '127.0.0.1', port, agent, method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - started));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function main() {
  const until = performance.now() + seconds * 1000;
  const samples: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      while (performance.now() < until) samples.push(await once(agent));
      agent.destroy();
    }),
  );
  samples.sort((a, b) => a - b);
  const report = (await (await fetch(`http://127.0.0.1:${port}/metrics/performance`)).json()) as {
    operations: Record<string, { count: number; p50Ms: number; p95Ms: number }>;
  };
  const server = report.operations.Typename!;
  console.log(`client: ${samples.length} requests, p50 ${pct(samples, 0.5).toFixed(1)} ms, p95 ${pct(samples, 0.95).toFixed(1)} ms`);
  console.log(`server: ${server.count} requests, p50 ${server.p50Ms} ms, p95 ${server.p95Ms} ms`);
}

void main();
