// Executes with graphql-js' own `execute` instead of Yoga's default (@graphql-tools/executor).
// The default adds @defer/@stream and abort-signal plumbing that Cadence does not use, and
// allocates more per field (a Map per field for its arguments, among others): in paired batches of
// bench/cpu.ts a sessions page cost 0.92x and 0.95x the CPU with graphql-js. Both build the same
// per-field `info` and `path` objects, which plugin-prisma's loader mapping relies on.
import { execute } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export function useGraphqlJsExecute(): Plugin {
  return {
    onExecute({ setExecuteFn }) {
      setExecuteFn(execute);
    },
  };
}
