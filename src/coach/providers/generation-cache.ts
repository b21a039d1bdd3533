// Generations cached by a hash of provider, model and prompt input: a language model's answer is
// slow and paid for, and the same input (a retried job, a re-run summary) deserves the same result.
// Redis with a TTL when configured (shared by every instance), a bounded map in process otherwise.
// A Redis failure is a miss: the cache never fails or stalls a generation.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AnswerFeedback } from '../types.js';

const MEMORY_ENTRIES = 1_000;

export interface GenerationCacheStats {
  hits: number;
  misses: number;
}

export class GenerationCache {
  readonly stats: GenerationCacheStats = { hits: 0, misses: 0 };
  private readonly memory = new Map<string, { value: AnswerFeedback; expires: number }>();

  constructor(private readonly options: { ttlSeconds: number; redis?: Redis }) {}

  static key(providerId: string, kind: string, input: unknown): string {
    return `cadence:gen:${createHash('sha256')
      .update(JSON.stringify([providerId, kind, input]))
      .digest('base64url')}`;
  }

  async get(key: string): Promise<AnswerFeedback | undefined> {
    const value = this.options.redis ? await this.fromRedis(key) : this.fromMemory(key);
    if (value) this.stats.hits += 1;
    else this.stats.misses += 1;
    return value;
  }

  async set(key: string, value: AnswerFeedback): Promise<void> {
    if (this.options.ttlSeconds <= 0) return;
    if (this.options.redis) {
      await this.options.redis.set(key, JSON.stringify(value), 'EX', this.options.ttlSeconds).catch(() => {});
      return;
    }
    this.memory.delete(key);
    this.memory.set(key, { value, expires: Date.now() + this.options.ttlSeconds * 1000 });
    // Oldest first out: a Map iterates in insertion order.
    while (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value as string);
  }

  private fromMemory(key: string): AnswerFeedback | undefined {
    const entry = this.memory.get(key);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.memory.delete(key);
      return undefined;
    }
    return entry.value;
  }

  private async fromRedis(key: string): Promise<AnswerFeedback | undefined> {
    try {
      const text = await this.options.redis?.get(key);
      return text ? (JSON.parse(text) as AnswerFeedback) : undefined;
    } catch {
      return undefined;
    }
  }
}
