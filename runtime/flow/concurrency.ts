// concurrency: limits concurrently *executing queue items* (steps and discovery calls), not runs
// (PROTOCOL §12). Up to 2 limits per function; each limit has a scope (fn, env, account) and an
// optional key expression evaluated against the run's triggering event. A queue item may execute
// only when every one of its run's buckets has a free slot; otherwise it waits, and is woken (in
// priority order) when a slot in the bucket that blocked it frees.
//
// Bucket identity: scope fn -> per function (+ key value); scope env -> per environment + key value;
// scope account -> key value across all functions (a shared virtual queue, e.g. key `"openai"`).
// Each function checks a shared bucket against its own limit.

import type { CompiledExpr } from './expr';
import { evalKey } from './keys';
import { showKey, type FlowEvent, type RunHold } from './types';

export type ConcurrencyScope = 'fn' | 'env' | 'account';

export interface ConcurrencyLimitConfig {
  limit: number;
  scope: ConcurrencyScope;
  key?: CompiledExpr;
}

/** One resolved limit for one run; persist these with the run (plain data). */
export interface ConcurrencyBucket {
  id: string;
  limit: number;
  /** For messages: `fn limit 2, key "u1"`. */
  label: string;
}

/** Resolves a run's buckets from its function's limits and triggering event (call once, at run creation). */
export function resolveBuckets(
  fnId: string,
  env: string,
  limits: ConcurrencyLimitConfig[],
  event: FlowEvent,
): { buckets: ConcurrencyBucket[]; warnings: string[] } {
  const buckets: ConcurrencyBucket[] = [];
  const warnings: string[] = [];
  for (const l of limits) {
    if (!(l.limit > 0)) continue; // 0 or absent: no limit (SDK docs)
    const { key, warning } = evalKey(l.key, event, 'concurrency');
    if (warning) warnings.push(warning);
    const keyed = l.key !== undefined;
    const id =
      l.scope === 'fn'
        ? `fn\u0000${fnId}${keyed ? `\u0000${key}` : ''}`
        : l.scope === 'env'
          ? `env\u0000${env}\u0000${keyed ? key : fnId}`
          : `account\u0000${keyed ? key : fnId}`;
    buckets.push({ id, limit: l.limit, label: `${l.scope} limit ${l.limit}${keyed ? `, key ${showKey(key)}` : ''}` });
  }
  return { buckets, warnings };
}

export interface ConcurrencyState {
  /** Item id -> bucket ids it holds a slot in. */
  running: Record<string, string[]>;
  /** Bucket id -> items waiting for it, with their ordering value (lower goes first). */
  waiting: Record<string, { itemId: string; order: number }[]>;
}

export type AcquireResult =
  | { ok: true }
  | { ok: false; blockedBy: ConcurrencyBucket; running: number; hold: RunHold };

export class Concurrency {
  private readonly counts = new Map<string, number>();

  constructor(private readonly state: ConcurrencyState = { running: {}, waiting: {} }) {
    for (const ids of Object.values(state.running)) for (const b of ids) this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
  }

  /** Current number of executing items in a bucket. */
  inUse(bucketId: string): number {
    return this.counts.get(bucketId) ?? 0;
  }

  /**
   * Takes a slot in every bucket for `itemId`, or none. `order` ranks waiting items when a slot frees
   * (use the priority-adjusted enqueue time). Acquiring again for an item that already runs is a no-op.
   */
  acquire(itemId: string, buckets: ConcurrencyBucket[], order = 0): AcquireResult {
    if (this.state.running[itemId]) return { ok: true };
    for (const b of buckets) {
      const n = this.inUse(b.id);
      if (n >= b.limit) {
        const q = (this.state.waiting[b.id] ??= []);
        if (!q.some((w) => w.itemId === itemId)) q.push({ itemId, order });
        return {
          ok: false,
          blockedBy: b,
          running: n,
          hold: { rule: 'concurrency', detail: `concurrency: ${b.label} reached (${n} step${n === 1 ? '' : 's'} executing); waiting for a free slot` },
        };
      }
    }
    this.forgetWaiting(itemId);
    this.state.running[itemId] = buckets.map((b) => b.id);
    for (const b of buckets) this.counts.set(b.id, this.inUse(b.id) + 1);
    return { ok: true };
  }

  /**
   * Frees the item's slots. Returns the items that were waiting on those buckets, best first: the
   * engine retries `acquire` for them in that order.
   */
  release(itemId: string): string[] {
    const held = this.state.running[itemId];
    if (!held) return [];
    delete this.state.running[itemId];
    const woken: { itemId: string; order: number }[] = [];
    for (const b of held) {
      const n = this.inUse(b) - 1;
      if (n <= 0) this.counts.delete(b);
      else this.counts.set(b, n);
      for (const w of this.state.waiting[b] ?? []) if (!woken.some((x) => x.itemId === w.itemId)) woken.push(w);
    }
    return woken.sort((a, b) => a.order - b.order).map((w) => w.itemId);
  }

  /** Drops an item from every waiting list (it was cancelled, or acquired). */
  forgetWaiting(itemId: string): void {
    for (const [b, q] of Object.entries(this.state.waiting)) {
      const rest = q.filter((w) => w.itemId !== itemId);
      if (rest.length) this.state.waiting[b] = rest;
      else delete this.state.waiting[b];
    }
  }

  snapshot(): ConcurrencyState {
    return structuredClone(this.state);
  }
}
