// Duration strings as the SDK reads them (`ms`-style "30s", "1 hour", "2.5h", and compounds such as
// "1h30m" / "1h 30m" = the sum of the parts). Pure; used by hover.
import { checkDuration } from '../analysis/checks';

const UNIT_MS: Record<string, number> = {};
function unit(ms: number, ...names: string[]): void {
  for (const n of names) UNIT_MS[n] = ms;
}
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const YEAR = 365.25 * DAY;
unit(1, 'ms', 'msec', 'msecs', 'millisecond', 'milliseconds');
unit(SECOND, 's', 'sec', 'secs', 'second', 'seconds');
unit(MINUTE, 'm', 'min', 'mins', 'minute', 'minutes');
unit(HOUR, 'h', 'hr', 'hrs', 'hour', 'hours');
unit(DAY, 'd', 'day', 'days');
unit(WEEK, 'w', 'week', 'weeks');
unit(YEAR, 'y', 'yr', 'yrs', 'year', 'years');

const PART = /^(-?(?:\d+)?\.?\d+) *([a-z]+)?$/i;

/** Milliseconds for one `ms`-style part, or undefined. A bare number means milliseconds. */
function parsePart(part: string): number | undefined {
  if (part.length === 0 || part.length > 100) return undefined;
  const m = PART.exec(part.trim());
  if (!m) return undefined;
  const n = Number.parseFloat(m[1] as string);
  const u = (m[2] ?? 'ms').toLowerCase();
  const mult = UNIT_MS[u];
  if (mult === undefined || !Number.isFinite(n)) return undefined;
  return n * mult;
}

/** Milliseconds, or undefined when the SDK would reject the string. */
export function parseDuration(input: string): number | undefined {
  const parts = input.trim().split(/(?<=[a-z])\s*(?=\d)/i);
  if (parts.length > 1 && !/[a-z]$/i.test(parts[parts.length - 1] ?? '')) return undefined;
  let total = 0;
  for (const p of parts) {
    const v = parsePart(p);
    if (v === undefined) return undefined;
    total += v;
  }
  return total;
}

/** "1 day 2 hours 30 minutes" for a number of milliseconds. */
export function humanDuration(ms: number): string {
  if (ms < SECOND) return `${ms} ms`;
  const out: string[] = [];
  let rest = Math.round(ms);
  for (const [size, name] of [
    [DAY, 'day'],
    [HOUR, 'hour'],
    [MINUTE, 'minute'],
    [SECOND, 'second'],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out.push(`${n} ${name}${n === 1 ? '' : 's'}`);
    rest -= n * size;
  }
  if (rest > 0) out.push(`${rest} ms`);
  return out.join(' ');
}

/** Markdown for a hover on a duration string, or why it is not one; `now` gives the wake-up example. */
/**
 * `sdkParsed`: the SDK parses this duration itself with `ms` (sleeps, timeouts), which takes one
 * number and unit; flow-control periods are parsed by the executor, which also takes "1h30m". The
 * hover and the `invalid-duration` diagnostic agree (analysis/checks.ts checkDuration).
 */
export function durationHoverMarkdown(source: string, now: Date = new Date(), sdkParsed = false): string {
  const ms = parseDuration(source);
  const problem = checkDuration(source, sdkParsed);
  if (!problem.ok || ms === undefined || !(ms > 0)) {
    const example = sdkParsed ? '`30s`, `15m`, `2h`, `1d`' : '`30s`, `15m`, `2h`, `1d`, `1h30m`';
    const why = problem.ok ? 'is not a positive duration' : problem.reason;
    return `**duration** \`${source}\`: not a duration ${sdkParsed ? 'the SDK' : 'Inngest'} accepts here (it ${why}). Write a number and a unit, e.g. ${example}.`;
  }
  const clamped = ms < SECOND ? SECOND : ms;
  const lines = [`**duration** \`${source}\`: ${humanDuration(ms)} (${ms.toLocaleString('en-US')} ms)`];
  if (ms < SECOND) lines.push('', 'Durable waits have a resolution of 1 s; this rounds up to 1 second.');
  lines.push('', `Started now, it would end at ${new Date(now.getTime() + clamped).toISOString().replace('.000Z', 'Z')}.`);
  return lines.join('\n');
}
