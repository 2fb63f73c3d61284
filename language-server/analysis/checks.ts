// Validators for the strings the SDK and the Inngest server interpret: durations, cron lines and
// CEL expressions. Each returns plain data; nothing here knows about files or positions.
import { parse as parseCel, type ASTNode } from '@marcbachmann/cel-js';
import { Cron } from 'croner';

/**
 * The SDK turns duration strings into milliseconds with the `ms` package (helpers/strings.ts
 * `timeStr`), which accepts one number and one unit: "30s", "2 hours", "1.5d", "100" (ms).
 */
const MS_FORMAT = /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i;
/** Flow-control periods go to the Inngest server as written, which also reads compounds like "1h30m". */
const COMPOUND_FORMAT = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/;

export type DurationProblem = { ok: true } | { ok: false; reason: string };

export function checkDuration(value: string, sdkParsed: boolean): DurationProblem {
  const v = value.trim();
  if (v.length > 100) return { ok: false, reason: 'is too long to be a duration' };
  const m = MS_FORMAT.exec(v);
  if (m) {
    if (parseFloat(m[1]!) < 0) return { ok: false, reason: 'is negative' };
    return { ok: true };
  }
  if (!sdkParsed && COMPOUND_FORMAT.test(v)) return { ok: true };
  return { ok: false, reason: 'is not a duration the SDK understands' };
}

/** What each descriptor means, for the message: Inngest takes the five fields only. */
const CRON_DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

interface CronField {
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const CRON_FIELDS: readonly CronField[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day-of-month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { label: 'day-of-week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** A number or (month, weekday) name of one field, or undefined. */
function cronValue(text: string, f: CronField): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const i = f.names?.indexOf(text.toLowerCase()) ?? -1;
  return i >= 0 ? f.min + i : undefined;
}

/** Why one field is not one Inngest's scheduler reads (lists of `*`, `?`, `a`, `a-b`, each with an optional `/step`). */
function cronFieldProblem(token: string, f: CronField): string | undefined {
  for (const part of token.split(',')) {
    const [range = '', step, extra] = part.split('/');
    if (extra !== undefined) return 'has more than one "/"';
    let lo: number | undefined;
    let hi: number | undefined;
    if (range === '*' || range === '?') {
      lo = f.min;
      hi = f.max;
    } else {
      const [a = '', b, more] = range.split('-');
      if (more !== undefined) return 'has more than one "-" in a range';
      lo = cronValue(a, f);
      hi = b === undefined ? (step !== undefined ? f.max : lo) : cronValue(b, f);
      if (lo === undefined || hi === undefined) return `uses "${part}", which is not a number${f.names ? ' or a name' : ''} from ${f.min} to ${f.max}`;
    }
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return `has the step "/${step}", which is not a positive number`;
    if (lo < f.min || hi > f.max) return `is out of range (${f.min}-${f.max}${f.label === 'day-of-week' ? ', Sunday is 0' : ''})`;
    if (lo > hi) return `has a range that ends before it starts ("${range}")`;
  }
  return undefined;
}

export type CronProblem = { ok: true; timezone?: string; pattern: string } | { ok: false; reason: string };

/**
 * A cron line as the Inngest server validates it when an app syncs (a five-field parser: minute,
 * hour, day of month, month, day of week; no seconds, no @descriptors, no L/W/#), with an optional
 * `TZ=Area/City ` or `CRON_TZ=` prefix. Anything else makes the sync fail in Inngest.
 */
export function checkCron(value: string): CronProblem {
  let v = value.trim();
  let timezone: string | undefined;
  const tz = /^(?:CRON_)?TZ=(\S+)\s+/.exec(v);
  if (tz) {
    timezone = tz[1]!;
    v = v.slice(tz[0].length);
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      return { ok: false, reason: `names an unknown time zone "${timezone}" (use an IANA name such as "Europe/Paris")` };
    }
  }
  if (v.startsWith('@')) {
    const same = CRON_DESCRIPTORS[v.toLowerCase()];
    return {
      ok: false,
      reason: same
        ? `uses the descriptor "${v}", which Inngest does not accept; write the five fields instead: "${same}"`
        : `uses "${v}", which is not a cron line (Inngest takes five fields, e.g. "0 9 * * *")`,
    };
  }
  const fields = v.split(/\s+/).filter(Boolean);
  if (fields.length === 6) {
    return { ok: false, reason: 'has 6 fields; Inngest schedules by the minute and takes five (minute hour day-of-month month day-of-week), no seconds field' };
  }
  if (fields.length !== 5) {
    return { ok: false, reason: `has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron line has five (minute hour day-of-month month day-of-week)` };
  }
  for (let i = 0; i < 5; i++) {
    const f = CRON_FIELDS[i]!;
    const problem = cronFieldProblem(fields[i]!, f);
    if (problem) return { ok: false, reason: `has an invalid ${f.label} field ("${fields[i]}"): it ${problem}` };
  }
  try {
    new Cron(v, { paused: true });
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).replace(/^Cron\w*:\s*/, '');
    return { ok: false, reason: `is not a valid cron line (${msg.charAt(0).toLowerCase()}${msg.slice(1)})` };
  }
  return { ok: true, timezone, pattern: v };
}

/** A path read on `event` or `async` inside an expression, with offsets in the expression text. */
export interface ExprPath {
  root: 'event' | 'async';
  path: string[];
  /** Offset range of each path segment (after root) in the expression text. */
  segments: { start: number; end: number }[];
}

export type ExprResult = { ok: true; paths: ExprPath[] } | { ok: false; message: string; start: number; end: number };

/**
 * Results by expression text: the same expressions recur across functions (keys, `if` conditions),
 * and the CEL parser is costly code at start-up. Bounded; callers get their own copies.
 */
const exprMemo = new Map<string, ExprResult>();
const EXPR_MEMO_MAX = 2000;

export function checkExpression(expr: string): ExprResult {
  let r = exprMemo.get(expr);
  if (!r) {
    r = parseExpression(expr);
    if (exprMemo.size >= EXPR_MEMO_MAX) exprMemo.clear();
    exprMemo.set(expr, r);
  }
  return r.ok ? { ok: true, paths: r.paths.map((p) => ({ root: p.root, path: [...p.path], segments: p.segments.map((s) => ({ ...s })) })) } : { ...r };
}

function parseExpression(expr: string): ExprResult {
  let ast: ASTNode;
  try {
    ast = parseCel(expr).ast;
  } catch (err) {
    const e = err as { summary?: unknown; message?: unknown; range?: { start: number; end: number } };
    const message = typeof e.summary === 'string' && e.summary ? e.summary : String(e.message ?? err).split('\n')[0]!;
    const start = e.range?.start ?? 0;
    const end = Math.max(start, e.range?.end ?? expr.length);
    return { ok: false, message, start, end };
  }
  const paths: ExprPath[] = [];
  collectPaths(ast, paths, 0);
  return { ok: true, paths };
}

function collectPaths(n: ASTNode, out: ExprPath[], depth: number): void {
  if (depth > 200) return;
  if (n.op === '.' || n.op === '.?') {
    const chain = dotChain(n);
    if (chain) {
      out.push(chain);
      return;
    }
  }
  const args = n.args as unknown;
  const visit = (x: unknown): void => {
    if (x && typeof x === 'object' && 'op' in x) collectPaths(x as ASTNode, out, depth + 1);
    else if (Array.isArray(x)) for (const y of x) visit(y);
  };
  visit(args);
}

function dotChain(n: ASTNode): ExprPath | undefined {
  const names: string[] = [];
  const segs: { start: number; end: number }[] = [];
  let cur: ASTNode = n;
  while (cur.op === '.' || cur.op === '.?') {
    const [inner, name] = cur.args as [ASTNode, string];
    names.unshift(name);
    segs.unshift({ start: cur.end - name.length, end: cur.end });
    cur = inner;
  }
  if (cur.op === 'id' && (cur.args === 'event' || cur.args === 'async')) {
    return { root: cur.args, path: names, segments: segs };
  }
  return undefined;
}
