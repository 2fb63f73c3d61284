// Shared shapes of the flow-control modules. Everything here is plain data: the engine can persist
// any of it as JSON. Time is always an epoch-ms number handed in by the caller (or read from the
// injected `FlowClock`); no module reads Date.now() or sets a timer itself.

import type { RunHold } from '../api';

export type { RunHold };

/** The only thing flow control needs from the engine's clock. */
export interface FlowClock {
  now(): number;
}

/** An event as flow control sees it (a subset of `EventRecord` in runtime/api.ts). */
export interface FlowEvent {
  /** The event id (user-supplied or generated). */
  id: string;
  /** Internal ULID; falls back to `id` where absent. */
  internalId?: string;
  name: string;
  data: Record<string, unknown>;
  user?: Record<string, unknown>;
  /** Event time, epoch ms. */
  ts: number;
  /** When the executor received it, epoch ms (defaults to `ts`). */
  receivedAt?: number;
  v?: string;
}

/** A wake-up the engine must schedule with its own clock, then hand back to `FlowControl.onTimer`. */
export interface FlowTimer {
  /** Stable id: setting a timer with an id already set moves it. */
  id: string;
  kind: 'debounce' | 'batch';
  fnId: string;
  at: number;
}

/** A configuration the SDK registered that cannot be used. Nothing is changed when one is returned. */
export class FlowConfigError extends Error {
  override readonly name = 'FlowConfigError';
  constructor(
    /** Function slug. */
    readonly fnId: string,
    /** Config path, e.g. `throttle.key`, `triggers[1].cron`, `cancel[0].if`. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${fnId}: ${field}: ${message}`, options);
  }
}

// --- Durations -----------------------------------------------------------------------------------

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses the SDK's duration strings (`1h30m`, `10s`, `2w`, `500ms`) into milliseconds. A bare number is
 * read as seconds (Go's str2duration does not accept it; the SDK never sends it, but hand-written
 * configs might). Throws a plain Error with the reason; callers wrap it into a FlowConfigError.
 */
export function parseDuration(input: unknown): number {
  if (typeof input === 'number' && Number.isFinite(input) && input >= 0) return input * 1000;
  if (typeof input !== 'string') throw new Error(`expected a duration string such as "10s" or "1h30m", got ${describe(input)}`);
  const s = input.trim();
  if (s === '') throw new Error('empty duration; use a string such as "10s" or "1h30m"');
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== s.length) throw new Error(`"${input}" is not a duration; use units w d h m s, e.g. "10s" or "1h30m"`);
  return total;
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** Human form of a duration in ms for hold details: `5s`, `1m30s`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/** A key value for messages: `"u1"`, or `(no key)` for the shared bucket. */
export function showKey(key: string | undefined): string {
  return key === undefined || key === '' ? '(no key)' : JSON.stringify(key);
}
