// The subscription registry on the in-process bus: bounded queues drop a consumer that does not
// read, the per-key bound refuses the next subscription, revocation ends a key's streams, and only
// the owner's events of the subscribed session are queued.
import { describe, expect, it } from 'vitest';
import { BoundedEventStream } from '../../src/events/event-stream.js';
import { LiveSubscriptions, type Delivery } from '../../src/events/live-subscriptions.js';
import { InProcessSessionEventBus, type SessionEvent } from '../../src/events/session-events.js';

const viewer = { userId: 'u1', apiKeyId: 'k1' };
const added = (n: number, over: Partial<SessionEvent> = {}): SessionEvent =>
  ({ type: 'MessageAdded', sessionId: 's1', userId: 'u1', messageId: `m${n}`, ...over }) as SessionEvent;

async function drain(stream: AsyncIterableIterator<Delivery>): Promise<Delivery[]> {
  const out: Delivery[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

describe('BoundedEventStream', () => {
  it('delivers in order to a consumer that keeps up, for every queue bound from 1 to 20', async () => {
    for (let max = 1; max <= 20; max++) {
      let closed = 0;
      const stream = new BoundedEventStream<number>({ maxQueued: max, onOverflow: () => -1, onClose: () => closed++ });
      const reading = (async () => {
        const seen: number[] = [];
        for await (const n of stream) {
          seen.push(n);
          if (seen.length === 100) break;
        }
        return seen;
      })();
      // Pushes in bursts no larger than the bound, yielding between them so the reader catches up.
      for (let i = 0; i < 100; i += max) {
        for (let j = i; j < Math.min(i + max, 100); j++) stream.push(j);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await reading).toEqual([...Array(100).keys()]);
      expect(closed).toBe(1);
    }
  });

  it('drops a consumer that does not read: queued items go, the overflow value comes last, then the end', async () => {
    let closed = 0;
    const stream = new BoundedEventStream<number>({ maxQueued: 3, onOverflow: () => -1, onClose: () => closed++ });
    for (let i = 0; i < 10; i++) stream.push(i);
    expect(closed).toBe(1);
    expect(stream.isClosed).toBe(true);
    expect(await drain(stream as unknown as AsyncIterableIterator<Delivery>)).toEqual([-1]);
  });
});

describe('LiveSubscriptions', () => {
  it('drops a slow subscriber with a slow-consumer ending and detaches it from the bus', async () => {
    const bus = new InProcessSessionEventBus();
    const live = new LiveSubscriptions(bus, { perKey: 5, queueMax: 4 });
    const stream = await live.open(viewer, 's1');
    expect(live.active).toBe(1);
    for (let i = 0; i < 50; i++) bus.publish(added(i));
    expect(await drain(stream)).toEqual([{ type: 'Ended', reason: 'slow-consumer' }]);
    expect(live.active).toBe(0);
    expect(live.ended['slow-consumer']).toBe(1);
    // Nothing is listening any more: publishing again reaches no stream.
    bus.publish(added(99));
    expect(stream.queued).toBe(0);
  });

  it('queues only the owner’s events of the subscribed session', async () => {
    const bus = new InProcessSessionEventBus();
    const live = new LiveSubscriptions(bus, { perKey: 5, queueMax: 100 });
    const stream = await live.open(viewer, 's1');
    bus.publish(added(1, { userId: 'u2' })); // a publisher bug: someone else's user on this session
    bus.publish(added(2, { sessionId: 's2' }));
    bus.publish(added(3));
    expect(stream.queued).toBe(1);
    await stream.return();
    expect(live.active).toBe(0);
  });

  it('refuses the subscription past the per-key bound with RATE_LIMITED, and accepts again once one closes', async () => {
    const live = new LiveSubscriptions(new InProcessSessionEventBus(), { perKey: 3, queueMax: 10 });
    // Opened concurrently: the local count is taken before any await, so the bound holds.
    const attempts = await Promise.allSettled([0, 1, 2, 3].map(() => live.open(viewer, 's1')));
    const open = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    expect(open).toHaveLength(3);
    expect(attempts.find((a) => a.status === 'rejected')).toMatchObject({ reason: { extensions: { code: 'RATE_LIMITED' } } });
    // Another key of the same user has its own bound.
    const other = await live.open({ ...viewer, apiKeyId: 'k2' }, 's1');
    await open[0]!.return();
    const again = await live.open(viewer, 's1');
    expect(live.active).toBe(4);
    expect(live.ended.limit).toBe(1);
    for (const s of [...open, other, again]) await s.return();
    expect(live.active).toBe(0);
  });

  it('ends a key’s streams with a revoked ending when any instance on the bus revokes it', async () => {
    const bus = new InProcessSessionEventBus();
    const here = new LiveSubscriptions(bus, { perKey: 5, queueMax: 10 });
    const there = new LiveSubscriptions(bus, { perKey: 5, queueMax: 10 });
    const mine = await here.open(viewer, 's1');
    const otherKey = await here.open({ ...viewer, apiKeyId: 'k2' }, 's1');
    bus.publish(added(1));
    there.keyRevoked('k1');
    // What was queued is dropped: a revoked key reads nothing more.
    expect(await drain(mine)).toEqual([{ type: 'Ended', reason: 'revoked' }]);
    expect(otherKey.isClosed).toBe(false);
    expect(here.ended.revoked).toBe(1);
    await otherKey.return();
  });
});
