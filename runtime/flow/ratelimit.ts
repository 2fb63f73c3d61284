// rateLimit {limit, period, key}: GCRA on run starts; an event over the limit starts nothing and is
// skipped, not queued (PROTOCOL §12). Inngest's limiter uses burst = floor(limit / 10) on a GCRA whose
// immediate capacity is burst + 1, with emission period / limit.

import type { CompiledExpr } from './expr';
import { gcra, sweepTats } from './gcra';
import { evalKey } from './keys';
import { formatDuration, showKey, type FlowEvent } from './types';

export interface RateLimitConfig {
  limit: number;
  periodMs: number;
  key?: CompiledExpr;
}

export type RateLimitState = Record<string, number>;

export type RateLimitVerdict =
  | { allowed: true; key: string; warning?: string }
  | { allowed: false; key: string; reason: string; retryAt: number; warning?: string };

export function rateLimitCapacity(limit: number): number {
  return Math.floor(limit / 10) + 1;
}

export class RateLimiter {
  constructor(private state: RateLimitState = {}) {}

  /** Checks and, when allowed, consumes one start. Mutates state only when allowed. */
  check(fnId: string, cfg: RateLimitConfig, event: FlowEvent, now: number): RateLimitVerdict {
    const { key, warning } = evalKey(cfg.key, event, 'rateLimit');
    const k = `${fnId}\u0000${key}`;
    if (cfg.limit <= 0) {
      return { allowed: false, key, retryAt: now + cfg.periodMs, reason: `rateLimit: limit is ${cfg.limit}; every event is skipped`, ...(warning ? { warning } : {}) };
    }
    const v = gcra({ periodMs: cfg.periodMs, limit: cfg.limit, capacity: rateLimitCapacity(cfg.limit) }, this.state[k], now);
    if (!v.allowed) {
      return {
        allowed: false,
        key,
        retryAt: v.at,
        reason: `rateLimit: ${cfg.limit} per ${formatDuration(cfg.periodMs)} for key ${showKey(key)} reached; event skipped (next start possible in ${formatDuration(v.at - now)})`,
        ...(warning ? { warning } : {}),
      };
    }
    this.state[k] = v.nextTat;
    return { allowed: true, key, ...(warning ? { warning } : {}) };
  }

  snapshot(now: number): RateLimitState {
    sweepTats(this.state, now);
    return { ...this.state };
  }
}
