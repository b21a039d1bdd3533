// The session-event bus shared by every instance: graphql-redis-subscriptions' RedisPubSub over two
// explicit ioredis clients. The publisher is the application's fail-fast client (no offline queue,
// 100 ms command timeout): a publish while Redis is down is dropped and logged, never awaited by a
// write. The subscriber is a connection of its own (a subscribed connection can do nothing else)
// that queues its SUBSCRIBE commands while Redis is away and re-subscribes by itself once it is
// back (ioredis' autoResubscribe), so open subscriptions resume after an outage. Redis pub/sub is
// at most once: events published during the outage are lost, and clients refetch on reconnecting.
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SessionEvent, SessionEventBus } from './session-events.js';
import { KEY_REVOKED_TOPIC, sessionTopic, type Topic, type TopicPayloads } from './topics.js';

export interface RedisSessionEventBusOptions {
  publisher: Redis;
  subscriber: Redis;
  log: Logger;
}

/** The subscriber connection: patient (it queues SUBSCRIBE until Redis is back), unlike the publisher. */
export function createSubscriberClient(url: string): Redis {
  const subscriber = new Redis(url, {
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    autoResubscribe: true,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  subscriber.on('error', () => {}); // The publisher's client reports Redis outages.
  // RedisPubSub sends UNSUBSCRIBE without handling its promise, which rejects when the connection is
  // down or closing: an unhandled rejection for nothing lost (a closed connection has no channels).
  for (const name of ['unsubscribe', 'punsubscribe'] as const) {
    const original = subscriber[name].bind(subscriber) as (...args: unknown[]) => Promise<unknown>;
    Object.defineProperty(subscriber, name, {
      value: (...args: unknown[]) => {
        const reply = original(...args);
        reply.catch(() => {});
        return reply;
      },
    });
  }
  return subscriber;
}

export class RedisSessionEventBus implements SessionEventBus {
  private readonly pubsub: RedisPubSub;
  private readonly log: Logger;
  private publishFailing = false;

  constructor(private readonly options: RedisSessionEventBusOptions) {
    this.log = options.log;
    this.pubsub = new RedisPubSub({ publisher: options.publisher, subscriber: options.subscriber });
  }

  publish(event: SessionEvent): void {
    this.send(sessionTopic(event.sessionId), event);
  }

  subscribe(sessionId: string, listener: (event: SessionEvent) => void): () => void {
    return this.listen(sessionTopic(sessionId), listener);
  }

  announceKeyRevoked(apiKeyId: string): void {
    this.send(KEY_REVOKED_TOPIC, { apiKeyId });
  }

  onKeyRevoked(listener: (apiKeyId: string) => void): () => void {
    return this.listen(KEY_REVOKED_TOPIC, ({ apiKeyId }) => listener(apiKeyId));
  }

  async close(): Promise<void> {
    // The publisher belongs to the application; only the subscriber connection is ours.
    const { subscriber } = this.options;
    if (subscriber.status === 'ready') await subscriber.quit().catch(() => subscriber.disconnect());
    else subscriber.disconnect();
  }

  private send<K extends Topic>(topic: K, payload: TopicPayloads[K]): void {
    this.pubsub.publish(topic, payload).then(
      () => {
        if (this.publishFailing) this.log.info('session events published again');
        this.publishFailing = false;
      },
      (error: Error) => {
        // Logged once per outage: at most once delivery, the client refetches on reconnecting.
        if (!this.publishFailing)
          this.log.warn(
            { err: { message: error.message }, topic: topic.split(':')[1] },
            'could not publish a session event; subscribers miss it',
          );
        this.publishFailing = true;
      },
    );
  }

  /** RedisPubSub shares one Redis SUBSCRIBE among the listeners of a topic on this instance. */
  private listen<K extends Topic>(topic: K, listener: (payload: TopicPayloads[K]) => void): () => void {
    let stopped = false;
    const id = this.pubsub.subscribe<TopicPayloads[K]>(topic, (payload) => {
      if (!stopped) listener(payload);
    });
    id.catch(() => {}); // Only fails when the subscriber client is closed.
    return () => {
      stopped = true;
      void id.then(
        (subId) => this.pubsub.unsubscribe(subId),
        () => {},
      );
    };
  }
}
