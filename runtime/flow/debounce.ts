// debounce {period, key, timeout}: delays a run until no matching event has arrived for `period`;
// the run gets the *last* event; `timeout` caps the total delay counted from the first event
// (PROTOCOL §12; Inngest debounce docs). Facts from Inngest's debouncer: an event whose `ts` is older
// than the stored one does not replace it (out-of-order events have no effect), and once the first
// event sets the cap, later events only move the start up to that cap.
//
// State is one entry per (function, key) while a debounce is pending. The run id is chosen when the
// debounce opens, so the engine can show a Queued run held by `debounce` until it fires.

import type { CompiledExpr } from './expr';
import { evalKey } from './keys';
import { formatDuration, showKey, type FlowEvent, type FlowTimer, type RunHold } from './types';

export interface DebounceConfig {
  periodMs: number;
  timeoutMs?: number;
  key?: CompiledExpr;
}

export interface DebounceEntry {
  timerId: string;
  fnId: string;
  key: string;
  runId: string;
  event: FlowEvent;
  firstAt: number;
  /** firstAt + timeout, when a timeout is set. */
  deadline?: number;
  fireAt: number;
  /** Events merged so far (including the first). */
  count: number;
  /** Ids (internal, else sender) of the last events merged, oldest first; the last is `event`'s. */
  eventIds?: string[];
}

/** How many merged event ids a debounce remembers (its state is persisted: a hot key must not grow it). */
export const DEBOUNCE_IDS_KEPT = 50;
const idOf = (e: FlowEvent): string => e.internalId ?? e.id;

export type DebounceState = Record<string, DebounceEntry>;

export interface DebouncePush {
  entry: DebounceEntry;
  timer: FlowTimer;
  /** True when this event opened the debounce. */
  created: boolean;
  /** Set when the event was older than the stored one and changed nothing. */
  ignored?: string;
  hold: RunHold;
  warning?: string;
}

export type DebounceFire = { kind: 'due'; entry: DebounceEntry } | { kind: 'reschedule'; timer: FlowTimer } | { kind: 'gone' };

export class Debouncer {
  constructor(private readonly state: DebounceState = {}) {}

  push(fnId: string, cfg: DebounceConfig, event: FlowEvent, now: number, newRunId: () => string): DebouncePush {
    const { key, warning } = evalKey(cfg.key, event, 'debounce');
    const timerId = `debounce:${fnId}:${key}`;
    let entry = this.state[timerId];
    let created = false;
    let ignored: string | undefined;
    if (!entry) {
      created = true;
      entry = {
        timerId,
        fnId,
        key,
        runId: newRunId(),
        event,
        firstAt: now,
        fireAt: now + cfg.periodMs,
        count: 1,
        eventIds: [idOf(event)],
        ...(cfg.timeoutMs !== undefined ? { deadline: now + cfg.timeoutMs } : {}),
      };
      if (entry.deadline !== undefined) entry.fireAt = Math.min(entry.fireAt, entry.deadline);
      this.state[timerId] = entry;
    } else if (event.ts < entry.event.ts) {
      ignored = `debounce: event ${event.id} is older (ts ${event.ts}) than the pending one (ts ${entry.event.ts}); ignored`;
    } else {
      entry.event = event;
      entry.count += 1;
      const ids = (entry.eventIds ??= []);
      ids.push(idOf(event));
      if (ids.length > DEBOUNCE_IDS_KEPT) ids.splice(0, ids.length - DEBOUNCE_IDS_KEPT);
      entry.fireAt = Math.max(entry.fireAt, now + cfg.periodMs);
      if (entry.deadline !== undefined) entry.fireAt = Math.min(entry.fireAt, entry.deadline);
    }
    const out: DebouncePush = {
      entry: { ...entry, ...(entry.eventIds ? { eventIds: [...entry.eventIds] } : {}) },
      timer: { id: timerId, kind: 'debounce', fnId, at: entry.fireAt },
      created,
      hold: {
        rule: 'debounce',
        detail: `debounce: waiting for ${formatDuration(cfg.periodMs)} without a new event for key ${showKey(key)}${cfg.timeoutMs !== undefined ? ` (at most ${formatDuration(cfg.timeoutMs)} in all)` : ''}; ${entry.count} event${entry.count === 1 ? '' : 's'} merged, the last one starts the run`,
        until: entry.fireAt,
      },
    };
    if (ignored) out.ignored = ignored;
    if (warning) out.warning = warning;
    return out;
  }

  /** Called when the engine's timer fires. A timer that fires early is moved; a stale one is gone. */
  fire(timerId: string, now: number): DebounceFire {
    const entry = this.state[timerId];
    if (!entry) return { kind: 'gone' };
    if (now < entry.fireAt) return { kind: 'reschedule', timer: { id: timerId, kind: 'debounce', fnId: entry.fnId, at: entry.fireAt } };
    delete this.state[timerId];
    return { kind: 'due', entry };
  }

  /** Pending debounces (for timers to re-arm after a restart, and for the UI). */
  pending(): DebounceEntry[] {
    return Object.values(this.state).map((e) => ({ ...e, ...(e.eventIds ? { eventIds: [...e.eventIds] } : {}) }));
  }

  /** Drops a function's pending debounces (function removed at sync). */
  dropFunction(fnId: string): DebounceEntry[] {
    const gone = Object.values(this.state).filter((e) => e.fnId === fnId);
    for (const e of gone) delete this.state[e.timerId];
    return gone;
  }

  snapshot(): DebounceState {
    return structuredClone(this.state);
  }
}
