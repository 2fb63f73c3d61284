// Reads a function's registered config (PROTOCOL §2.3: `concurrency`, `throttle`, `rateLimit`,
// `debounce`, `batchEvents`, `idempotency`, `priority`, `timeouts`, `cancel`, `singleton`, cron
// triggers) into typed settings with compiled expressions. Every problem is collected as a
// FlowConfigError naming the field and saying what is wrong; a function with any error is not
// (re)registered, so its previous settings stay in force.

import { ExpressionError, type CompiledExpr, type ExprEvaluator } from './expr';
import type { BatchConfig } from './batch';
import { CANCEL_DEFAULT_TIMEOUT_MS, MAX_CANCELLATIONS, type CancelConfig, type TimeoutsConfig } from './cancel';
import type { ConcurrencyLimitConfig, ConcurrencyScope } from './concurrency';
import { parseCron } from './cron';
import type { DebounceConfig } from './debounce';
import type { RateLimitConfig } from './ratelimit';
import type { SingletonConfig } from './singleton';
import type { ThrottleConfig } from './throttle';
import { describe, FlowConfigError, parseDuration } from './types';

export interface FlowFunctionInput {
  /** Function slug `<appId>-<fnId>`. */
  id: string;
  triggers?: ({ event: string; expression?: string } | { cron: string; jitter?: string })[];
  /** The registration config as the SDK sent it (`FunctionInfo.config`). */
  config: Record<string, unknown>;
}

export interface FlowFnConfig {
  fnId: string;
  concurrency: ConcurrencyLimitConfig[];
  throttle?: ThrottleConfig;
  rateLimit?: RateLimitConfig;
  debounce?: DebounceConfig;
  batch?: BatchConfig;
  idempotency?: CompiledExpr;
  singleton?: SingletonConfig;
  priority?: CompiledExpr;
  cancel: CancelConfig[];
  timeouts: TimeoutsConfig;
  /** Cron trigger strings (validated). */
  crons: string[];
}

export const MAX_CONCURRENCY_LIMITS = 2;
const DAY = 86_400_000;

type Result = { ok: true; value: FlowFnConfig } | { ok: false; errors: FlowConfigError[] };

export function parseFlowConfig(fn: FlowFunctionInput, evaluator: ExprEvaluator): Result {
  const errors: FlowConfigError[] = [];
  const c = fn.config ?? {};
  const fail = (field: string, msg: string, cause?: unknown): undefined => {
    errors.push(new FlowConfigError(fn.id, field, msg, cause === undefined ? undefined : { cause }));
    return undefined;
  };
  const expr = (field: string, v: unknown): CompiledExpr | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') return fail(field, `expected a CEL expression string, got ${describe(v)}`);
    try {
      return evaluator.compile(v);
    } catch (err) {
      return fail(field, err instanceof ExpressionError ? err.message : String(err), err);
    }
  };
  const dur = (field: string, v: unknown, opts: { min?: number; max?: number; required?: boolean } = {}): number | undefined => {
    if (v === undefined || v === null || v === '') {
      if (opts.required) fail(field, 'is required (a duration such as "10s")');
      return undefined;
    }
    let ms: number;
    try {
      ms = parseDuration(v);
    } catch (err) {
      return fail(field, err instanceof Error ? err.message : String(err), err);
    }
    if (opts.min !== undefined && ms < opts.min) return fail(field, `${String(v)} is shorter than the minimum ${opts.min / 1000}s`);
    if (opts.max !== undefined && ms > opts.max) return fail(field, `${String(v)} is longer than the maximum ${opts.max / DAY}d`);
    return ms;
  };
  const int = (field: string, v: unknown, min: number): number | undefined => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) return fail(field, `expected an integer >= ${min}, got ${describe(v)}`);
    return v;
  };
  const obj = (field: string, v: unknown): Record<string, unknown> | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) return fail(field, `expected an object, got ${describe(v)}`);
    return v as Record<string, unknown>;
  };

  // concurrency: number | object | object[] (at most 2)
  const concurrency: ConcurrencyLimitConfig[] = [];
  const rawC = c.concurrency;
  if (rawC !== undefined && rawC !== null) {
    const list = typeof rawC === 'number' ? [{ limit: rawC }] : Array.isArray(rawC) ? rawC : [rawC];
    if (list.length > MAX_CONCURRENCY_LIMITS) fail('concurrency', `has ${list.length} limits; at most ${MAX_CONCURRENCY_LIMITS} are allowed`);
    list.slice(0, MAX_CONCURRENCY_LIMITS).forEach((raw, i) => {
      const f = Array.isArray(rawC) ? `concurrency[${i}]` : 'concurrency';
      const o = typeof raw === 'number' ? { limit: raw } : obj(f, raw);
      if (!o) return;
      const limit = int(`${f}.limit`, o.limit ?? 0, 0);
      const scope = (o.scope ?? 'fn') as ConcurrencyScope;
      if (!['fn', 'env', 'account'].includes(scope)) fail(`${f}.scope`, `must be "fn", "env" or "account", got ${describe(o.scope)}`);
      const key = expr(`${f}.key`, o.key);
      if (limit !== undefined) concurrency.push({ limit, scope, ...(key ? { key } : {}) });
    });
  }

  const out: FlowFnConfig = { fnId: fn.id, concurrency, cancel: [], timeouts: {}, crons: [] };

  const th = obj('throttle', c.throttle);
  if (th) {
    const limit = int('throttle.limit', th.limit, 1);
    const periodMs = dur('throttle.period', th.period, { min: 1000, max: 7 * DAY, required: true });
    const burst = th.burst === undefined ? 0 : int('throttle.burst', th.burst, 0);
    const key = expr('throttle.key', th.key);
    if (limit !== undefined && periodMs !== undefined && burst !== undefined) out.throttle = { limit, periodMs, burst, ...(key ? { key } : {}) };
  }

  const rl = obj('rateLimit', c.rateLimit);
  if (rl) {
    const limit = int('rateLimit.limit', rl.limit, 1);
    const periodMs = dur('rateLimit.period', rl.period, { min: 1000, max: DAY, required: true });
    const key = expr('rateLimit.key', rl.key);
    if (limit !== undefined && periodMs !== undefined) out.rateLimit = { limit, periodMs, ...(key ? { key } : {}) };
  }

  const db = obj('debounce', c.debounce);
  if (db) {
    const periodMs = dur('debounce.period', db.period, { min: 1000, max: 7 * DAY, required: true });
    const timeoutMs = dur('debounce.timeout', db.timeout, { min: 1000, max: 7 * DAY });
    const key = expr('debounce.key', db.key);
    if (periodMs !== undefined) out.debounce = { periodMs, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(key ? { key } : {}) };
  }

  const be = obj('batchEvents', c.batchEvents);
  if (be) {
    const maxSize = int('batchEvents.maxSize', be.maxSize, 1);
    const timeoutMs = dur('batchEvents.timeout', be.timeout, { min: 1000, required: true });
    const key = expr('batchEvents.key', be.key);
    const iff = expr('batchEvents.if', be.if);
    if (maxSize !== undefined && timeoutMs !== undefined) out.batch = { maxSize, timeoutMs, ...(key ? { key } : {}), ...(iff ? { if: iff } : {}) };
  }

  const idem = expr('idempotency', c.idempotency);
  if (idem) out.idempotency = idem;

  const sg = obj('singleton', c.singleton);
  if (sg) {
    const mode = sg.mode;
    if (mode !== 'skip' && mode !== 'cancel') fail('singleton.mode', `must be "skip" or "cancel", got ${describe(mode)}`);
    const key = expr('singleton.key', sg.key);
    if (mode === 'skip' || mode === 'cancel') out.singleton = { mode, ...(key ? { key } : {}) };
  }

  const pr = obj('priority', c.priority);
  if (pr) {
    const run = expr('priority.run', pr.run);
    if (run) out.priority = run;
  }

  const to = obj('timeouts', c.timeouts);
  if (to) {
    const startMs = dur('timeouts.start', to.start);
    const finishMs = dur('timeouts.finish', to.finish);
    out.timeouts = { ...(startMs !== undefined ? { startMs } : {}), ...(finishMs !== undefined ? { finishMs } : {}) };
  }

  const rawCancel = c.cancel ?? c.cancelOn;
  if (rawCancel !== undefined && rawCancel !== null) {
    if (!Array.isArray(rawCancel)) fail('cancel', `expected an array, got ${describe(rawCancel)}`);
    else {
      if (rawCancel.length > MAX_CANCELLATIONS) fail('cancel', `has ${rawCancel.length} entries; at most ${MAX_CANCELLATIONS} are allowed`);
      rawCancel.slice(0, MAX_CANCELLATIONS).forEach((raw, i) => {
        const o = obj(`cancel[${i}]`, raw);
        if (!o) return;
        if (typeof o.event !== 'string' || o.event === '') {
          fail(`cancel[${i}].event`, `expected an event name, got ${describe(o.event)}`);
          return;
        }
        const timeoutMs = dur(`cancel[${i}].timeout`, o.timeout, { max: 366 * DAY }) ?? CANCEL_DEFAULT_TIMEOUT_MS;
        let iff: string | undefined;
        if (o.if !== undefined && o.if !== null && o.if !== '') {
          if (typeof o.if !== 'string') fail(`cancel[${i}].if`, `expected a CEL expression string, got ${describe(o.if)}`);
          else if (expr(`cancel[${i}].if`, o.if)) iff = o.if;
        }
        out.cancel.push({ event: o.event, timeoutMs, ...(iff !== undefined ? { if: iff } : {}) });
      });
    }
  }

  (fn.triggers ?? []).forEach((t, i) => {
    if (!('cron' in t)) return;
    try {
      parseCron(t.cron);
      out.crons.push(t.cron);
    } catch (err) {
      fail(`triggers[${i}].cron`, err instanceof Error ? err.message : String(err), err);
    }
  });

  return errors.length ? { ok: false, errors } : { ok: true, value: out };
}
