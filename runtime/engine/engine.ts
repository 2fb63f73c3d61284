// The run loop (PROTOCOL §6): takes queue items, calls the app, and turns what comes back into
// stored state and new queue items. Every decision is one store transaction, committed in decision
// order. What is acknowledged outside (an event's ids, a checkpoint's 200) waits for its commit;
// the next SDK request of a run may leave in the same event-loop turn, just before the commit of the
// result it carries (Store.txDeferred): a crash in between runs that step again (at-least-once).
import type { RunStatus, SdkExchange, SerializedError, StepInfo } from '../api';
import type { EventBus } from '../bus';
import type { Clock } from '../clock';
import { FINISHED_EVENT, type FunctionRegistry } from '../functions';
import type { Logger } from '../log';
import type { FunctionRecord, QueueItem, RunRecord, SdkEvent, StoredEvent } from '../model';
import type { Store } from '../store/store';
import type { RetryPolicy } from './backoff';
import { applyResult, closeAttempt, retryOrFail } from './outcome';
import { callSdk } from './request';
import { checkpoint } from './checkpoint';
import { noteStopped, recordInFlight, recoverInFlight, settleCuts } from './interrupted';
import { finalize } from './finish';
import { describe, stepKind, timeoutValue } from './describe';
import { PauseIndex, type LivePause } from './pauses';
import { Scheduler } from './scheduler';
import type { SdkOp, SdkResult } from './sdk-client';
import { pausedOn, runSummary } from './views';

export { ulid } from './ids';
import { ulid } from './ids';

/** A run being worked on: its record plus the state each request needs, kept in memory. */
export interface ActiveRun {
  rec: RunRecord;
  events: SdkEvent[];
  /** Memoized values; Map order is the stack (completion order). */
  memo: Map<string, unknown>;
  steps: Map<string, StepInfo>;
  pending: Set<string>;
  /** A step of a `group.parallel` race got its result in this decision: discover now, siblings or not. */
  raceSettled?: boolean;
  /** SDK calls in flight, by qi_id (= queue item id). */
  inflight: Map<string, Inflight>;
}

export interface Inflight {
  item: QueueItem;
  exchange: SdkExchange;
  /** Sent as x-request-id; the SDK echoes it in checkpoints, which tells stale dispatches apart. */
  requestId: string;
  /**
   * Discoveries only: the run's pending steps when the request was sent. A planned step among them
   * that the answer no longer reports was superseded by a code change (see `supersedeMissing` in ops.ts).
   */
  pendingAtSend?: ReadonlySet<string>;
}

/** Hook for flow control (issue 4): decide whether a new run starts. */
export interface RunAdmission {
  /** `internalId`: the id POST /e answered for the event (flow control names buffered events by it). */
  admit(fn: FunctionRecord, events: (SdkEvent & { internalId?: string })[]): { action: 'start' } | { action: 'skip'; reason: string };
}

export interface EngineOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  bus: EventBus;
  functions: FunctionRegistry;
  retry: RetryPolicy;
  signingKey?: string;
  /** Publishes an internal event (finish/failed/invoked) through ingestion and fan-out. */
  publish: (name: string, data: Record<string, unknown>, id?: string) => StoredEvent;
  /** Called when an app says it does not know a function: it needs a re-sync. */
  onUnknownFunction?: (fn: FunctionRecord) => void;
}

const TERMINAL: ReadonlySet<RunStatus> = new Set(['Completed', 'Failed', 'Cancelled']);

export class Engine {
  private readonly active = new Map<string, ActiveRun>();
  readonly pauses = new PauseIndex();
  readonly scheduler: Scheduler;
  admission: RunAdmission | undefined;
  /** Flow control (issue 4): told when a queue item has finished executing, whatever the outcome. */
  onItemDone: ((item: QueueItem) => void) | undefined;
  private readonly abort = new AbortController();
  private readonly running = new Set<Promise<void>>();

  constructor(readonly o: EngineOptions) {
    this.scheduler = new Scheduler(o.clock, (item) => this.track(this.handle(item)).finally(() => this.onItemDone?.(item)));
  }

  private track(p: Promise<void>): Promise<void> {
    this.running.add(p);
    return p.finally(() => this.running.delete(p));
  }

  /** Loads the durable queue and pauses (after a restart, in-flight runs resume here). */
  start(): void {
    const { store } = this.o;
    for (const p of store.allPauses()) {
      const ar = this.load(p.runId);
      if (!ar || TERMINAL.has(ar.rec.status)) {
        store.deletePause(p.id);
        continue;
      }
      this.pauses.add({ ...p, trigger: ar.events[0]! });
    }
    for (const q of store.allQueueItems()) this.scheduler.add(q);
  }

  /** Aborted when the engine is disposed: long work it started (the executor's own HTTP calls) stops with it. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get activeCount(): number {
    return this.active.size;
  }

  isTerminal(status: RunStatus): boolean {
    return TERMINAL.has(status);
  }

  /** The live state of a run (loaded from the store after a restart); undefined when finished. */
  load(runId: string): ActiveRun | undefined {
    const hit = this.active.get(runId);
    if (hit) return hit;
    const rec = this.o.store.getRun(runId);
    if (!rec || TERMINAL.has(rec.status)) return undefined;
    const events = rec.eventIds.map((id) => this.o.store.getEvent(id)?.event).filter((e): e is SdkEvent => !!e);
    const memo = new Map<string, unknown>();
    for (const m of this.o.store.memoized(runId)) memo.set(m.hashedId, m.value);
    const steps = new Map<string, StepInfo>();
    for (const s of this.o.store.stepInfos(runId)) steps.set(s.hashedId, s);
    const ar: ActiveRun = { rec, events, memo, steps, pending: new Set(rec.pending), inflight: new Map() };
    this.active.set(runId, ar);
    recoverInFlight(this, ar);
    return ar;
  }

  peek(runId: string): ActiveRun | undefined {
    return this.active.get(runId);
  }

  // --- creating runs ------------------------------------------------------------------------------

  /** Creates a run and queues its first discovery. Call inside a store transaction. */
  createRun(
    fn: FunctionRecord,
    events: StoredEvent[],
    extra: Partial<Pick<RunRecord, 'parentRunId' | 'correlationId' | 'noFinishEvents' | 'rerunOf' | 'hold'>> = {},
    /** `admit: false` skips `admission` (flow control decided already); `startAt` delays the first request. */
    opts: { admit?: boolean; startAt?: number } = {},
  ): RunRecord | null {
    const sdkEvents = events.map((e) => e.event);
    const verdict =
      opts.admit === false || !this.admission ? { action: 'start' as const } : this.admission.admit(fn, events.map((e) => ({ ...e.event, internalId: e.internalId })));
    if (verdict.action === 'skip') {
      this.o.log.info(`no run of ${fn.id} now: ${verdict.reason}`);
      return null;
    }
    const now = this.o.clock.now();
    const rec: RunRecord = {
      id: ulid(now),
      functionId: fn.id,
      functionName: fn.name,
      appId: fn.appId,
      status: 'Queued',
      eventIds: events.map((e) => e.internalId),
      eventName: events[0]?.event.name ?? null,
      queuedAt: now,
      requestVersion: -1,
      forceStepPlan: false,
      pending: [],
      stepCount: 0,
      requestCount: 0,
      exchangeSeq: 0,
      ...extra,
    };
    const ar: ActiveRun = { rec, events: sdkEvents, memo: new Map(), steps: new Map(), pending: new Set(), inflight: new Map() };
    this.active.set(rec.id, ar);
    this.o.store.putRun(rec);
    this.enqueue(ar, { kind: 'exec', stepId: 'step', attempt: 0, runAt: Math.max(now, opts.startAt ?? now) });
    this.o.bus.emit({ type: 'run.created', run: runSummary(rec) });
    return rec;
  }

  // --- queue --------------------------------------------------------------------------------------

  enqueue(ar: ActiveRun, q: Omit<QueueItem, 'id' | 'runId'> & { id?: string }): QueueItem {
    const item: QueueItem = { ...q, id: q.id ?? `${ar.rec.id}:${ulid()}`, runId: ar.rec.id };
    this.o.store.putQueueItem(item);
    this.scheduler.add(item);
    return item;
  }

  /** Queues a discovery unless one is already waiting for this run. */
  enqueueDiscovery(ar: ActiveRun, runAt = this.o.clock.now()): void {
    const waiting = this.scheduler.itemsForRun(ar.rec.id).some((i) => i.kind === 'exec' && i.stepId === 'step');
    if (!waiting) this.enqueue(ar, { kind: 'exec', stepId: 'step', attempt: 0, runAt });
  }

  dropItem(item: QueueItem): void {
    this.o.store.deleteQueueItem(item.id);
    this.scheduler.remove(item.id);
  }

  private async handle(item: QueueItem): Promise<void> {
    try {
      if (item.kind === 'exec') await this.execute(item);
      else this.o.store.tx(() => this.fire(item));
    } catch (e) {
      this.o.log.error(`internal error handling queue item ${item.id}: ${(e as Error)?.stack ?? String(e)}`);
      // Try again later rather than lose the item.
      if (!this.abort.signal.aborted) this.scheduler.add({ ...item, runAt: this.o.clock.now() + 5000 });
    }
  }

  /** Timer items: a sleep ends, a wait or invoke times out. */
  private fire(item: QueueItem): void {
    const ar = this.load(item.runId);
    this.o.store.deleteQueueItem(item.id);
    if (!ar) return;
    if (item.kind === 'wake' && item.hashedId) {
      if (!ar.memo.has(item.hashedId)) {
        this.saveResult(ar, item.hashedId, null, { status: 'completed', endedAt: this.o.clock.now() });
        this.afterResult(ar);
      }
    } else if (item.kind === 'pause-timeout' && item.pauseId) {
      const p = this.pauses.get(item.pauseId);
      if (p) this.resolvePause(p, timeoutValue(p), true);
    }
    this.persist(ar);
  }

  // --- SDK calls ----------------------------------------------------------------------------------

  private async execute(item: QueueItem): Promise<void> {
    const ar = this.load(item.runId);
    if (!ar) {
      this.o.store.deleteQueueItem(item.id);
      return;
    }
    if (this.isSuperseded(ar, item.stepId)) {
      // Dropped after it was taken off the schedule (e.g. waiting for a free slot): never request it.
      this.o.store.deleteQueueItem(item.id);
      return;
    }
    const rec = ar.rec;
    const fn = this.o.functions.get(rec.functionId);
    const now = this.o.clock.now();
    if (rec.status === 'Queued') {
      rec.status = 'Running';
      rec.startedAt = now;
      rec.hold = undefined;
      // Said at once (the stream, timeouts.start): the run started with this request, not when it answers.
      this.o.bus.emit({ type: 'run.updated', run: runSummary(rec) });
    } else if (rec.paused) {
      // Woken (a sleep ended, a wait resolved): moving again from this request on.
      rec.paused = undefined;
      this.o.bus.emit({ type: 'run.updated', run: runSummary(rec) });
    }
    const stack = [...ar.memo.keys()];
    const exchange: SdkExchange = {
      seq: rec.exchangeSeq++,
      stepId: item.stepId,
      attempt: item.attempt,
      startedAt: now,
      durationMs: 0,
      stackSize: stack.length,
      disableImmediateExecution: rec.forceStepPlan,
      requestVersion: rec.requestVersion,
      status: null,
      ops: [],
    };
    rec.requestCount++;
    if (item.stepId !== 'step') this.markStepStarted(ar, item);
    const inflight: Inflight = { item, exchange, requestId: ulid(), pendingAtSend: item.stepId === 'step' ? new Set(ar.pending) : undefined };
    ar.inflight.set(item.id, inflight);
    recordInFlight(this, rec.id, exchange);
    let result: SdkResult;
    if (!fn) {
      result = {
        kind: 'error',
        status: null,
        noRetry: false,
        error: { name: 'FunctionNotSynced', message: `function ${rec.functionId} is not served by any synced app: start the app and let Steplens sync it` },
      };
    } else {
      result = await callSdk(this.o, ar, fn, item, stack, inflight.requestId, exchange.seq + 1, this.abort.signal);
    }
    ar.inflight.delete(item.id);
    // Stopping: leave the item in the store (it runs again after the restart); the cut is recorded.
    if (this.abort.signal.aborted) return noteStopped(this, ar, inflight);
    exchange.durationMs = this.o.clock.now() - exchange.startedAt;
    if (TERMINAL.has(ar.rec.status) || !this.active.has(rec.id)) {
      // Cancelled while the app was working: record the exchange, drop the result.
      this.o.store.tx(() => {
        this.o.store.putExchange(rec.id, exchange.seq, describe(exchange, result));
        this.o.store.deleteQueueItem(item.id);
      });
      return;
    }
    // Committed at the end of this turn: the request this result sets off (queued below, sent on the
    // scheduler's next pump) leaves first. Commits keep decision order, so a crash can only lose
    // this decision (the step runs again, as a step in flight does), never an earlier one.
    this.o.store.txDeferred(() => {
      this.o.store.putExchange(rec.id, exchange.seq, describe(exchange, result));
      applyResult(this, ar, inflight, result, fn);
      settleCuts(ar, inflight, result);
      this.persist(ar);
    });
    if (result.kind === 'error' && result.unknownFunction && fn) this.o.onUnknownFunction?.(fn);
  }

  /**
   * True for a step's queue item whose step is neither pending nor memoized any more: a discovery
   * no longer reported it (superseded) or a step-not-found answer dropped it. Its queue item is gone;
   * a request that was already out when that happened must not revive it.
   */
  isSuperseded(ar: ActiveRun, stepId: string): boolean {
    return stepId !== 'step' && !ar.pending.has(stepId) && !ar.memo.has(stepId);
  }

  /** Ends the open attempt of `item` with `error` without changing the step's status. */
  closeAttempt(ar: ActiveRun, item: QueueItem, error: SerializedError): void {
    closeAttempt(this, ar, item, error);
  }

  /** Retries `item` after the backoff, or fails the run when it may not. */
  retryOrFail(ar: ActiveRun, item: QueueItem, error: SerializedError, noRetry: boolean, retryAfter: string | undefined, maxAttempts: number): void {
    retryOrFail(this, ar, item, error, noRetry, retryAfter, maxAttempts);
  }

  // --- step state ---------------------------------------------------------------------------------

  touchStep(ar: ActiveRun, hashedId: string, patch: Partial<StepInfo>, op?: SdkOp, persist = true): StepInfo {
    let s = ar.steps.get(hashedId);
    const created = !s;
    if (!s) {
      const userId = op?.userland?.id ?? (op?.op === 'StepPlanned' || op?.op === 'StepRun' ? op?.name : op?.displayName) ?? hashedId;
      s = {
        hashedId,
        userId,
        index: op?.userland?.index,
        displayName: op?.displayName ?? userId,
        kind: op ? stepKind(op) : 'unknown',
        status: 'planned',
        attempts: [],
      };
      ar.steps.set(hashedId, s);
    }
    const before = s.status;
    Object.assign(s, patch);
    if (op?.opts?.parallelMode === 'race') s.parallelMode = 'race';
    if (persist) this.o.store.putStep(ar.rec.id, s);
    // Live state changes for the stream; results are announced by saveResult.
    if (patch.status && (patch.status !== before || created) && patch.status !== 'completed') this.emitStep(ar, s);
    return s;
  }

  /** step.started for a step that is planned, running, sleeping, waiting or retrying; step.finished once it ended. A copy: the live object keeps changing. */
  private emitStep(ar: ActiveRun, s: StepInfo): void {
    const step: StepInfo = { ...s, attempts: s.attempts.map((a) => ({ ...a })) };
    const ended = s.status === 'completed' || s.status === 'failed' || s.status === 'cancelled';
    this.o.bus.emit({ type: ended ? 'step.finished' : 'step.started', runId: ar.rec.id, step });
  }

  private markStepStarted(ar: ActiveRun, item: QueueItem): void {
    const now = this.o.clock.now();
    const s = this.touchStep(ar, item.stepId, {}, undefined, false);
    s.startedAt ??= now;
    s.attempts.push({ attempt: item.attempt, startedAt: now });
    this.touchStep(ar, item.stepId, { status: 'running' }, undefined, false);
  }

  /** Stores a step's memoized value and appends it to the stack (PROTOCOL §3.5). */
  saveResult(ar: ActiveRun, hashedId: string, value: unknown, patch: Partial<StepInfo>, op?: SdkOp): void {
    if (ar.memo.has(hashedId)) ar.memo.delete(hashedId);
    ar.memo.set(hashedId, value === undefined ? null : value);
    ar.pending.delete(hashedId);
    const now = this.o.clock.now();
    const s = this.touchStep(ar, hashedId, {}, op, false);
    Object.assign(s, patch, { output: value, stackIndex: ar.memo.size - 1 });
    s.endedAt ??= now;
    const open = s.attempts.find((x) => x.endedAt === undefined);
    if (open) {
      open.endedAt = now;
      if (patch.error) open.error = patch.error;
    }
    ar.rec.stepCount = ar.memo.size;
    if (s.parallelMode === 'race') ar.raceSettled = true;
    this.o.store.putStep(ar.rec.id, s, { value: ar.memo.get(hashedId), stackIndex: ar.memo.size - 1 });
    this.emitStep(ar, s);
  }

  /** After a result was saved: coalesced (v2) or eager (v1) discovery (PROTOCOL §6). */
  afterResult(ar: ActiveRun): void {
    const race = ar.raceSettled === true;
    ar.raceSettled = false;
    if (TERMINAL.has(ar.rec.status)) return;
    if (ar.rec.requestVersion === 1) {
      this.enqueueDiscovery(ar);
      return;
    }
    // group.parallel({ mode: 'race' }) (Go's ParallelModeRace): a branch's result resumes the
    // function at once, and branches still out (the race's losers) hold back no later discovery.
    const blocking = [...ar.pending].some((id) => ar.steps.get(id)?.parallelMode !== 'race');
    if (!blocking) {
      if (ar.pending.size === 0) ar.rec.forceStepPlan = false;
      this.enqueueDiscovery(ar);
    } else if (race) {
      this.enqueueDiscovery(ar);
    }
  }

  persist(ar: ActiveRun): void {
    ar.rec.pending = [...ar.pending];
    ar.rec.paused = pausedOn(ar);
    this.o.store.putRun(ar.rec);
    if (!TERMINAL.has(ar.rec.status)) this.o.bus.emit({ type: 'run.updated', run: runSummary(ar.rec) });
  }

  // --- pauses ---------------------------------------------------------------------------------------

  addPause(ar: ActiveRun, p: Omit<LivePause, 'trigger' | 'createdAt' | 'runId'>): LivePause {
    const live: LivePause = { ...p, runId: ar.rec.id, createdAt: this.o.clock.now(), trigger: ar.events[0]! };
    const { trigger: _t, ...durable } = live;
    this.o.store.putPause(durable);
    this.pauses.add(live);
    if (live.expiresAt !== null) {
      this.enqueue(ar, { id: `${ar.rec.id}:timeout:${live.id}`, kind: 'pause-timeout', stepId: live.hashedId, attempt: 0, runAt: live.expiresAt, pauseId: live.id });
    }
    return live;
  }

  /** A wait got its event (or timed out), an invoke got its result. Call inside a transaction. */
  resolvePause(p: LivePause, value: unknown, timedOut = false): void {
    this.pauses.remove(p.id);
    this.o.store.deletePause(p.id);
    const timeoutId = `${p.runId}:timeout:${p.id}`;
    if (!timedOut) this.dropItem({ id: timeoutId } as QueueItem);
    const ar = this.load(p.runId);
    if (!ar || ar.memo.has(p.hashedId)) return;
    const isError = p.kind === 'invoke' && !!value && typeof value === 'object' && 'error' in (value as object);
    this.saveResult(ar, p.hashedId, value, {
      status: isError ? 'failed' : 'completed',
      error: isError ? ((value as { error: SerializedError }).error ?? undefined) : undefined,
    });
    this.afterResult(ar);
    this.persist(ar);
  }

  /** Resolves waits and invokes this event satisfies. Call inside the ingestion transaction. */
  onEvent(ev: StoredEvent): void {
    const e = ev.event;
    if (e.name === FINISHED_EVENT) {
      const corr = e.data.correlation_id;
      const p = typeof corr === 'string' ? this.pauses.byCorrelationId(corr) : undefined;
      if (p) {
        const err = e.data.error;
        this.resolvePause(p, err !== undefined && err !== null ? { error: err } : { data: e.data.result ?? null });
      }
    }
    for (const p of this.pauses.matching(e)) {
      if (p.kind === 'wait') this.resolvePause(p, e);
    }
  }

  // --- finishing --------------------------------------------------------------------------------------

  finalize(ar: ActiveRun, status: 'Completed' | 'Failed' | 'Cancelled', r: { output?: unknown; error?: SerializedError; reason?: string }): void {
    finalize(this, ar, status, r);
  }

  /** Shows (or clears) why a run is not moving (flow control); durable and streamed. */
  setHold(runId: string, hold: RunRecord['hold']): void {
    const ar = this.load(runId);
    if (!ar) return;
    ar.rec.hold = hold;
    this.o.store.tx(() => this.persist(ar));
  }

  /** Drops a finished run from memory (the store keeps it). */
  evict(runId: string): void {
    this.active.delete(runId);
  }

  /** Cancels a run. Returns false when it is unknown or already finished. */
  cancel(runId: string, reason = 'cancelled by request'): boolean {
    const ar = this.load(runId);
    if (!ar) return false;
    this.o.store.tx(() => this.finalize(ar, 'Cancelled', { reason, error: { name: 'RunCancelled', message: reason } }));
    return true;
  }

  /** `POST /v1/checkpoint/{runId}/async` (PROTOCOL §7). Answers the HTTP status to send. */
  checkpoint(runId: string, body: unknown): { status: number; error?: string } {
    return checkpoint(this, runId, body);
  }

  async dispose(): Promise<void> {
    this.abort.abort();
    await this.scheduler.dispose();
    await Promise.allSettled([...this.running]);
  }
}

