// Every Redis pub/sub channel of the subscription path, with the payload each carries: one module,
// so a publisher and a subscriber cannot disagree on a name or a shape.
import type { SessionEvent } from './session-events.js';

const PREFIX = 'cadence:';

/** One channel per session: an instance subscribes in Redis only to the sessions its clients watch. */
export function sessionTopic(sessionId: string): `cadence:session:${string}` {
  return `${PREFIX}session:${sessionId}`;
}

/** A key was revoked: every instance ends the subscriptions opened with it. Payload: the key's id. */
export const KEY_REVOKED_TOPIC = `${PREFIX}subscriptions:key-revoked` as const;

export interface KeyRevoked {
  apiKeyId: string;
}

/** Topic → payload, for the typed publish/subscribe helpers of the Redis bus. */
export interface TopicPayloads {
  [topic: `cadence:session:${string}`]: SessionEvent;
  [KEY_REVOKED_TOPIC]: KeyRevoked;
}

export type Topic = keyof TopicPayloads;
