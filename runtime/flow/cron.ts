// Cron triggers (PROTOCOL §2.3, §13). A registered cron is `[TZ=<IANA zone> ]<fields>`, with 5 fields
// (minute hour day-of-month month day-of-week) or 6 (seconds first, accepted with a warning: Inngest's
// Go scheduler parses minute-precision specs only), or a descriptor (`@hourly`, `@daily`, `@weekly`,
// `@monthly`, `@yearly`, `@every <duration>`, as robfig/cron has them). `CRON_TZ=` is accepted like `TZ=`. Without a zone the
// schedule is UTC (the Dev Server's). Times come from croner, which follows Vixie cron around DST: a
// fixed time that does not exist (spring forward) runs at the first valid time after the gap, one
// that occurs twice (fall back) runs once.
//
// Each fire is an `inngest/scheduled.timer` event with data {cron, scheduledAt, fireAt} and
// id = the RFC 3339 schedule time (so a repeated fire is idempotent per function). Crons are
// re-planned on every sync. The scheduler never reads the clock: the engine passes `now`.

import { Cron } from 'croner';
import { FlowConfigError, parseDuration, type FlowEvent } from './types';

export const SCHEDULED_TIMER_EVENT = 'inngest/scheduled.timer';

/** A cron string that cannot be used; says what is wrong and what a valid one looks like. */
export class CronError extends Error {
  override readonly name = 'CronError';
  constructor(
    readonly cron: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cron ${JSON.stringify(cron)} is not valid: ${reason.replace(/\.+$/, '')}. Use 5 fields (minute hour day month weekday), e.g. "TZ=Europe/Paris 0 9 * * 1-5"`, options);
  }
}

export interface ParsedCron {
  source: string;
  pattern: string;
  /** IANA zone; undefined = UTC. */
  timezone?: string;
  /** Accepted here, but worth telling the user (e.g. seconds, which Inngest's scheduler does not have). */
  warning?: string;
  /** Next schedule time strictly after `after` (epoch ms), or undefined if none. */
  nextAfter(after: number): number | undefined;
}

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

export function parseCron(source: string): ParsedCron {
  if (typeof source !== 'string' || source.trim() === '') throw new CronError(String(source), 'it is empty');
  let rest = source.trim();
  let timezone: string | undefined;
  const tz = /^(?:CRON_)?TZ=(\S+)\s+/.exec(rest);
  if (tz) {
    timezone = tz[1]!;
    rest = rest.slice(tz[0].length).trim();
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch (err) {
      throw new CronError(source, `unknown time zone "${timezone}" (use an IANA name such as "America/New_York" or "UTC")`, { cause: err });
    }
  } else if (/^(?:CRON_)?TZ=/.test(rest)) {
    throw new CronError(source, 'a TZ= prefix must be followed by a space and the schedule');
  }
  let pattern = rest;
  let warning: string | undefined;
  const every = /^@every\s+(\S+)$/i.exec(pattern);
  if (every) {
    let ms: number;
    try {
      ms = parseDuration(every[1]);
    } catch (err) {
      throw new CronError(source, `@every needs a duration such as "5m" or "1h30m"`, { cause: err });
    }
    const step = Math.max(1000, Math.floor(ms / 1000) * 1000);
    return {
      source,
      pattern,
      ...(timezone ? { timezone } : {}),
      nextAfter: (after: number) => Math.floor(after / 1000) * 1000 + step,
    };
  }
  if (pattern.startsWith('@')) {
    const d = pattern.toLowerCase();
    if (d === '@midnight') pattern = '@daily';
    else if (d === '@annually') pattern = '@yearly';
    else if (!DESCRIPTORS.has(d)) throw new CronError(source, `unsupported descriptor "${pattern}" (use @hourly, @daily, @weekly, @monthly, @yearly or @every <duration>)`);
  } else {
    const n = pattern.split(/\s+/).length;
    if (n !== 5 && n !== 6) throw new CronError(source, `it has ${n} field${n === 1 ? '' : 's'}; expected 5, or 6 with seconds first`);
    if (n === 6) warning = `cron ${JSON.stringify(source)} has a seconds field; Inngest's scheduler is minute-precision (5 fields) and may refuse it outside Steplens`;
  }
  let cron: Cron;
  try {
    cron = new Cron(pattern, { timezone: timezone ?? 'UTC', paused: true, mode: '5-or-6-parts' });
  } catch (err) {
    throw new CronError(source, err instanceof Error ? err.message : String(err), { cause: err });
  }
  return {
    source,
    pattern,
    ...(timezone ? { timezone } : {}),
    ...(warning ? { warning } : {}),
    nextAfter(after: number): number | undefined {
      const d = cron.nextRun(new Date(after));
      return d ? d.getTime() : undefined;
    },
  };
}

/** The next `count` schedule times strictly after `after`. Throws CronError. */
export function nextFireTimes(source: string, after: number, count = 1): number[] {
  const p = parseCron(source);
  const out: number[] = [];
  let t = after;
  for (let i = 0; i < count; i++) {
    const n = p.nextAfter(t);
    if (n === undefined) break;
    out.push(n);
    t = n;
  }
  return out;
}

/** RFC 3339 (UTC, second precision) as Inngest uses for the timer event id. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A deterministic jitter in [0, max) for one fire, so a re-plan does not move it. */
function jitterFor(key: string, at: number, maxMs: number): number {
  if (maxMs <= 0) return 0;
  let h = 2166136261;
  for (const c of `${key}@${at}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h % Math.floor(maxMs);
}

/** The `inngest/scheduled.timer` event for one fire. */
export function scheduledTimerEvent(cron: string, scheduledAt: number, fireAt: number): Omit<FlowEvent, 'internalId'> {
  return {
    id: rfc3339(scheduledAt),
    name: SCHEDULED_TIMER_EVENT,
    data: { cron, scheduledAt: rfc3339(scheduledAt), fireAt: rfc3339(fireAt) },
    ts: fireAt,
  };
}

export interface CronFunction {
  id: string;
  triggers: ({ event: string; expression?: string } | { cron: string; jitter?: string })[];
}

export interface CronPlanEntry {
  /** `${fnId}\0${cron}`: the key of `lastFired`. */
  key: string;
  fnId: string;
  cron: string;
  /** The schedule time of the next fire. */
  scheduledAt: number;
  /** When to fire (schedule time + jitter). */
  fireAt: number;
  jitterMs: number;
}

export interface CronFire {
  fnId: string;
  cron: string;
  scheduledAt: number;
  event: Omit<FlowEvent, 'internalId'>;
}

/**
 * Says what fires when. `plan` (on every sync) replaces the set of crons; unchanged ones keep their
 * next time. `due(now)` returns what must fire at `now` and moves each entry to its next time after
 * `now`. Schedule times missed while the executor was stopped are not caught up; a fire that comes
 * late (a timer delayed, a clock moved) fires once, for the latest schedule time passed. Given the
 * persisted `lastFired`, a time already fired never fires again after a restart.
 */
export class CronScheduler {
  private readonly entries = new Map<string, CronPlanEntry & { parsed: ParsedCron }>();
  private readonly fired: Record<string, number>;

  constructor(lastFired: Record<string, number> = {}) {
    this.fired = { ...lastFired };
  }

  plan(fns: CronFunction[], now: number): { entries: CronPlanEntry[]; errors: FlowConfigError[]; warnings: string[] } {
    const errors: FlowConfigError[] = [];
    const warnings: string[] = [];
    const seen = new Set<string>();
    for (const fn of fns) {
      fn.triggers.forEach((t, i) => {
        if (!('cron' in t)) return;
        const key = `${fn.id}\u0000${t.cron}`;
        let parsed: ParsedCron;
        let jitterMs = 0;
        try {
          parsed = parseCron(t.cron);
          if (parsed.warning) warnings.push(`${fn.id}: ${parsed.warning}`);
          if (t.jitter) jitterMs = parseDuration(t.jitter);
        } catch (err) {
          errors.push(new FlowConfigError(fn.id, `triggers[${i}].${err instanceof CronError ? 'cron' : 'jitter'}`, err instanceof Error ? err.message : String(err), { cause: err }));
          return;
        }
        seen.add(key);
        const old = this.entries.get(key);
        if (old && old.jitterMs === jitterMs) return;
        const after = Math.max(now - 1, this.fired[key] ?? -Infinity);
        const next = parsed.nextAfter(after);
        if (next === undefined) return;
        const j = jitterFor(key, next, jitterMs);
        this.entries.set(key, { key, fnId: fn.id, cron: t.cron, scheduledAt: next, fireAt: next + j, jitterMs, parsed });
      });
    }
    for (const k of [...this.entries.keys()]) if (!seen.has(k)) this.entries.delete(k);
    for (const k of Object.keys(this.fired)) if (!seen.has(k)) delete this.fired[k];
    return { entries: this.list(), errors, warnings };
  }

  list(): CronPlanEntry[] {
    return [...this.entries.values()].map(({ parsed: _p, ...e }) => e).sort((a, b) => a.fireAt - b.fireAt);
  }

  /** When the engine should next call `due`, or undefined when nothing is scheduled. */
  nextWake(): number | undefined {
    let min: number | undefined;
    for (const e of this.entries.values()) if (min === undefined || e.fireAt < min) min = e.fireAt;
    return min;
  }

  /** Next fire times of one function's crons (for `FunctionInfo.nextCronRuns`). */
  nextRunsOf(fnId: string): number[] {
    return this.list().filter((e) => e.fnId === fnId).map((e) => e.fireAt);
  }

  due(now: number): CronFire[] {
    const out: CronFire[] = [];
    for (const e of this.entries.values()) {
      if (e.fireAt > now) continue;
      // Coalesce: the latest schedule time not after now.
      let scheduledAt = e.scheduledAt;
      let guard = 0;
      for (let n = e.parsed.nextAfter(scheduledAt); n !== undefined && n <= now && guard < 100_000; n = e.parsed.nextAfter(n), guard++) scheduledAt = n;
      if ((this.fired[e.key] ?? -Infinity) < scheduledAt) {
        this.fired[e.key] = scheduledAt;
        const fireAt = scheduledAt === e.scheduledAt ? e.fireAt : scheduledAt + jitterFor(e.key, scheduledAt, e.jitterMs);
        out.push({ fnId: e.fnId, cron: e.cron, scheduledAt, event: scheduledTimerEvent(e.cron, scheduledAt, Math.min(fireAt, now)) });
      }
      const next = e.parsed.nextAfter(Math.max(now, scheduledAt));
      if (next === undefined) this.entries.delete(e.key);
      else Object.assign(e, { scheduledAt: next, fireAt: next + jitterFor(e.key, next, e.jitterMs) });
    }
    return out;
  }

  /** Persist this (key -> last schedule time fired) and pass it back to the constructor after a restart. */
  lastFired(): Record<string, number> {
    return { ...this.fired };
  }
}
