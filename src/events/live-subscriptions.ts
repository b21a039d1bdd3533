// The open subscriptions of one instance: opens a bounded stream per subscription on the bus,
// enforces the per-key bound (shared across instances through Redis when configured:
// subscription-quota.ts), ends a key's subscriptions (and WebSocket connections) when the key is
// revoked on any instance, and counts what the metrics show.
import { randomUUID } from 'node:crypto';
import type { Viewer } from '../context.js';
import { appError } from '../errors.js';
import { BoundedEventStream } from './event-stream.js';
import type { SessionEvent, SessionEventBus } from './session-events.js';
import { localQuota, type SubscriptionQuota } from './subscription-quota.js';

/** Why a stream ended on the server's side; delivered to the client as its last message, an error. */
export type EndReason = 'revoked' | 'slow-consumer';

export type Delivery = SessionEvent | { type: 'Ended'; reason: EndReason };

export interface SubscriptionLimits {
  /** Open subscriptions per API key, across instances when the quota is shared. */
  perKey: number;
  /** Events queued for one subscriber before it is dropped as too slow. */
  queueMax: number;
}

export class LiveSubscriptions {
  private readonly byKey = new Map<string, Set<() => void>>();
  private readonly streamsByKey = new Map<string, number>();
  private readonly stopListening: () => void;
  /** Subscriptions open now. */
  active = 0;
  /** WebSocket connections open now (src/http/websocket.ts keeps this). */
  connections = 0;
  readonly ended: Record<EndReason | 'limit', number> = { revoked: 0, 'slow-consumer': 0, limit: 0 };

  constructor(
    readonly bus: SessionEventBus,
    private readonly limits: SubscriptionLimits,
    private readonly quota: SubscriptionQuota = localQuota,
  ) {
    this.stopListening = bus.onKeyRevoked((apiKeyId) => this.endKey(apiKeyId));
  }

  /**
   * A stream of `sessionId`'s events for `viewer`. The caller has checked the session is theirs;
   * the owner check here is the second line, in case a publisher ever got the session wrong.
   */
  async open(viewer: Viewer, sessionId: string): Promise<BoundedEventStream<Delivery>> {
    const apiKeyId = viewer.apiKeyId;
    const open = this.streamsByKey.get(apiKeyId) ?? 0;
    if (open >= this.limits.perKey) throw this.refuse();
    // Counted here before asking the shared quota, so concurrent opens on this instance cannot
    // all pass the local check while the first waits on Redis.
    this.streamsByKey.set(apiKeyId, open + 1);
    const id = randomUUID();
    const taken = await this.quota.take(apiKeyId, id, this.limits.perKey).catch(() => true);
    if (!taken) {
      this.forget(apiKeyId);
      throw this.refuse();
    }
    let stopBus = () => {};
    let stopWatch = () => {};
    const stream: BoundedEventStream<Delivery> = new BoundedEventStream<Delivery>({
      maxQueued: this.limits.queueMax,
      onOverflow: () => {
        this.ended['slow-consumer']++;
        return { type: 'Ended', reason: 'slow-consumer' };
      },
      onClose: () => {
        stopBus();
        stopWatch();
        this.active--;
        this.forget(apiKeyId);
        this.quota.release(apiKeyId, id);
      },
    });
    this.active++;
    stopWatch = this.watchKey(viewer.apiKeyId, () => {
      this.ended.revoked++;
      stream.finish({ type: 'Ended', reason: 'revoked' });
    });
    stopBus = this.bus.subscribe(sessionId, (event) => {
      if (event.userId === viewer.userId && event.sessionId === sessionId) stream.push(event);
    });
    return stream;
  }

  /** Calls `onRevoked` when `apiKeyId` is revoked on any instance; returns what stops watching. */
  watchKey(apiKeyId: string, onRevoked: () => void): () => void {
    let watchers = this.byKey.get(apiKeyId);
    if (!watchers) this.byKey.set(apiKeyId, (watchers = new Set()));
    const watcher = () => onRevoked();
    watchers.add(watcher);
    return () => {
      watchers.delete(watcher);
      if (watchers.size === 0 && this.byKey.get(apiKeyId) === watchers) this.byKey.delete(apiKeyId);
    };
  }

  /** A key was revoked here: end its subscriptions on every instance. */
  keyRevoked(apiKeyId: string): void {
    this.endKey(apiKeyId);
    this.bus.announceKeyRevoked(apiKeyId);
  }

  close(): void {
    this.stopListening();
    this.quota.close();
  }

  private refuse() {
    this.ended.limit++;
    return appError('RATE_LIMITED', `At most ${this.limits.perKey} subscriptions may be open per API key.`, {
      extensions: { limit: { name: 'subscriptionsPerKey', max: this.limits.perKey } },
    });
  }

  /** One of the key's subscriptions here ended (or was refused by the shared quota). */
  private forget(apiKeyId: string): void {
    const left = (this.streamsByKey.get(apiKeyId) ?? 1) - 1;
    if (left > 0) this.streamsByKey.set(apiKeyId, left);
    else this.streamsByKey.delete(apiKeyId);
  }

  private endKey(apiKeyId: string): void {
    const watchers = this.byKey.get(apiKeyId);
    if (!watchers) return;
    this.byKey.delete(apiKeyId);
    for (const watcher of watchers) watcher();
  }
}
