// Small formatting helpers shared by the views. Pure functions; tested through the views.
import type { RunPause } from '../runtime/api';

/** `850 ms`, `1.2 s`, `3 m 04 s`, `2 h 05 m`, `3 d 4 h`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  const hh = Math.floor(m / 60);
  if (hh < 48) return `${hh} h ${String(m % 60).padStart(2, '0')} m`;
  return `${Math.floor(hh / 24)} d ${hh % 24} h`;
}

/** `just now`, `12s ago`, `3m ago`, `in 23h` (for future times). */
export function relative(ts: number, now = Date.now()): string {
  const d = now - ts;
  const a = Math.abs(d);
  const unit = a < 5_000 ? '' : a < 60_000 ? `${Math.round(a / 1000)}s` : a < 3_600_000 ? `${Math.round(a / 60_000)}m` : a < 172_800_000 ? `${Math.round(a / 3_600_000)}h` : `${Math.round(a / 86_400_000)}d`;
  if (!unit) return d >= 0 ? 'just now' : 'now';
  return d >= 0 ? `${unit} ago` : `in ${unit}`;
}

/** Local wall-clock time with milliseconds: `14:03:21.042`. */
export function clock(ts: number): string {
  const d = new Date(ts);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** Date and time for headers: `2026-11-30 14:03:21`. */
export function dateTime(ts: number): string {
  const d = new Date(ts);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A deadline: the time alone when it falls today, the date too otherwise, and how far off it is (`16:32:25 (in 2h)`, `2026-12-07 16:32:25 (in 7d)`). */
export function deadline(ts: number, now = Date.now()): string {
  const d = new Date(ts);
  const n = new Date(now);
  const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
  const at = sameDay ? dateTime(ts).slice(11) : dateTime(ts);
  return `${at} (${relative(ts, now)})`;
}

/** Retries a run made: over the steps it ran itself (not memoized from another run), the highest attempt number each reached. */
export function retriesOf(steps: readonly { memoizedFrom?: string; attempts: readonly { attempt: number }[] }[]): number {
  let n = 0;
  for (const s of steps) if (!s.memoizedFrom) n += s.attempts.reduce((m, a) => Math.max(m, a.attempt), 0);
  return n;
}

/** What a running run waits on, in words: `sleeping, wakes in 23h`, `waiting for app/order.placed until 16:32:25 (in 2h)`. */
export function pauseText(p: RunPause, now = Date.now()): string {
  const until = p.until !== undefined ? ` until ${deadline(p.until, now)}` : '';
  switch (p.kind) {
    case 'sleep':
      return p.until !== undefined ? `sleeping, wakes ${relative(p.until, now)}` : 'sleeping';
    case 'waitForEvent':
      return `waiting for ${p.on ?? 'an event'}${until}`;
    case 'invoke':
      return `waiting for ${p.on ?? 'an invoked function'}${until}`;
    case 'signal':
      return `waiting for signal ${p.on ?? ''}${until}`;
  }
}

/** JSON in one line, cut to `max` characters with an ellipsis. */
export function preview(value: unknown, max = 80): string {
  let s: string;
  try {
    s = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function shortId(id: string): string {
  return id.length > 10 ? id.slice(-8) : id;
}

/** A memoized value's stored form `{data: x}` (PROTOCOL §3.4) is shown and edited as `x`. */
export function unwrapOutput(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if ('data' in v && keys.every((k) => k === 'data' || k === 'type')) return (v as { data: unknown }).data;
  }
  return v;
}

/**
 * The user's own frame in an SDK error stack (`/app/src/fns.ts:31:25`), skipping node_modules and
 * Node internals: the browser's stand-in for Go to source when a step failed.
 */
export function userFrame(stack: string | undefined): { file: string; line: number; column: number } | null {
  if (!stack) return null;
  for (const m of stack.matchAll(/\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/gm)) {
    const file = m[1];
    if (/node_modules|^node:|^internal\/|<anonymous>/.test(file)) continue;
    return { file: file.replace(/^file:\/\//, ''), line: Number(m[2]), column: Number(m[3]) };
  }
  return null;
}

/** Why a run is not moving, in words: "Held by throttle: ..." or, for a future event ts, "Scheduled: ...". */
export function holdText(hold: { rule: string; detail: string }): string {
  return hold.rule === 'scheduled' ? `Scheduled: ${hold.detail}` : `Held by ${hold.rule}: ${hold.detail}`;
}

/**
 * What an attempt's row says after its time: `ok`, the error, or for a request cut off before the
 * answer (executor audit F8) who cut it and, for a step found from the next request, how it was found.
 */
export function attemptNote(a: { endedAt?: number; error?: { name: string; message: string }; interrupted?: 'app' | 'executor'; inferred?: true }): string {
  if (a.interrupted) {
    const why = a.error?.message ?? (a.interrupted === 'app' ? 'the app went away during the request' : 'the executor stopped during the request');
    return `cut off: ${why}${a.inferred ? ' (the request ran this step inline; the next one, sent from the same state, ran it first)' : ''}`;
  }
  if (a.error) return `${a.error.name}: ${a.error.message}`;
  return a.endedAt !== undefined ? 'ok' : '';
}
