// The HTTP handler: Yoga with the plugin stack, the context factory and health routes.
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { authenticate } from '../auth/api-keys.js';
import type { Config } from '../config.js';
import { createContext, type Context } from '../context.js';
import { createMaskError } from '../plugins/mask-error.js';
import { useConnectionArgs } from '../plugins/use-connection-args.js';
import { requestIdOf, useRequestId } from '../plugins/use-request-id.js';
import { schema } from '../schema/index.js';

export interface CadenceOptions {
  config: Pick<Config, 'graphiql' | 'production'>;
  log: Logger;
  /** Pre-filled GraphiQL headers (the demo key). */
  graphiqlHeaders?: Record<string, string>;
}

export function createCadence({ config, log, graphiqlHeaders }: CadenceOptions) {
  // Order matters: request id first (every response carries it), then transport-level routes,
  // then query-shape policy (rejects before execution), then per-operation performance.
  const plugins: Plugin[] = [
    useRequestId(),
    useHealth(),
    // policy: limits on the document, persisted operations (issue #4)
    useConnectionArgs(),
    // performance: tracing, SQL accounting, metrics (issue #3)
  ];
  return createYoga<Record<string, unknown>, Context>({
    schema,
    logging: log.child({ component: 'yoga' }),
    plugins,
    graphiql: config.graphiql
      ? { title: 'Cadence', headers: graphiqlHeaders ? JSON.stringify(graphiqlHeaders) : undefined }
      : false,
    landingPage: false,
    maskedErrors: { maskError: createMaskError(log), isDev: false },
    batching: false,
    context: async ({ request }) => {
      const requestId = requestIdOf(request);
      const viewer = await authenticate(request.headers.get('authorization'));
      return createContext({ viewer, requestId, log: log.child({ requestId }) });
    },
  });
}

export type Cadence = ReturnType<typeof createCadence>;

function useHealth(): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/health') {
        endResponse(fetchAPI.Response.json({ status: 'ok' }));
      }
    },
  };
}
