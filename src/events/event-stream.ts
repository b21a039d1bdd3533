// A bounded queue between a bus listener (push) and a subscription's consumer (pull). Yoga's SSE
// stream and graphql-ws pull the next event only once the previous one is written to the socket,
// so a client that does not read lets events pile up here: past `maxQueued` the stream is dropped
// (queued events discarded, one closing value delivered) instead of growing without limit.

export interface EventStreamOptions<T> {
  /** Events waiting for the consumer before it counts as too slow. */
  maxQueued: number;
  /** The last value a dropped consumer receives (e.g. an error to show); undefined ends silently. */
  onOverflow: () => T | undefined;
  /** Called once when the stream stops for any reason: detach the listener here. */
  onClose: () => void;
}

export class BoundedEventStream<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T, undefined>) => void) | undefined;
  private closed = false;

  constructor(private readonly options: EventStreamOptions<T>) {}

  get isClosed(): boolean {
    return this.closed;
  }

  get queued(): number {
    return this.queue.length;
  }

  push(value: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value, done: false });
      return;
    }
    if (this.queue.length >= this.options.maxQueued) {
      this.finish(this.options.onOverflow());
      return;
    }
    this.queue.push(value);
  }

  /** Stops the stream: what is queued is dropped, `last` (if given) is delivered, then it ends. */
  finish(last?: T): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.options.onClose();
    if (last !== undefined) {
      if (this.waiting) this.settle({ value: last, done: false });
      else this.queue.push(last);
    } else {
      this.settle({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The consumer went away (client closed, `complete` sent). */
  return(): Promise<IteratorResult<T, undefined>> {
    if (!this.closed) {
      this.closed = true;
      this.options.onClose();
    }
    this.queue.length = 0;
    this.settle({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settle(result: IteratorResult<T, undefined>): void {
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.(result);
  }
}
