// Routes each query's execution to a read replica, and everything else to the primary: mutations,
// subscriptions, and a viewer's queries within REPLICA_STICKY_MS of their own last write (the
// replica may not have replayed it yet). A replica that fails falls back to the primary inside its
// pool (src/db/replicas.ts), so routing here never has to retry.
import { getOperationAST } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { Gauge, type Registry } from 'prom-client';
import type { Context } from '../context.js';
import type { Replica } from '../db/client.js';
import type { RecentWriters } from '../db/recent-writers.js';
import { readFrom } from '../db/replicas.js';

export function useReadReplicas(options: { replicas: Replica[]; writers: RecentWriters }): Plugin<Context & YogaInitialContext> {
  const { replicas, writers } = options;
  let next = 0;
  /** Round robin over the replicas in rotation; none when all are out (reads go to the primary). */
  const pick = (): Replica | undefined => {
    for (let i = 0; i < replicas.length; i++) {
      const replica = replicas[(next + i) % replicas.length] as Replica;
      if (replica.pool.available) {
        next = (next + i + 1) % replicas.length;
        return replica;
      }
    }
    return undefined;
  };
  return {
    onDispose() {
      writers.close();
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const viewer = args.contextValue.viewer;
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      if (operation === 'mutation') {
        if (!viewer) return;
        setExecuteFn(async (executeArgs) => {
          try {
            return await executeFn(executeArgs);
          } finally {
            // Failed mutations too: one may have committed part of its work (a batch of answers).
            writers.wrote(viewer.userId);
          }
        });
        return;
      }
      if (operation !== 'query' || replicas.length === 0) return;
      setExecuteFn(async (executeArgs) => {
        if (viewer && writers.recent(viewer.userId)) return executeFn(executeArgs);
        const replica = pick();
        return replica ? readFrom(replica.prisma, () => executeFn(executeArgs)) : executeFn(executeArgs);
      });
    },
  };
}

/** Per replica (by position in DATABASE_REPLICA_URLS): statements it served, re-run on the primary, failures, in rotation. */
export function registerReplicaMetrics(registry: Registry, replicas: Replica[]): void {
  if (replicas.length === 0) return;
  new Gauge({
    name: 'cadence_replica_statements',
    help: 'Statements routed to a read replica since start, by where they ran (replica, or primary after a replica failure)',
    labelNames: ['replica', 'ran_on'],
    registers: [registry],
    collect() {
      for (const [i, r] of replicas.entries()) {
        this.set({ replica: String(i), ran_on: 'replica' }, r.pool.counts.replica);
        this.set({ replica: String(i), ran_on: 'primary' }, r.pool.counts.fallback);
      }
    },
  });
  new Gauge({
    name: 'cadence_replica_failures',
    help: 'Connection failures that took a read replica out of rotation, since start',
    labelNames: ['replica'],
    registers: [registry],
    collect() {
      for (const [i, r] of replicas.entries()) this.set({ replica: String(i) }, r.pool.counts.failures);
    },
  });
  new Gauge({
    name: 'cadence_replica_available',
    help: '1 while a read replica is in rotation, 0 while it is skipped after a failure',
    labelNames: ['replica'],
    registers: [registry],
    collect() {
      for (const [i, r] of replicas.entries()) this.set({ replica: String(i) }, r.pool.available ? 1 : 0);
    },
  });
}
