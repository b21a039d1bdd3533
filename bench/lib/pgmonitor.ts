// CPU time spent by PostgreSQL backends serving the bench database (read from /proc, so only on
// the machine that runs PostgreSQL). Backends that exit between two snapshots lose their time, so
// the figure is a close lower bound; the servers keep their pools busy during a run.
import pg from 'pg';
import { sumCpuMs } from './proc.js';

export class PgMonitor {
  private constructor(
    private readonly client: pg.Client,
    readonly local: boolean,
  ) {}

  static async open(url: string): Promise<PgMonitor> {
    const client = new pg.Client({ connectionString: url, application_name: 'cadence-bench-monitor' });
    await client.connect();
    const host = new URL(url).hostname;
    const local = host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '';
    return new PgMonitor(client, local);
  }

  /** CPU ms so far of each backend connected to this database (this monitor excluded). */
  async snapshot(): Promise<Map<number, number>> {
    if (!this.local) return new Map();
    const res = await this.client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return sumCpuMs(res.rows.map((r) => r.pid));
  }

  static delta(before: Map<number, number>, after: Map<number, number>): number {
    let ms = 0;
    for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? 0);
    return ms;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
