// Cron strings as Inngest reads them: `[TZ=Zone ]min hour dom month dow` (five fields, checked by
// analysis/checks.ts checkCron), UTC unless a `TZ=` / `CRON_TZ=` prefix names an IANA zone.
// Pure: used by hover and by the functions request (plain-words description of a cron trigger).
import cronstrue from 'cronstrue';
import { Cron } from 'croner';
import { checkCron } from '../analysis/checks';

export interface ParsedCron {
  /** The pattern without the time-zone prefix. */
  pattern: string;
  /** IANA zone from the prefix, or 'UTC'. */
  timezone: string;
  /** Whether the zone came from a prefix. */
  explicitZone: boolean;
}

export type CronInfo =
  | { ok: true; cron: ParsedCron; description: string; nextRuns: Date[] }
  | { ok: false; cron: ParsedCron; error: string };

const TZ_PREFIX = /^\s*(?:CRON_TZ|TZ)=(\S+)\s+/;

export function splitCron(source: string): ParsedCron {
  const m = TZ_PREFIX.exec(source);
  if (m) return { pattern: source.slice(m[0].length).trim(), timezone: m[1] as string, explicitZone: true };
  return { pattern: source.trim(), timezone: 'UTC', explicitZone: false };
}

/** Plain-words meaning and the next `count` runs after `now`, or why the string is not a valid cron. */
export function cronInfo(source: string, now: Date = new Date(), count = 5): CronInfo {
  const cron = splitCron(source);
  if (!isValidZone(cron.timezone)) return { ok: false, cron, error: `Unknown time zone "${cron.timezone}": use an IANA name such as Europe/Paris or America/New_York.` };
  // The same rules as the invalid-cron diagnostic: what Inngest accepts when the app syncs.
  const check = checkCron(source);
  if (!check.ok) return { ok: false, cron, error: `Not a cron line Inngest accepts: it ${check.reason}.` };
  let job: Cron;
  try {
    job = new Cron(cron.pattern, { timezone: cron.timezone, paused: true, mode: '5-or-6-parts' });
  } catch (err) {
    return { ok: false, cron, error: `Invalid cron: ${err instanceof Error ? err.message : String(err)}` };
  }
  let description: string;
  try {
    description = cronstrue.toString(cron.pattern, { throwExceptionOnParseError: true, use24HourTimeFormat: true, verbose: false });
  } catch (err) {
    description = `runs on the schedule "${cron.pattern}"`;
    void err;
  }
  let nextRuns: Date[] = [];
  try {
    nextRuns = job.nextRuns(count, now);
  } finally {
    job.stop();
  }
  return { ok: true, cron, description, nextRuns };
}

/** The plain-words meaning with its zone, e.g. "At 09:00, Monday through Friday (Europe/Paris)". */
export function describeCron(source: string): string | undefined {
  const info = cronInfo(source, new Date(), 0);
  if (!info.ok) return undefined;
  return `${info.description} (${info.cron.timezone})`;
}

/** Markdown for a hover on a cron string. */
export function cronHoverMarkdown(source: string, now: Date = new Date()): string {
  const info = cronInfo(source, now);
  const head = `**cron** \`${info.cron.pattern}\``;
  if (!info.ok) return `${head}\n\n${info.error}`;
  const zone = info.cron.explicitZone ? info.cron.timezone : 'UTC (no TZ= prefix)';
  const lines = [
    `${head}: ${info.description}`,
    '',
    `Time zone: ${zone}`,
    '',
    `Next ${info.nextRuns.length} runs:`,
    ...info.nextRuns.map((d) => `- ${formatInZone(d, info.cron.timezone)}`),
  ];
  return lines.join('\n');
}

/** `Mon 2026-11-30 09:00` in the given zone, with the zone's short name. */
export function formatInZone(d: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'short',
  }).formatToParts(d);
  const get = (t: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === t)?.value ?? '';
  const sec = get('second');
  const time = `${get('hour')}:${get('minute')}${sec && sec !== '00' ? `:${sec}` : ''}`;
  return `${get('weekday')} ${get('year')}-${get('month')}-${get('day')} ${time} ${get('timeZoneName')}`.trim();
}

function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
