// FlowControl: the one object the engine talks to (see README.md for the integration plan).
//
// It decides, per (function, event), whether a run starts now, starts later (throttle), is skipped
// (rateLimit, idempotency, singleton skip), is merged into a pending debounce or batch, or replaces
// an active run (singleton cancel); whether a queue item may execute now (concurrency); which runs an
// incoming event cancels (cancelOn); and when crons fire. It owns no timers and does no I/O: it
// returns timers and deadlines as data, and its whole state is `snapshot()` (plain JSON).

import { Batcher, type BatchEntry } from './batch';
import { batchBuffer, debounceBuffer, type PendingBuffer } from './buffers';
import { CancelMatcher, createCancelPauses, finishDeadline, startDeadline, timeoutReason, type CancelPause } from './cancel';
import { Concurrency, resolveBuckets, type ConcurrencyBucket } from './concurrency';
import { parseFlowConfig, type FlowFnConfig, type FlowFunctionInput } from './config';
import { CronScheduler, type CronFire, type CronPlanEntry } from './cron';
import { Debouncer, type DebounceEntry } from './debounce';
import { createCelEvaluator, type ExprEvaluator } from './expr';
import { Idempotency } from './idempotency';
import { priorityFactor } from './priority';
import { RateLimiter } from './ratelimit';
import { Singleton } from './singleton';
import { Throttle } from './throttle';
import type { FlowConfigError, FlowClock, FlowEvent, FlowTimer, RunHold } from './types';

export * from './types';
export { ExpressionError, createCelEvaluator } from './expr';
export { CronError, parseCron, nextFireTimes, SCHEDULED_TIMER_EVENT } from './cron';
export { compareQueued, effectiveTime } from './priority';
export type { FlowFunctionInput, FlowFnConfig } from './config';
export type { ConcurrencyBucket } from './concurrency';
export type { CancelPause } from './cancel';
export type { PendingBuffer } from './buffers';
export type { CronFire, CronPlanEntry } from './cron';

/** What flow control knows about one run; persist it with the run (plain data). */
export interface FlowRunInfo {
  runId: string;
  fnId: string;
  queuedAt: number;
  /** When the run may start (throttle); == queuedAt when not delayed. */
  startAt: number;
  /** Priority factor in seconds (±43200). Order queue items with `compareQueued`. */
  priority: number;
  buckets: ConcurrencyBucket[];
  /** timeouts.start: cancel if not started by then. */
  startBy?: number;
  /** timeouts.finish: set by `onRunStarted`. */
  finishBy?: number;
  /** Why the start is delayed (throttle), while `startAt` is in the future. */
  startHold?: RunHold;
  /** Set by `onRunStarted`. */
  startedAt?: number;
}

export type EventDecision =
  | {
      kind: 'start';
      fnId: string;
      runId: string;
      /** `events[0]` is the run's `event`; a batch has several. */
      events: FlowEvent[];
      /** Start now when <= now; otherwise hold the run as Queued with `hold` until then. */
      startAt: number;
      hold?: RunHold;
      run: FlowRunInfo;
      /** Runs to cancel first (singleton mode cancel), with the reason to record on them. */
      cancelRuns: { runId: string; reason: string }[];
      /** A debounce/batch timer that is now moot. */
      clearTimer?: string;
      warnings: string[];
    }
  | {
      kind: 'skip';
      fnId: string;
      rule: RunHold['rule'];
      reason: string;
      /** Set when a pending debounce/batch run (shown as Queued) is dropped by this skip. */
      runId?: string;
      warnings: string[];
    }
  | {
      kind: 'merged';
      fnId: string;
      rule: 'debounce' | 'batchEvents';
      /** The run that will start when the debounce/batch fires (show it as Queued with `hold`). */
      runId: string;
      /** Whether this event opened the debounce/batch (the run is new). */
      created: boolean;
      hold: RunHold;
      /** Set (or move) this timer; hand it back to `onTimer` when it fires. */
      timer: FlowTimer;
      reason: string;
      warnings: string[];
    };

export type TimerOutcome = EventDecision | { kind: 'reschedule'; timer: FlowTimer } | { kind: 'none' };

export type DispatchDecision = { kind: 'allowed' } | { kind: 'held'; hold: RunHold };

export interface FlowState {
  version: 1;
  throttle: Record<string, number>;
  rateLimit: Record<string, number>;
  debounce: Record<string, DebounceEntry>;
  batch: Record<string, BatchEntry>;
  idempotency: Record<string, { until: number; runId: string }>;
  singleton: Record<string, string>;
  cancelPauses: CancelPause[];
  cronLastFired: Record<string, number>;
  runs: Record<string, FlowRunInfo>;
}

export interface FlowControlOptions {
  clock: FlowClock;
  /** Mints run ids (the engine's ULIDs). */
  newRunId: () => string;
  evaluator?: ExprEvaluator;
  /** Environment name for `scope: "env"` concurrency. */
  env?: string;
  /** A previous `snapshot()`, to resume after a restart. */
  state?: FlowState;
  /**
   * Without an `idempotency` key, also refuse a second run of a function for the same event id within
   * 24 h (what Inngest does internally). Off by default: the executor's event API already drops
   * repeated event ids, and keeping a key per run would grow the persisted state with history.
   */
  eventIdIdempotency?: boolean;
}

export interface SyncResult {
  /** Functions whose config could not be used: they keep their previous settings (or none). */
  errors: FlowConfigError[];
  /** The cron plan after this sync. */
  crons: CronPlanEntry[];
  /** Accepted, but worth showing (e.g. a cron with seconds). */
  warnings: string[];
  /** Pending debounces/batches dropped because their function is gone. */
  dropped: { runId: string; fnId: string; rule: 'debounce' | 'batchEvents' }[];
}

export class FlowControl {
  private readonly clock: FlowClock;
  private readonly newRunId: () => string;
  private readonly evaluator: ExprEvaluator;
  private readonly env: string;
  private readonly fns = new Map<string, FlowFnConfig>();
  private readonly fnApp = new Map<string, string>();
  private readonly throttle: Throttle;
  private readonly rateLimiter: RateLimiter;
  private readonly debouncer: Debouncer;
  private readonly batcher: Batcher;
  private readonly idempotency: Idempotency;
  private readonly singleton: Singleton;
  private readonly concurrency = new Concurrency();
  private readonly cancels: CancelMatcher;
  private readonly cron: CronScheduler;
  private readonly runs: Record<string, FlowRunInfo>;
  private readonly eventIdIdempotency: boolean;

  constructor(opts: FlowControlOptions) {
    this.eventIdIdempotency = opts.eventIdIdempotency ?? false;
    this.clock = opts.clock;
    this.newRunId = opts.newRunId;
    this.evaluator = opts.evaluator ?? createCelEvaluator();
    this.env = opts.env ?? 'dev';
    const s = opts.state ? structuredClone(opts.state) : undefined;
    this.throttle = new Throttle(s?.throttle);
    this.rateLimiter = new RateLimiter(s?.rateLimit);
    this.debouncer = new Debouncer(s?.debounce);
    this.batcher = new Batcher(s?.batch);
    this.idempotency = new Idempotency(s?.idempotency);
    this.singleton = new Singleton(s?.singleton);
    this.cancels = new CancelMatcher(this.evaluator, s?.cancelPauses ?? []);
    this.cron = new CronScheduler(s?.cronLastFired ?? {});
    this.runs = s?.runs ?? {};
  }

  // --- Sync ------------------------------------------------------------------------------------

  /** Checks one function's config without changing anything. */
  validate(fn: FlowFunctionInput): FlowConfigError[] {
    const r = parseFlowConfig(fn, this.evaluator);
    return r.ok ? [] : r.errors;
  }

  /**
   * Replaces the functions of one app (call on every sync). A function whose config has errors keeps
   * its previous settings; functions of the app no longer registered are removed. Re-plans crons.
   */
  syncApp(appId: string, fns: FlowFunctionInput[]): SyncResult {
    const errors: FlowConfigError[] = [];
    const dropped: SyncResult['dropped'] = [];
    const present = new Set(fns.map((f) => f.id));
    for (const [id, app] of this.fnApp) {
      if (app !== appId || present.has(id)) continue;
      this.fns.delete(id);
      this.fnApp.delete(id);
      for (const e of this.debouncer.dropFunction(id)) dropped.push({ runId: e.runId, fnId: id, rule: 'debounce' });
      for (const e of this.batcher.dropFunction(id)) dropped.push({ runId: e.runId, fnId: id, rule: 'batchEvents' });
    }
    for (const fn of fns) {
      const r = parseFlowConfig(fn, this.evaluator);
      if (!r.ok) {
        errors.push(...r.errors);
        if (!this.fns.has(fn.id)) this.fnApp.set(fn.id, appId);
        continue;
      }
      this.fns.set(fn.id, r.value);
      this.fnApp.set(fn.id, appId);
    }
    const plan = this.cron.plan(
      [...this.fns.values()].map((f) => ({ id: f.fnId, triggers: f.crons.map((cron) => ({ cron })) })),
      this.clock.now(),
    );
    return { errors, crons: plan.entries, warnings: plan.warnings, dropped };
  }

  config(fnId: string): FlowFnConfig | undefined {
    return this.fns.get(fnId);
  }

  /** Whether any flow-control setting applies to the function (false: its runs need no bookkeeping). */
  hasFlowControl(fnId: string): boolean {
    const c = this.fns.get(fnId);
    if (!c) return false;
    return !!(
      c.concurrency.some((l) => l.limit > 0) ||
      c.throttle ||
      c.rateLimit ||
      c.debounce ||
      c.batch ||
      c.idempotency ||
      c.singleton ||
      c.priority ||
      c.cancel.length ||
      c.timeouts.startMs !== undefined ||
      c.timeouts.finishMs !== undefined ||
      this.eventIdIdempotency
    );
  }

  // --- Events ----------------------------------------------------------------------------------

  /**
   * An event matched a trigger of `fnId`. `invoked` (inngest/function.invoked) and cron fires skip
   * debounce and batching.
   */
  onEvent(fnId: string, event: FlowEvent, opts: { invoked?: boolean } = {}): EventDecision {
    const now = this.clock.now();
    const cfg = this.fns.get(fnId);
    if (cfg?.batch && !opts.invoked) {
      const p = this.batcher.push(fnId, cfg.batch, event, now, this.newRunId);
      const warnings = p.warning ? [p.warning] : [];
      if (p.kind === 'open') {
        return { kind: 'merged', fnId, rule: 'batchEvents', runId: p.entry.runId, created: p.created, hold: p.hold, timer: p.timer, reason: p.hold.detail, warnings };
      }
      if (p.kind === 'full') return this.startPipeline(cfg, fnId, p.entry.events, now, { runId: p.entry.runId, batchId: p.entry.runId, clearTimer: p.entry.timerId, warnings });
      return this.startPipeline(cfg, fnId, [event], now, { warnings: [...warnings, p.reason] });
    }
    if (cfg?.debounce && !opts.invoked) {
      const p = this.debouncer.push(fnId, cfg.debounce, event, now, this.newRunId);
      const warnings = [p.warning, p.ignored].filter((x): x is string => !!x);
      return { kind: 'merged', fnId, rule: 'debounce', runId: p.entry.runId, created: p.created, hold: p.hold, timer: p.timer, reason: p.ignored ?? p.hold.detail, warnings };
    }
    return this.startPipeline(cfg, fnId, [event], now, { warnings: [] });
  }

  /** A debounce or batch timer fired. */
  onTimer(timer: FlowTimer): TimerOutcome {
    const now = this.clock.now();
    const cfg = this.fns.get(timer.fnId);
    const fired = timer.kind === 'debounce' ? this.debouncer.fire(timer.id, now) : this.batcher.fire(timer.id, now);
    if (fired.kind === 'gone') return { kind: 'none' };
    if (fired.kind === 'reschedule') return fired;
    if ('event' in fired.entry) {
      const e = fired.entry as DebounceEntry;
      return this.startPipeline(cfg, e.fnId, [e.event], now, { runId: e.runId, warnings: [] });
    }
    const b = fired.entry as BatchEntry;
    return this.startPipeline(cfg, b.fnId, b.events, now, { runId: b.runId, batchId: b.runId, warnings: [] });
  }

  /** Timers the engine must (re)arm, e.g. after a restart. */
  pendingTimers(): FlowTimer[] {
    return [
      ...this.debouncer.pending().map((e): FlowTimer => ({ id: e.timerId, kind: 'debounce', fnId: e.fnId, at: e.fireAt })),
      ...this.batcher.pending().map((e): FlowTimer => ({ id: e.timerId, kind: 'batch', fnId: e.fnId, at: e.fireAt })),
    ];
  }

  /** Open debounces and batches, for the UI (which events wait for which function, until when). */
  pendingBuffers(): PendingBuffer[] {
    return [
      ...this.batcher.pending().map((e) => batchBuffer(e, this.fns.get(e.fnId)?.batch?.maxSize)),
      ...this.debouncer.pending().map(debounceBuffer),
    ];
  }

  /** A rerun (replay) or a run created outside event fan-out: no skip rules, only run bookkeeping. */
  registerRun(fnId: string, runId: string, events: FlowEvent[]): FlowRunInfo {
    const now = this.clock.now();
    return this.prepareRun(this.fns.get(fnId), fnId, runId, events, now, now, []);
  }

  private startPipeline(
    cfg: FlowFnConfig | undefined,
    fnId: string,
    events: FlowEvent[],
    now: number,
    o: { runId?: string; batchId?: string; clearTimer?: string; warnings: string[] },
  ): EventDecision {
    const warnings = [...o.warnings];
    const first = events[0]!;
    const skip = (rule: RunHold['rule'], reason: string): EventDecision => ({ kind: 'skip', fnId, rule, reason, ...(o.runId ? { runId: o.runId } : {}), warnings });

    const useIdem = !!cfg?.idempotency || this.eventIdIdempotency;
    const idem = useIdem ? this.idempotency.check(fnId, cfg?.idempotency, first, now, o.batchId) : undefined;
    if (idem?.warning) warnings.push(idem.warning);
    if (idem?.duplicate) return skip('idempotency', idem.reason);

    const cancelRuns: { runId: string; reason: string }[] = [];
    let lock: string | undefined;
    if (cfg?.singleton) {
      const s = this.singleton.check(fnId, cfg.singleton, first);
      if (s.warning) warnings.push(s.warning);
      if (s.kind === 'skip') return skip('singleton', s.reason);
      if (s.kind === 'replace') cancelRuns.push({ runId: s.activeRunId, reason: s.reason });
      lock = s.lock;
    }

    if (cfg?.rateLimit) {
      const r = this.rateLimiter.check(fnId, cfg.rateLimit, first, now);
      if (r.warning) warnings.push(r.warning);
      if (!r.allowed) return skip('rateLimit', r.reason);
    }

    const runId = o.runId ?? this.newRunId();
    if (idem) this.idempotency.commit(idem.key, runId, now);
    if (lock !== undefined) {
      for (const c of cancelRuns) this.onRunFinished(c.runId);
      this.singleton.acquire(lock, runId);
    }

    let startAt = now;
    let hold: RunHold | undefined;
    if (cfg?.throttle) {
      const t = this.throttle.book(fnId, cfg.throttle, first, now);
      if (t.warning) warnings.push(t.warning);
      startAt = t.startAt;
      hold = t.hold;
    }
    const run = this.prepareRun(cfg, fnId, runId, events, now, startAt, warnings);
    if (hold) run.startHold = hold;
    return {
      kind: 'start',
      fnId,
      runId,
      events,
      startAt,
      ...(hold ? { hold } : {}),
      run,
      cancelRuns,
      ...(o.clearTimer ? { clearTimer: o.clearTimer } : {}),
      warnings,
    };
  }

  private prepareRun(cfg: FlowFnConfig | undefined, fnId: string, runId: string, events: FlowEvent[], now: number, startAt: number, warnings: string[]): FlowRunInfo {
    const first = events[0]!;
    const p = priorityFactor(cfg?.priority, first);
    if (p.warning) warnings.push(p.warning);
    const b = resolveBuckets(fnId, this.env, cfg?.concurrency ?? [], first);
    warnings.push(...b.warnings);
    if (cfg?.cancel.length) {
      const c = createCancelPauses(runId, fnId, cfg.cancel, first, now, this.evaluator);
      warnings.push(...c.warnings);
      this.cancels.add(c.pauses);
    }
    const startBy = cfg ? startDeadline(now, cfg.timeouts) : undefined;
    const run: FlowRunInfo = { runId, fnId, queuedAt: now, startAt, priority: p.seconds, buckets: b.buckets, ...(startBy !== undefined ? { startBy } : {}) };
    this.runs[runId] = run;
    return run;
  }

  // --- Runs and queue items --------------------------------------------------------------------

  /** Before executing a queue item (a step or discovery call) of a run. */
  onStepDispatch(runId: string, itemId: string, order?: number): DispatchDecision {
    const run = this.runs[runId];
    if (!run || run.buckets.length === 0) return { kind: 'allowed' };
    const r = this.concurrency.acquire(itemId, run.buckets, order ?? run.queuedAt - run.priority * 1000);
    return r.ok ? { kind: 'allowed' } : { kind: 'held', hold: r.hold };
  }

  /** A queue item finished executing (any outcome). Returns held items to retry, best first. */
  onRelease(itemId: string): string[] {
    return this.concurrency.release(itemId);
  }

  /** A held queue item will not run any more (its run was cancelled). */
  onItemDropped(itemId: string): void {
    this.concurrency.forgetWaiting(itemId);
    this.concurrency.release(itemId);
  }

  /** The run made its first SDK call. Returns its finish deadline (timeouts.finish), if any. */
  onRunStarted(runId: string): { finishBy?: number } {
    const run = this.runs[runId];
    const cfg = run ? this.fns.get(run.fnId) : undefined;
    if (!run) return {};
    if (run.startedAt !== undefined) return run.finishBy !== undefined ? { finishBy: run.finishBy } : {};
    run.startedAt = this.clock.now();
    delete run.startBy;
    delete run.startHold;
    if (!cfg) return {};
    const finishBy = finishDeadline(run.startedAt, cfg.timeouts);
    if (finishBy !== undefined) run.finishBy = finishBy;
    delete run.startBy;
    return finishBy !== undefined ? { finishBy } : {};
  }

  /**
   * Checks a run's deadlines at `now` (call when a deadline timer fires). Returns the cancellation
   * reason when `timeouts.start` or `timeouts.finish` has passed.
   */
  checkDeadlines(runId: string): { cancel: true; reason: string } | { cancel: false } {
    const run = this.runs[runId];
    const cfg = run ? this.fns.get(run.fnId) : undefined;
    if (!run || !cfg) return { cancel: false };
    const now = this.clock.now();
    if (run.startBy !== undefined && now >= run.startBy) return { cancel: true, reason: timeoutReason('start', cfg.timeouts) };
    if (run.finishBy !== undefined && now >= run.finishBy) return { cancel: true, reason: timeoutReason('finish', cfg.timeouts) };
    return { cancel: false };
  }

  /** The run ended (completed, failed, cancelled): frees its singleton lock and cancel pauses. */
  onRunFinished(runId: string): void {
    this.singleton.release(runId);
    this.cancels.removeRun(runId);
    delete this.runs[runId];
  }

  /**
   * Renames a run everywhere flow control refers to it (run info, singleton lock, cancel pauses,
   * idempotency record). For engines that mint their own run id after admission.
   */
  rebindRun(fromId: string, toId: string): void {
    if (fromId === toId) return;
    const run = this.runs[fromId];
    if (run) {
      delete this.runs[fromId];
      this.runs[toId] = { ...run, runId: toId };
    }
    this.singleton.rebind(fromId, toId);
    this.idempotency.rebind(fromId, toId);
    this.cancels.rebind(fromId, toId);
  }

  run(runId: string): FlowRunInfo | undefined {
    return this.runs[runId];
  }

  /** Runs flow control tracks (created, not finished): to re-arm deadlines after a restart. */
  activeRuns(): FlowRunInfo[] {
    return Object.values(this.runs);
  }

  /** Every received event: the runs it cancels through cancelOn (call the engine's cancel for each). */
  matchCancellations(event: FlowEvent): { runId: string; reason: string }[] {
    const { matches } = this.cancels.match(event, this.clock.now());
    return matches.map((m) => ({ runId: m.runId, reason: m.reason }));
  }

  // --- Cron ------------------------------------------------------------------------------------

  /** When to call `dueCrons` next. */
  nextCronWake(): number | undefined {
    return this.cron.nextWake();
  }

  /** Cron fires due now; send each `event` to its function (persist `snapshot()` after). */
  dueCrons(): CronFire[] {
    return this.cron.due(this.clock.now());
  }

  nextCronRuns(fnId: string): number[] {
    return this.cron.nextRunsOf(fnId);
  }

  // --- Persistence -----------------------------------------------------------------------------

  snapshot(): FlowState {
    const now = this.clock.now();
    return {
      version: 1,
      throttle: this.throttle.snapshot(now),
      rateLimit: this.rateLimiter.snapshot(now),
      debounce: this.debouncer.snapshot(),
      batch: this.batcher.snapshot(),
      idempotency: this.idempotency.snapshot(now),
      singleton: this.singleton.snapshot(),
      cancelPauses: this.cancels.pauses(now),
      cronLastFired: this.cron.lastFired(),
      runs: structuredClone(this.runs),
    };
  }

  async dispose(): Promise<void> {
    // Nothing to stop: no timers, no I/O.
  }
}
