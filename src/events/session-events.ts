// The events of an interview session, the one contract between the code that writes (mutations,
// the feedback worker) and the code that delivers (subscriptions, cache invalidation).
//
// Publishers call `publishSessionEvent` only after the transaction that made the change has
// committed, so no subscriber ever hears of a rolled-back write. Publishing never throws and never
// waits: a lost event costs a client a refetch, a thrown one would fail a write that succeeded.
// The bus behind it is in process until `setSessionEventBus` installs another (Redis, shared by
// every instance).
import { EventEmitter } from 'node:events';

export type OperationStatusName = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

interface Base {
  sessionId: string;
  /** The session's owner: events are delivered to this user only. */
  userId: string;
}

export type SessionEvent =
  | (Base & { type: 'MessageAdded'; messageId: string })
  | (Base & { type: 'FeedbackReady'; feedbackId: string; messageId: string | null })
  | (Base & { type: 'OperationUpdated'; operationId: string; status: OperationStatusName })
  | (Base & { type: 'SessionCompleted' });

export type SessionEventType = SessionEvent['type'];

export interface SessionEventBus {
  publish(event: SessionEvent): void;
  /** Calls `listener` for every event of `sessionId`; returns what stops it. */
  subscribe(sessionId: string, listener: (event: SessionEvent) => void): () => void;
  /** Tells every instance that a key was revoked, so each ends the subscriptions opened with it. */
  announceKeyRevoked(apiKeyId: string): void;
  onKeyRevoked(listener: (apiKeyId: string) => void): () => void;
  close?(): Promise<void>;
}

/** One process: the default without Redis, and what tests of a single instance use. */
export class InProcessSessionEventBus implements SessionEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open subscription is one listener; their number is bounded by the subscription limits.
    this.emitter.setMaxListeners(0);
  }

  publish(event: SessionEvent): void {
    this.emitter.emit(event.sessionId, event);
  }

  subscribe(sessionId: string, listener: (event: SessionEvent) => void): () => void {
    this.emitter.on(sessionId, listener);
    return () => this.emitter.off(sessionId, listener);
  }

  /** Sessions something listens to now (a leak shows up here). */
  listening(): string[] {
    return this.emitter.eventNames().filter((name): name is string => typeof name === 'string');
  }

  announceKeyRevoked(apiKeyId: string): void {
    this.emitter.emit(KEY_REVOKED, apiKeyId);
  }

  onKeyRevoked(listener: (apiKeyId: string) => void): () => void {
    this.emitter.on(KEY_REVOKED, listener);
    return () => this.emitter.off(KEY_REVOKED, listener);
  }
}

/** A symbol, so no session id can collide with it. */
const KEY_REVOKED = Symbol('key-revoked');

let bus: SessionEventBus = new InProcessSessionEventBus();

export function setSessionEventBus(next: SessionEventBus): void {
  bus = next;
}

export function sessionEventBus(): SessionEventBus {
  return bus;
}

/** Call after commit. Never throws. */
export function publishSessionEvent(event: SessionEvent): void {
  try {
    bus.publish(event);
  } catch {
    // A delivery problem must not fail a committed write; the bus logs its own trouble.
  }
}
