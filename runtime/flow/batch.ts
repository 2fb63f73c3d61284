// batchEvents {maxSize, timeout, key, if}: a batch opens with the first matching event; one run
// starts with `events = [...]` (and `event = events[0]`) when the batch holds `maxSize` events or
// `timeout` after it opened, whichever comes first (PROTOCOL §12; Inngest batching docs). Each key
// value has its own batch. Events for which `if` is false are not batched: they start a run alone.

import type { CompiledExpr } from './expr';
import { evalBool, evalKey } from './keys';
import { formatDuration, showKey, type FlowEvent, type FlowTimer, type RunHold } from './types';

export interface BatchConfig {
  maxSize: number;
  timeoutMs: number;
  key?: CompiledExpr;
  if?: CompiledExpr;
}

export interface BatchEntry {
  timerId: string;
  fnId: string;
  key: string;
  runId: string;
  events: FlowEvent[];
  openedAt: number;
  fireAt: number;
}

export type BatchState = Record<string, BatchEntry>;

export type BatchPush =
  | { kind: 'bypass'; reason: string; warning?: string }
  | { kind: 'full'; entry: BatchEntry; warning?: string }
  | { kind: 'open'; entry: BatchEntry; timer: FlowTimer; created: boolean; hold: RunHold; warning?: string };

export type BatchFire = { kind: 'due'; entry: BatchEntry } | { kind: 'reschedule'; timer: FlowTimer } | { kind: 'gone' };

export class Batcher {
  constructor(private readonly state: BatchState = {}) {}

  push(fnId: string, cfg: BatchConfig, event: FlowEvent, now: number, newRunId: () => string): BatchPush {
    const warnings: string[] = [];
    if (cfg.if) {
      const r = evalBool(cfg.if, event, 'batchEvents.if');
      if (r.warning) warnings.push(r.warning);
      if (!r.value) {
        return { kind: 'bypass', reason: `batchEvents.if ${JSON.stringify(cfg.if.source)} is false for this event; it runs alone`, ...(warnings.length ? { warning: warnings.join('; ') } : {}) };
      }
    }
    const { key, warning } = evalKey(cfg.key, event, 'batchEvents');
    if (warning) warnings.push(warning);
    const w = warnings.length ? { warning: warnings.join('; ') } : {};
    const timerId = `batch:${fnId}:${key}`;
    let entry = this.state[timerId];
    const created = !entry;
    if (!entry) {
      entry = { timerId, fnId, key, runId: newRunId(), events: [], openedAt: now, fireAt: now + cfg.timeoutMs };
      this.state[timerId] = entry;
    }
    entry.events.push(event);
    if (entry.events.length >= Math.max(1, cfg.maxSize)) {
      delete this.state[timerId];
      return { kind: 'full', entry, ...w };
    }
    return {
      kind: 'open',
      entry: { ...entry, events: [...entry.events] },
      timer: { id: timerId, kind: 'batch', fnId, at: entry.fireAt },
      created,
      hold: {
        rule: 'batchEvents',
        detail: `batchEvents: collecting events for key ${showKey(key)} (${entry.events.length} of ${cfg.maxSize}); starts when full or ${formatDuration(cfg.timeoutMs)} after the first`,
        until: entry.fireAt,
      },
      ...w,
    };
  }

  fire(timerId: string, now: number): BatchFire {
    const entry = this.state[timerId];
    if (!entry) return { kind: 'gone' };
    if (now < entry.fireAt) return { kind: 'reschedule', timer: { id: timerId, kind: 'batch', fnId: entry.fnId, at: entry.fireAt } };
    delete this.state[timerId];
    return { kind: 'due', entry };
  }

  pending(): BatchEntry[] {
    return Object.values(this.state).map((e) => ({ ...e, events: [...e.events] }));
  }

  dropFunction(fnId: string): BatchEntry[] {
    const gone = Object.values(this.state).filter((e) => e.fnId === fnId);
    for (const e of gone) delete this.state[e.timerId];
    return gone;
  }

  snapshot(): BatchState {
    return structuredClone(this.state);
  }
}
