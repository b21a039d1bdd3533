// A TCP proxy a test owns, in front of a real server (PostgreSQL), to inject network faults without
// touching the shared server: cut every connection, black-hole the traffic (pause), refuse connects.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream?: Socket;
  /** Its answer is being lost: the server's side ends by itself. */
  losing?: boolean;
}

export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1); the same across refuse()/accept(). */
  readonly port: number;
  /** Connections accepted so far (a test can see the pool reconnect). */
  readonly accepted: number;
  /** Destroys every current connection, both sides; new connections are still accepted. */
  cut(): void;
  /** A network black hole: nothing is forwarded either way and nothing is closed; new connections are accepted but get no answer. */
  pause(): void;
  /** Forwards again, what was held included, and connects the connections accepted during the pause. */
  resume(): void;
  /** Stops listening, so connects are refused (existing connections stay as they are). */
  refuse(): Promise<void>;
  /** A server at capacity: while `max` connections are open, a new one is closed as soon as it is accepted (null: no limit). */
  limit(max: number | null): void;
  /** Listens again on the same port after refuse(). */
  accept(): Promise<void>;
  /**
   * While set, a chunk from a client that `matches` is delivered to the server, whose side is then
   * closed politely (it still applies what it got), and the client's side is destroyed: the
   * server acted, its answer is lost (a COMMIT that commits and never answers). Undefined stops it.
   */
  loseAnswers(matches: ((chunk: Buffer, connection: object) => boolean) | undefined): void;
  /** Chunks handled by loseAnswers so far. */
  readonly lost: number;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let paused = false;
  let accepted = 0;
  let port = 0;
  let lose: ((chunk: Buffer, connection: object) => boolean) | undefined;
  let lost = 0;
  let max: number | null = null;

  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (!paused) from.resume();
    });
  };

  const link = (pair: Pair) => {
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.setNoDelay(true);
    forward(pair.client, upstream);
    forward(upstream, pair.client);
    // After forward's listener has written the chunk: end (flushes it), never destroy, the server side.
    pair.client.on('data', (chunk: Buffer) => {
      if (!lose?.(chunk, pair)) return;
      lost += 1;
      pair.losing = true;
      pairs.delete(pair);
      upstream.end();
      pair.client.destroy();
      // The server's reply has nowhere to go; do not wait for it to notice.
      setTimeout(() => upstream.destroy(), 1_000).unref();
    });
    const end = () => {
      pair.client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    upstream.on('error', end).on('close', end);
    if (paused) upstream.pause();
    else pair.client.resume();
  };

  const onConnection = (client: Socket) => {
    if (max !== null && pairs.size >= max) {
      client.on('error', () => {});
      client.destroy();
      return;
    }
    accepted += 1;
    const pair: Pair = { client };
    pairs.add(pair);
    client.setNoDelay(true);
    // Held until linked: during a pause the connect is accepted and then hears nothing.
    client.pause();
    client
      .on('error', () => {})
      .on('close', () => {
        if (!pair.losing) pair.upstream?.destroy();
        pairs.delete(pair);
      });
    if (!paused) link(pair);
  };

  let server: Server = createServer(onConnection);
  const listen = (on: Server, at: number) =>
    new Promise<number>((resolve, reject) => {
      on.once('error', reject);
      on.listen(at, '127.0.0.1', () => {
        on.off('error', reject);
        resolve((on.address() as AddressInfo).port);
      });
    });
  const stopListening = (on: Server) => new Promise<void>((resolve) => (on.listening ? on.close(() => resolve()) : resolve()));
  port = await listen(server, 0);

  const destroyAll = () => {
    for (const pair of pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    pairs.clear();
  };

  return {
    get port() {
      return port;
    },
    get accepted() {
      return accepted;
    },
    get lost() {
      return lost;
    },
    loseAnswers(matches) {
      lose = matches;
    },
    cut: destroyAll,
    pause() {
      paused = true;
      for (const pair of pairs) {
        pair.client.pause();
        pair.upstream?.pause();
      }
    },
    resume() {
      paused = false;
      for (const pair of [...pairs]) {
        if (!pair.upstream) {
          if (!pair.client.destroyed) link(pair);
          continue;
        }
        pair.client.resume();
        pair.upstream.resume();
      }
    },
    async refuse() {
      // close() stops listening at once; its callback would wait for the open connections to end.
      const old = server;
      server = createServer(onConnection);
      if (old.listening) old.close();
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    async accept() {
      await listen(server, port);
    },
    limit(n) {
      max = n;
    },
    async close() {
      destroyAll();
      await stopListening(server);
    },
  };
}
