// Operators' routes (/metrics, /health/performance, /metrics/performance) show traffic, operation
// names and resource use: behind a bearer token (ADMIN_TOKEN), closed in production without one.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

export const ADMIN_PATHS = new Set(['/metrics', '/health/performance', '/metrics/performance']);

export interface AdminRoutesOptions {
  /** The bearer token that opens them; unset leaves them open unless `closedWithoutToken`. */
  token?: string;
  /** Refuse every request when no token is configured (production). */
  closedWithoutToken: boolean;
}

export function useAdminRoutes(options: AdminRoutesOptions): Plugin {
  const expected = options.token === undefined ? undefined : digest(options.token);
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (!ADMIN_PATHS.has(url.pathname)) return;
      if (expected === undefined && !options.closedWithoutToken) return;
      const given = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      // Digests of equal length, so the comparison takes the same time whatever was sent.
      if (expected !== undefined && given !== undefined && timingSafeEqual(digest(given), expected)) return;
      const message =
        expected === undefined
          ? 'this route is closed: set ADMIN_TOKEN to open it'
          : 'this route needs Authorization: Bearer <ADMIN_TOKEN>';
      endResponse(
        fetchAPI.Response.json(
          { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] },
          { status: 401, headers: { 'www-authenticate': 'Bearer', 'cache-control': 'no-store' } },
        ),
      );
    },
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest();
