// The address a request comes from, for limits that count per client when no key proves who it is.
// The socket's peer address, unless TRUST_PROXY says how many proxies of ours stand in front: then
// the address those proxies appended to X-Forwarded-For. Entries left of that are the client's
// own claim and never trusted (anyone can send `X-Forwarded-For: 1.2.3.4`).

interface NodeRequestLike {
  socket?: { remoteAddress?: string };
  headers?: Record<string, string | string[] | undefined>;
}

/** The node request behind a Fetch request, when served by node:http (`createServer(yoga)`). */
export function nodeRequestOf(serverContext: unknown): NodeRequestLike | undefined {
  return (serverContext as { req?: NodeRequestLike } | undefined)?.req;
}

/**
 * @param trustedProxies how many proxies of ours append to X-Forwarded-For (0: ignore the header).
 */
export function clientAddress(request: Request, serverContext: unknown, trustedProxies: number): string {
  const peer = nodeRequestOf(serverContext)?.socket?.remoteAddress ?? 'unknown';
  if (trustedProxies <= 0) return peer;
  const forwarded = request.headers.get('x-forwarded-for');
  if (!forwarded) return peer;
  const hops = forwarded
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  // The last proxy's peer is the socket; each proxy appended the address it saw.
  const address = hops[hops.length - trustedProxies];
  return address && /^[0-9A-Fa-f.:]{2,45}$/.test(address) ? address : peer;
}
