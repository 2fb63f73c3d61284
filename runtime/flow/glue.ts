// FlowGlue: wires FlowControl into the executor engine through the hooks the engine exposes
// (runtime/engine: `RunAdmission.admit`, the scheduler's `DispatchGate.check`, the EventBus) plus
// a few callbacks the wiring code provides (`GlueDeps`). It holds the timers FlowControl asks for
// (debounce, batch, cron, timeouts) on the engine's injectable Clock, and persists FlowControl's
// state through `deps.persist` after every change (coalesced to one write per tick).
//
// The shapes below are structural copies of the engine's (runtime/model.ts, runtime/clock.ts), so
// this file does not depend on the engine's internals; the wiring site type-checks the fit.

import type { ExecutorToClient, FunctionTrigger, RunHold } from '../api';
import { SCHEDULED_TIMER_EVENT, type EventDecision, type FlowConfigError, type FlowControl, type FlowEvent, type FlowState, type FlowTimer, type PendingBuffer, type SyncResult } from './index';

/** What happened to a debounce or batch (executor audit F6: buffered events are shown). */
export type BufferChange =
  | { kind: 'open'; buffer: PendingBuffer }
  | { kind: 'started'; buffer: PendingBuffer; runId: string }
  | { kind: 'dropped'; buffer: PendingBuffer; reason: string };

export const INVOKED_EVENT = 'inngest/function.invoked';

export interface GlueClock {
  now(): number;
  setTimer(at: number, cb: () => void): { cancel(): void };
}

/** The engine's SdkEvent (plus the id POST /e answered, when the engine knows it). */
export interface GlueEvent {
  name: string;
  data: Record<string, unknown>;
  id: string;
  internalId?: string;
  ts: number;
  user?: Record<string, unknown>;
  v?: string;
}

/** The engine's FunctionRecord (the fields used here). */
export interface GlueFunction {
  id: string;
  appId: string;
  triggers: FunctionTrigger[];
  config: Record<string, unknown>;
}

/** The engine's QueueItem (the fields used here). */
export interface GlueQueueItem {
  id: string;
  runId: string;
  kind: string;
}

export interface GlueDeps {
  clock: GlueClock;
  /**
   * Creates a run of `fnId` with these events (by their `id`), skipping admission (the glue has
   * decided already). Returns the engine's run id, or null if the function or events are gone.
   */
  startRun(fnId: string, events: FlowEvent[]): string | null;
  /** Cancels a run with a reason (engine.cancel). */
  cancelRun(runId: string, reason: string): void;
  /** Lets a parked queue item go now (scheduler.release). */
  releaseItem(itemId: string, rank?: number): void;
  /** Shows (or clears, with undefined) why a run is held: RunRecord.hold + a run.updated message. */
  setRunHold(runId: string, hold: RunHold | undefined): void;
  /** Stores the scheduled.timer event and starts a run of `fnId` with it. */
  fireCron(fnId: string, event: Omit<FlowEvent, 'internalId'>): void;
  /** Writes FlowControl's state (JSON) somewhere durable. */
  persist(state: FlowState): void;
  /**
   * The functions of an app as registered now. When given, the glue re-reads an app's flow settings
   * on every `app.synced` bus message by itself (no call from the sync code needed).
   */
  functionsOf?(appId: string): GlueFunction[];
  /** Flow-config problems of an app after a sync (empty when fixed); e.g. to show on the app. */
  onConfigErrors?(appId: string, errors: FlowConfigError[]): void;
  warn?(message: string): void;
  /** A debounce or batch opened or took an event, started its run, or was dropped. */
  onBuffer?(change: BufferChange): void;
}

export class FlowGlue {
  private readonly timers = new Map<string, { at: number; handle: { cancel(): void } }>();
  /** The run FlowControl admitted, waiting for the engine's run.created to learn its real id. */
  private admitted: { fnId: string; flowRunId: string; hold?: RunHold } | undefined;
  private bypass = 0;
  private readonly heldByRun = new Map<string, Set<string>>();
  private readonly holdShown = new Set<string>();
  private dirty = false;
  private disposed = false;
  private readonly reported = new Map<string, string>();

  constructor(
    readonly flow: FlowControl,
    private readonly deps: GlueDeps,
  ) {}

  // --- lifecycle ---------------------------------------------------------------------------------

  /** Re-arms every timer from the restored state (call once, after the first sync). */
  start(): void {
    for (const t of this.flow.pendingTimers()) this.armFlowTimer(t);
    for (const r of this.flow.activeRuns()) {
      const at = r.startedAt === undefined ? r.startBy : r.finishBy;
      if (at !== undefined) this.armDeadline(r.runId, at);
    }
    this.armCron();
  }

  /** A run created outside fan-out (a rerun): no skip rules, but concurrency, cancelOn and timeouts apply. */
  registerRun(fnId: string, runId: string, events: FlowEvent[]): void {
    const run = this.flow.registerRun(fnId, runId, events);
    if (run.startBy !== undefined) this.armDeadline(runId, run.startBy);
    this.touch();
  }

  syncApp(appId: string, fns: GlueFunction[]): SyncResult {
    const open = this.deps.onBuffer ? this.flow.pendingBuffers() : [];
    const r = this.flow.syncApp(
      appId,
      fns.map((f) => ({ id: f.id, triggers: f.triggers, config: f.config })),
    );
    const signature = JSON.stringify([r.errors.map((e) => e.message), r.warnings]);
    if (this.reported.get(appId) !== signature) {
      this.reported.set(appId, signature);
      for (const e of r.errors) this.deps.warn?.(e.message);
      for (const w of r.warnings) this.deps.warn?.(w);
      this.deps.onConfigErrors?.(appId, r.errors);
    }
    for (const d of r.dropped) this.cancelTimer(`${d.rule === 'debounce' ? 'debounce' : 'batch'}:${d.fnId}:`);
    for (const d of r.dropped) {
      for (const b of open.filter((x) => x.fnId === d.fnId && x.rule === d.rule)) this.deps.onBuffer?.({ kind: 'dropped', buffer: b, reason: `function ${d.fnId} is no longer served by its app` });
    }
    this.armCron();
    this.touch();
    return r;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const t of this.timers.values()) t.handle.cancel();
    this.timers.clear();
    if (this.dirty) this.deps.persist(this.flow.snapshot());
  }

  // --- engine hook: RunAdmission ----------------------------------------------------------------

  readonly admission = {
    admit: (fn: GlueFunction, events: GlueEvent[]): { action: 'start' } | { action: 'skip'; reason: string } => {
      if (this.bypass > 0 || events.length === 0) return { action: 'start' };
      // Fast path: a function without flow control costs nothing (no state, no persistence).
      if (!this.flow.hasFlowControl(fn.id)) return { action: 'start' };
      const first = events[0]!;
      // function.invoked and cron fires are never debounced or batched.
      const direct = first.name === INVOKED_EVENT || first.name === SCHEDULED_TIMER_EVENT;
      // A batch that this event fills is gone from the state once decided: remember it first.
      const before = this.deps.onBuffer && !direct && this.flow.config(fn.id)?.batch ? this.flow.pendingBuffers() : undefined;
      const d = this.flow.onEvent(fn.id, toFlowEvent(first, this.deps.clock.now()), { invoked: direct });
      this.touch();
      const filled = d.kind === 'start' && d.clearTimer ? before?.find((b) => b.id === d.clearTimer) : undefined;
      return this.apply(d, true, filled && d.kind === 'start' ? { ...filled, eventIds: d.events.map((e) => e.internalId ?? e.id), count: d.events.length } : undefined);
    },
  };

  /**
   * Acts on a decision; `inline` = the engine is creating this run right now. `buffer`: the debounce
   * or batch this decision empties (a timer fired, a batch filled up), as it was.
   */
  private apply(d: EventDecision, inline: boolean, buffer?: PendingBuffer): { action: 'start' } | { action: 'skip'; reason: string } {
    for (const w of d.warnings) this.deps.warn?.(w);
    switch (d.kind) {
      case 'skip':
        if (buffer) this.deps.onBuffer?.({ kind: 'dropped', buffer, reason: d.reason });
        return { action: 'skip', reason: d.reason };
      case 'merged': {
        this.armFlowTimer(d.timer);
        const open = this.deps.onBuffer ? this.flow.pendingBuffers().find((b) => b.id === d.timer.id) : undefined;
        if (open) this.deps.onBuffer?.({ kind: 'open', buffer: open });
        return { action: 'skip', reason: d.reason };
      }
      case 'start': {
        for (const c of d.cancelRuns) this.deps.cancelRun(c.runId, c.reason);
        if (d.clearTimer) this.cancelTimer(d.clearTimer);
        if (inline && d.events.length === 1) {
          this.admitted = { fnId: d.fnId, flowRunId: d.runId, ...(d.hold ? { hold: d.hold } : {}) };
          return { action: 'start' };
        }
        // A batch (several events) or a timer-started run: create it ourselves.
        this.startOutOfBand(d, buffer);
        return { action: 'skip', reason: `started as part of run ${d.runId}` };
      }
    }
  }

  private startOutOfBand(d: Extract<EventDecision, { kind: 'start' }>, buffer: PendingBuffer | undefined): void {
    this.admitted = { fnId: d.fnId, flowRunId: d.runId, ...(d.hold ? { hold: d.hold } : {}) };
    this.bypass++;
    let id: string | null = null;
    try {
      id = this.deps.startRun(d.fnId, d.events);
      if (id === null) this.flow.onRunFinished(d.runId);
    } finally {
      this.bypass--;
      this.admitted = undefined;
    }
    if (buffer) this.deps.onBuffer?.(id === null ? { kind: 'dropped', buffer, reason: `the function ${d.fnId} or its events are gone` } : { kind: 'started', buffer, runId: id });
  }

  // --- engine hook: DispatchGate -----------------------------------------------------------------

  readonly gate = {
    check: (item: GlueQueueItem): RunHold | null => {
      if (item.kind !== 'exec') return null; // sleeps ending and wait timeouts execute no code
      const run = this.flow.run(item.runId);
      if (!run) return null;
      const now = this.deps.clock.now();
      if (run.startAt > now) {
        const hold: RunHold = { ...(run.startHold ?? { rule: 'throttle', detail: 'throttle: waiting for a start slot' }), until: run.startAt };
        this.showHold(run.runId, hold);
        return hold;
      }
      const d = this.flow.onStepDispatch(run.runId, item.id);
      if (d.kind === 'held') {
        let set = this.heldByRun.get(run.runId);
        if (!set) this.heldByRun.set(run.runId, (set = new Set()));
        set.add(item.id);
        this.showHold(run.runId, d.hold);
        return d.hold;
      }
      this.heldByRun.get(run.runId)?.delete(item.id);
      if (this.holdShown.delete(run.runId)) this.deps.setRunHold(run.runId, undefined);
      return null;
    },
  };

  /** Call when a queue item has finished executing, whatever the outcome. */
  itemFinished(item: GlueQueueItem): void {
    // In the order flow control gives them (priority first): the scheduler keeps that order.
    this.flow.onRelease(item.id).forEach((id, rank) => this.deps.releaseItem(id, rank));
  }

  private showHold(runId: string, hold: RunHold): void {
    this.holdShown.add(runId);
    this.deps.setRunHold(runId, hold);
  }

  // --- bus ----------------------------------------------------------------------------------------

  /** Subscribe this to the engine's EventBus. */
  readonly onBusMessage = (msg: ExecutorToClient): void => {
    if (this.disposed) return;
    switch (msg.type) {
      case 'app.synced': {
        if (msg.app.state === 'synced' && this.deps.functionsOf) this.syncApp(msg.app.id, this.deps.functionsOf(msg.app.id));
        return;
      }
      case 'run.created': {
        const a = this.admitted;
        if (a && a.fnId === msg.run.functionId) {
          this.admitted = undefined;
          this.flow.rebindRun(a.flowRunId, msg.run.id);
          if (a.hold) this.showHold(msg.run.id, a.hold);
          const run = this.flow.run(msg.run.id);
          if (run?.startBy !== undefined) this.armDeadline(msg.run.id, run.startBy);
          this.touch();
        }
        return;
      }
      case 'run.updated': {
        const run = this.flow.run(msg.run.id);
        if (run && msg.run.status === 'Running' && run.startedAt === undefined) {
          this.cancelTimer(`deadline:${msg.run.id}`);
          const { finishBy } = this.flow.onRunStarted(msg.run.id);
          if (finishBy !== undefined) this.armDeadline(msg.run.id, finishBy);
          this.touch();
        }
        return;
      }
      case 'run.finished': {
        if (!this.flow.run(msg.run.id) && !this.heldByRun.has(msg.run.id)) {
          this.flow.onRunFinished(msg.run.id); // a singleton lock may still name it
          return;
        }
        this.flow.onRunFinished(msg.run.id);
        this.cancelTimer(`deadline:${msg.run.id}`);
        for (const id of this.heldByRun.get(msg.run.id) ?? []) this.flow.onItemDropped(id);
        this.heldByRun.delete(msg.run.id);
        this.holdShown.delete(msg.run.id);
        this.touch();
        return;
      }
      case 'event.received': {
        const e = msg.event;
        const hits = this.flow.matchCancellations({ id: e.id, internalId: e.internalId, name: e.name, data: e.data, ts: e.ts, receivedAt: e.receivedAt, ...(e.user ? { user: e.user } : {}) });
        for (const h of hits) this.deps.cancelRun(h.runId, h.reason);
        if (hits.length) this.touch();
        return;
      }
      default:
        return;
    }
  };

  // --- timers -------------------------------------------------------------------------------------

  private arm(id: string, at: number, cb: () => void): void {
    if (this.disposed) return;
    const cur = this.timers.get(id);
    if (cur && cur.at === at) return;
    cur?.handle.cancel();
    const handle = this.deps.clock.setTimer(at, () => {
      if (this.timers.get(id)?.handle !== handle) return;
      this.timers.delete(id);
      cb();
    });
    this.timers.set(id, { at, handle });
  }

  private cancelTimer(id: string): void {
    this.timers.get(id)?.handle.cancel();
    this.timers.delete(id);
  }

  private armFlowTimer(t: FlowTimer): void {
    this.arm(t.id, t.at, () => {
      const buffer = this.deps.onBuffer ? this.flow.pendingBuffers().find((b) => b.id === t.id) : undefined;
      const out = this.flow.onTimer(t);
      this.touch();
      if (out.kind === 'reschedule') this.armFlowTimer(out.timer);
      else if (out.kind !== 'none') this.apply(out, false, buffer);
    });
  }

  private armCron(): void {
    const at = this.flow.nextCronWake();
    if (at === undefined) {
      this.cancelTimer('cron');
      return;
    }
    this.arm('cron', at, () => {
      for (const f of this.flow.dueCrons()) {
        try {
          // The engine creates the run through `admission.admit`, like any event.
          this.deps.fireCron(f.fnId, f.event);
        } catch (err) {
          this.deps.warn?.(`cron fire of ${f.fnId} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      this.touch();
      this.armCron();
    });
  }

  private armDeadline(runId: string, at: number): void {
    this.arm(`deadline:${runId}`, at, () => {
      const d = this.flow.checkDeadlines(runId);
      if (d.cancel) this.deps.cancelRun(runId, d.reason);
    });
  }

  private touch(): void {
    if (this.dirty || this.disposed) return;
    this.dirty = true;
    queueMicrotask(() => {
      if (!this.dirty) return;
      this.dirty = false;
      this.deps.persist(this.flow.snapshot());
    });
  }
}

function toFlowEvent(e: GlueEvent, now: number): FlowEvent {
  return { id: e.id, ...(e.internalId ? { internalId: e.internalId } : {}), name: e.name, data: e.data ?? {}, ts: e.ts, receivedAt: now, ...(e.user ? { user: e.user } : {}), ...(e.v !== undefined ? { v: e.v } : {}) };
}
