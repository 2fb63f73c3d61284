// throttle {limit, period, burst, key}: GCRA on run starts; excess starts are delayed, never dropped
// (PROTOCOL §12). Each function has its own limiter, even when two functions use the same key.
// Starts are booked in arrival order, so delayed runs start FIFO, one every period/limit once the
// burst (limit + burst at once from an idle key) is spent.

import type { CompiledExpr } from './expr';
import { gcra, sweepTats } from './gcra';
import { evalKey } from './keys';
import { formatDuration, showKey, type FlowEvent, type RunHold } from './types';

export interface ThrottleConfig {
  limit: number;
  periodMs: number;
  burst: number;
  key?: CompiledExpr;
}

export type ThrottleState = Record<string, number>; // `${fnId}\u0000${key}` -> TAT

export interface ThrottleVerdict {
  /** When the run may start (== now when it may start at once). */
  startAt: number;
  key: string;
  hold?: RunHold;
  warning?: string;
}

export class Throttle {
  constructor(private state: ThrottleState = {}) {}

  /** Books one start for `event` at `now`; returns when the run may start. Mutates state. */
  book(fnId: string, cfg: ThrottleConfig, event: FlowEvent, now: number): ThrottleVerdict {
    const { key, warning } = evalKey(cfg.key, event, 'throttle');
    const k = `${fnId}\u0000${key}`;
    const v = gcra({ periodMs: cfg.periodMs, limit: cfg.limit, capacity: cfg.limit + cfg.burst }, this.state[k], now);
    this.state[k] = v.nextTat;
    const out: ThrottleVerdict = { startAt: v.at, key };
    if (warning) out.warning = warning;
    if (v.at > now) {
      out.hold = {
        rule: 'throttle',
        detail: `throttle: ${cfg.limit} start${cfg.limit === 1 ? '' : 's'} per ${formatDuration(cfg.periodMs)}${cfg.burst ? ` (burst ${cfg.burst})` : ''} for key ${showKey(key)}; starts in ${formatDuration(v.at - now)}`,
        until: v.at,
      };
    }
    return out;
  }

  snapshot(now: number): ThrottleState {
    sweepTats(this.state, now);
    return { ...this.state };
  }
}
