// What the panel says about an event held by a debounce or a batch (executor audit F6): the view
// model of the composer's results, as plain data so it is tested in Node (test/media/buffers.test.ts).
import type { EventBuffer } from '../runtime/api';
import { shortId } from './format';

export interface BufferNote {
  /** The buffer's id plus its state: a stable key for the rendered row. */
  key: string;
  state: EventBuffer['state'];
  rule: EventBuffer['rule'];
  /** The sentence shown, e.g. `buffered in batch for checkout, 2 of 3, starts in 12 s or when full`. */
  text: string;
  /** Set once the run exists: the row links to it. */
  runId?: string;
  /** When the text changes by itself (a countdown): re-render at least once a second until then. */
  due?: number;
}

/** `12 s`, `3 min 05 s`, `2 h 10 min`: a countdown that never shows a negative time. */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The note for one buffer as seen from `eventId` (one of its events) at `now`. */
export function bufferNote(b: EventBuffer, eventId: string, now: number): BufferNote {
  const key = `${b.id}:${b.state}:${b.runId ?? ''}`;
  const base = { key, state: b.state, rule: b.rule };
  const pos = b.eventIds.indexOf(eventId) + 1;
  const left = b.startsAt - now;
  const when = left > 0 ? `in ${countdown(left)}` : 'now';
  switch (b.state) {
    case 'open':
      if (b.rule === 'batchEvents') {
        const size = b.maxSize !== undefined ? `${b.count} of ${b.maxSize}` : `${b.count} so far`;
        return { ...base, text: `buffered in batch for ${b.functionName}, ${size}, starts ${when} or when full`, due: b.startsAt };
      }
      return {
        ...base,
        text: `debounced for ${b.functionName}, fires ${when}${b.count > 1 ? ` (${b.count} events merged; the last one starts the run)` : ''}`,
        due: b.startsAt,
      };
    case 'started': {
      const run = b.runId ? `run ${shortId(b.runId)}` : 'its run';
      if (b.rule === 'batchEvents') {
        return { ...base, text: `batch for ${b.functionName} started ${run}${pos ? ` (this event is ${pos} of ${b.count})` : ''}`, ...(b.runId ? { runId: b.runId } : {}) };
      }
      const last = b.eventIds[b.eventIds.length - 1] === eventId;
      return { ...base, text: `debounce for ${b.functionName} fired: ${run}${last ? '' : ' got a later event'}`, ...(b.runId ? { runId: b.runId } : {}) };
    }
    case 'dropped':
      return { ...base, text: `${b.rule === 'batchEvents' ? 'batch' : 'debounce'} for ${b.functionName} dropped: ${b.reason ?? 'no run came of it'}` };
    default: {
      const never: never = b.state;
      throw new Error(`unknown buffer state ${String(never)}`);
    }
  }
}

/** Notes for the events just sent, one per buffer (the first of those events that it holds speaks for it). */
export function bufferNotes(buffers: ReadonlyMap<string, EventBuffer>, eventIds: string[], now: number): BufferNote[] {
  const seen = new Set<string>();
  const out: BufferNote[] = [];
  for (const id of eventIds) {
    const b = buffers.get(id);
    if (!b || seen.has(b.id)) continue;
    seen.add(b.id);
    out.push(bufferNote(b, id, now));
  }
  return out;
}
