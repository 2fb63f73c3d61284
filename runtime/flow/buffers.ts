// Open debounces and batches as the UI shows them (executor audit F6): which events wait for which
// function, how many, until when. Plain data built from the debounce and batch state.
import type { BatchEntry } from './batch';
import type { DebounceEntry } from './debounce';

/** An open debounce or batch (runtime/wiring/buffers.ts turns it into api.ts's `EventBuffer`). */
export interface PendingBuffer {
  /** The timer id: `batch:<fnId>:<key>` / `debounce:<fnId>:<key>`. */
  id: string;
  rule: 'debounce' | 'batchEvents';
  fnId: string;
  key: string;
  /** Internal event ids (sender ids where unknown), oldest first. */
  eventIds: string[];
  count: number;
  maxSize?: number;
  openedAt: number;
  startsAt: number;
}

export function batchBuffer(e: BatchEntry, maxSize: number | undefined): PendingBuffer {
  return {
    id: e.timerId,
    rule: 'batchEvents',
    fnId: e.fnId,
    key: e.key,
    eventIds: e.events.map((x) => x.internalId ?? x.id),
    count: e.events.length,
    ...(maxSize !== undefined ? { maxSize } : {}),
    openedAt: e.openedAt,
    startsAt: e.fireAt,
  };
}

export function debounceBuffer(e: DebounceEntry): PendingBuffer {
  return {
    id: e.timerId,
    rule: 'debounce',
    fnId: e.fnId,
    key: e.key,
    eventIds: e.eventIds ?? [e.event.internalId ?? e.event.id],
    count: e.count,
    openedAt: e.firstAt,
    startsAt: e.fireAt,
  };
}
