// Time-ordered ids (ULIDs) for runs, queue items and events.
import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * Crypto-strength fractions in [0, 1), drawn from a pooled buffer. The ulid package's default
 * generator calls crypto once per character (16 calls per id); the executor makes a few ids per
 * SDK request, so that was a measurable share of each request's cost.
 */
function pooledRandom(): () => number {
  const pool = new Uint32Array(1024);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++]! / 0x1_0000_0000;
  };
}

export const ulid = monotonicFactory(pooledRandom());
