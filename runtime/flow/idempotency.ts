// idempotency (CEL key): at most one run per key value per function per 24 h (PROTOCOL §12). Without
// a key, the event id is the key (a batch uses its run id), so the same event never starts the same
// function twice. The window counts from the run that took the key.

import type { CompiledExpr } from './expr';
import { evalKey } from './keys';
import { showKey, type FlowEvent } from './types';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export type IdempotencyState = Record<string, { until: number; runId: string }>;

export type IdempotencyVerdict =
  | { duplicate: false; key: string; warning?: string }
  | { duplicate: true; key: string; runId: string; reason: string; warning?: string };

export class Idempotency {
  constructor(private readonly state: IdempotencyState = {}) {}

  /** The key a run would take. `batchId` replaces the event id when no expression is set. */
  keyFor(fnId: string, expr: CompiledExpr | undefined, event: FlowEvent, batchId?: string): { key: string; shown: string; warning?: string } {
    if (expr) {
      const { key, warning } = evalKey(expr, event, 'idempotency');
      return { key: `${fnId}\u0000k\u0000${key}`, shown: `key ${showKey(key)}`, ...(warning ? { warning } : {}) };
    }
    const id = batchId ?? event.internalId ?? event.id;
    return { key: `${fnId}\u0000e\u0000${id}`, shown: batchId ? `batch ${batchId}` : `event id ${JSON.stringify(event.id)}` };
  }

  check(fnId: string, expr: CompiledExpr | undefined, event: FlowEvent, now: number, batchId?: string): IdempotencyVerdict {
    const { key, shown, warning } = this.keyFor(fnId, expr, event, batchId);
    const w = warning ? { warning } : {};
    const hit = this.state[key];
    if (hit && hit.until > now) {
      return { duplicate: true, key, runId: hit.runId, reason: `idempotency: ${shown} already started run ${hit.runId} within 24h; no new run`, ...w };
    }
    return { duplicate: false, key, ...w };
  }

  /** Records the key for a run that starts (call only when the run is really created). */
  commit(key: string, runId: string, now: number): void {
    this.state[key] = { until: now + IDEMPOTENCY_WINDOW_MS, runId };
  }

  rebind(fromId: string, toId: string): void {
    for (const v of Object.values(this.state)) if (v.runId === fromId) v.runId = toId;
  }

  snapshot(now: number): IdempotencyState {
    for (const [k, v] of Object.entries(this.state)) if (v.until <= now) delete this.state[k];
    return structuredClone(this.state);
  }
}
