// Counting SQL statements per request, whatever the server.
//
// Preferred: pg_stat_statements (sum of `calls` in the bench database, before and after a round).
// It needs `shared_preload_libraries = 'pg_stat_statements'` and a PostgreSQL restart, which a
// benchmark must not do to a shared server; when it is not loaded we count on the wire instead:
// a small TCP proxy between a server and PostgreSQL that counts the statements the server sends
// (each extended-protocol Execute 'E' and each simple Query 'Q' message). Servers are started
// through it for a calibration pass (a few hundred requests), then restarted directly against
// PostgreSQL for the timed rounds, so the proxy costs the measurements nothing.
import net from 'node:net';
import pg from 'pg';

export class StatementCountingProxy {
  private server: net.Server;
  private sockets = new Set<net.Socket>();
  /** Execute + simple-Query messages seen since start (or the last reset). */
  statements = 0;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** `url` with its host and port replaced by the proxy's. */
  proxiedUrl(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.pipe(client);
    const parser = new FrontendMessageParser((type) => {
      if (type === 0x45 /* E */ || type === 0x51 /* Q */) this.statements++;
    });
    client.on('data', (chunk: Buffer) => {
      parser.push(chunk);
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    client.on('end', () => upstream.end());
  }
}

/**
 * Splits the frontend (client → server) byte stream into messages: untyped start-up messages
 * (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest: Int32 length first) until the
 * start-up packet, then `type Byte1, length Int32 (including itself), body`.
 */
class FrontendMessageParser {
  private startup = true;
  private header = Buffer.alloc(0);
  private remaining = 0;

  constructor(private readonly onMessage: (type: number) => void) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - offset);
        this.remaining -= n;
        offset += n;
        continue;
      }
      const headerSize = this.startup ? 8 : 5;
      const need = headerSize - this.header.length;
      const take = Math.min(need, chunk.length - offset);
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.header.length < headerSize) return;
      if (this.startup) {
        const length = this.header.readInt32BE(0);
        const code = this.header.readInt32BE(4);
        // 80877103 SSLRequest, 80877104 GSSENCRequest: another untyped message follows.
        if (code !== 80877103 && code !== 80877104 && code !== 80877102) this.startup = false;
        this.remaining = length - 8;
      } else {
        const type = this.header[0]!;
        this.remaining = this.header.readInt32BE(1) - 4;
        this.onMessage(type);
      }
      this.header = Buffer.alloc(0);
    }
  }
}

/** Statement calls in one database from pg_stat_statements, when the module is loaded. */
export class StatStatements {
  private constructor(private readonly client: pg.Client) {}

  /** Null (with the reason) when pg_stat_statements is not usable in this PostgreSQL. */
  static async open(url: string): Promise<{ stats: StatStatements | null; reason: string }> {
    const client = new pg.Client({ connectionString: url, application_name: 'cadence-bench-monitor' });
    await client.connect();
    try {
      const preload = await client.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'");
      if (!/pg_stat_statements/.test(preload.rows[0]?.setting ?? '')) {
        await client.end();
        return { stats: null, reason: 'pg_stat_statements is not in shared_preload_libraries (enabling it needs a PostgreSQL restart)' };
      }
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await client.query('SELECT count(*) FROM pg_stat_statements');
      return { stats: new StatStatements(client), reason: 'pg_stat_statements' };
    } catch (error) {
      await client.end().catch(() => {});
      return { stats: null, reason: `pg_stat_statements unusable: ${(error as Error).message}` };
    }
  }

  /** Calls so far in the current database, the monitor's own queries excluded. */
  async calls(): Promise<number> {
    const res = await this.client.query<{ n: string | null }>(
      `SELECT sum(calls) AS n FROM pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_stat_activity%'`,
    );
    return Number(res.rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
