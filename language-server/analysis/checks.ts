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

const CRON_DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

export type CronProblem = { ok: true; timezone?: string; pattern: string } | { ok: false; reason: string };

/** A cron line as Inngest reads it: optional `TZ=Area/City ` prefix, then 5 (or 6, with seconds) fields. */
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
    if (CRON_DESCRIPTORS.has(v.toLowerCase())) return { ok: true, timezone, pattern: v };
    return { ok: false, reason: `uses an unknown descriptor "${v}" (use @hourly, @daily, @weekly, @monthly or @yearly)` };
  }
  const fields = v.split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6) {
    return { ok: false, reason: `has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron line has five (minute hour day-of-month month day-of-week)` };
  }
  try {
    new Cron(v, { paused: true });
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).replace(/^Cron\w*:\s*/, '');
    const m = /^Invalid value for (\S+?):?\s+(.*)$/i.exec(msg);
    if (m) {
      const field = m[1] === 'day' ? 'dayOfMonth' : m[1]!;
      const idx = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'].indexOf(field);
      const token = idx >= 0 ? fields[idx + (fields.length === 6 ? 1 : 0)] : undefined;
      const label = field.replace(/([A-Z])/g, (c) => `-${c.toLowerCase()}`);
      return { ok: false, reason: `has an invalid ${label} field${token ? ` ("${token}")` : ''}` };
    }
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
