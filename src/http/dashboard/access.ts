// Who may see the dashboard: anyone in development; in production only a request carrying
// ADMIN_TOKEN (HTTP Basic with the token as password, which a browser prompts for and then sends
// with every request of the page, or `Authorization: Bearer <token>`), and nobody when it is unset.
import { createHash, timingSafeEqual } from 'node:crypto';

export type Access = 'allowed' | 'hidden' | 'unauthorized';

export function dashboardAccess(options: { production: boolean; adminToken?: string | undefined }) {
  const expected = options.adminToken ? digest(options.adminToken) : null;
  return (authorization: string | null): Access => {
    if (!options.production) return 'allowed';
    if (!expected) return 'hidden';
    const presented = tokenOf(authorization);
    // Digests have one length, so the comparison takes the same time whatever was sent.
    return presented !== null && timingSafeEqual(digest(presented), expected) ? 'allowed' : 'unauthorized';
  };
}

function tokenOf(authorization: string | null): string | null {
  if (!authorization) return null;
  const [scheme = '', value = ''] = authorization.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? null : decoded.slice(colon + 1);
  }
  return null;
}

const digest = (text: string) => createHash('sha256').update(text).digest();
