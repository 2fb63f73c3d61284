// What the views, CodeLens and decorations show: functions from the language server, apps,
// functions, runs and events from the executor (REST snapshot + stream). One place, one change
// event. No `vscode` import.
import type { AppInfo, EventBuffer, EventRecord, ExecutorToClient, FunctionInfo, RunDetail, RunPause, RunSummary, StepInfo } from '../runtime/api';
import type { EventEntry, FunctionEntry } from '../language-server/protocol';
import type { ExecutorState } from './executor/process';

export type ModelChange = 'functions' | 'apps' | 'runs' | 'events' | 'executor' | 'steps';

const MAX_RUNS = 300;
const MAX_EVENTS = 200;

export class Model {
  /** Functions found in the workspace source (language server). */
  sourceFunctions: FunctionEntry[] = [];
  /** Events known from schemas, triggers and sends (language server). */
  knownEvents: EventEntry[] = [];
  apps: AppInfo[] = [];
  executorFunctions: FunctionInfo[] = [];
  executor: ExecutorState = { kind: 'stopped' };
  private runs = new Map<string, RunSummary>();
  private events = new Map<string, EventRecord>();
  /** Batches and debounces as the stream last reported them, by buffer id. */
  private buffers = new Map<string, EventBuffer>();
  /** Step details of finished runs, fetched for inline decorations. */
  private details = new Map<string, RunDetail>();
  /** The last payload sent per event name (for "send last payload again"). */
  readonly lastPayloads = new Map<string, Record<string, unknown>>();
  private readonly listeners = new Set<(c: ModelChange) => void>();

  onChange(fn: (c: ModelChange) => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }

  emit(c: ModelChange): void {
    for (const fn of [...this.listeners]) fn(c);
  }

  setSourceFunctions(fns: FunctionEntry[]): void {
    this.sourceFunctions = fns;
    this.emit('functions');
  }
  setKnownEvents(evs: EventEntry[]): void {
    this.knownEvents = evs;
    this.emit('functions');
  }
  setExecutor(s: ExecutorState): void {
    this.executor = s;
    if (s.kind !== 'ready') {
      // What the executor said no longer holds once it stops.
      this.apps = [];
      this.executorFunctions = [];
    }
    this.emit('executor');
  }
  setApps(apps: AppInfo[], fns?: FunctionInfo[]): void {
    const same = JSON.stringify(apps) === JSON.stringify(this.apps) && (!fns || JSON.stringify(fns) === JSON.stringify(this.executorFunctions));
    this.apps = apps;
    if (fns) this.executorFunctions = fns;
    if (!same) this.emit('apps');
  }
  upsertApp(app: AppInfo): void {
    const i = this.apps.findIndex((a) => a.id === app.id || a.url === app.url);
    if (i >= 0) this.apps[i] = app;
    else this.apps.push(app);
    this.emit('apps');
  }
  /** Merges runs; answers the ones that are new or changed (and emits only then). */
  setRuns(runs: RunSummary[]): RunSummary[] {
    const changed = runs.filter((r) => JSON.stringify(this.runs.get(r.id)) !== JSON.stringify(r));
    for (const r of changed) this.runs.set(r.id, r);
    this.trim();
    if (changed.length) this.emit('runs');
    return changed;
  }
  setEvents(evs: EventRecord[]): void {
    const changed = evs.filter((e) => JSON.stringify(this.events.get(e.internalId ?? e.id)) !== JSON.stringify(e));
    for (const e of changed) this.events.set(e.internalId ?? e.id, e);
    this.trimEvents();
    if (changed.length) this.emit('events');
  }
  setDetail(d: RunDetail): void {
    this.details.set(d.id, d);
    if (this.details.size > 50) this.details.delete(this.details.keys().next().value!);
    this.emit('steps');
  }
  detail(runId: string): RunDetail | undefined {
    return this.details.get(runId);
  }

  /** Applies one stream message. */
  apply(m: ExecutorToClient): void {
    switch (m.type) {
      case 'hello':
      case 'resync':
        return;
      case 'event.received':
        this.events.set(m.event.internalId ?? m.event.id, m.event);
        this.trimEvents();
        return this.emit('events');
      case 'run.created':
      case 'run.updated':
      case 'run.finished':
        this.runs.set(m.run.id, m.run);
        this.trim();
        this.emit('runs');
        // The stream sends an event before the runs it starts: count them on the event ("2 runs").
        if (this.linkRunToEvent(m.run)) this.emit('events');
        return;
      case 'step.started':
      case 'step.finished':
        return this.updateStep(m.runId, m.step);
      case 'app.synced':
        return this.upsertApp(m.app);
      case 'buffer.updated':
        return this.putBuffer(m.buffer);
    }
  }

  /** The open batch or debounce holding this event, if any. */
  bufferOf(e: EventRecord): EventBuffer | undefined {
    for (const b of this.buffers.values()) {
      if (b.state === 'open' && holds(b, e)) return b;
    }
    return undefined;
  }

  private putBuffer(b: EventBuffer): void {
    if (b.state === 'open') this.buffers.set(b.id, b);
    else this.buffers.delete(b.id);
    // A batch's run belongs to every event in it, not only the first (the run names one event).
    if (b.state === 'started' && b.runId) {
      for (const e of this.events.values()) {
        if (holds(b, e) && !e.runIds?.includes(b.runId)) e.runIds = [...(e.runIds ?? []), b.runId];
      }
    }
    this.emit('events');
  }

  private linkRunToEvent(run: RunSummary): boolean {
    if (!run.eventId) return false;
    for (const e of this.events.values()) {
      if (e.internalId !== run.eventId && e.id !== run.eventId) continue;
      if (e.runIds?.includes(run.id)) return false;
      e.runIds = [...(e.runIds ?? []), run.id];
      return true;
    }
    return false;
  }

  private updateStep(runId: string, step: StepInfo): void {
    const d = this.details.get(runId);
    if (!d) return;
    const i = d.steps.findIndex((s) => s.hashedId === step.hashedId);
    if (i >= 0) d.steps[i] = step;
    else d.steps.push(step);
    this.emit('steps');
  }

  private trim(): void {
    if (this.runs.size <= MAX_RUNS) return;
    const sorted = [...this.runs.values()].sort((a, b) => b.queuedAt - a.queuedAt);
    for (const r of sorted.slice(MAX_RUNS)) this.runs.delete(r.id);
  }
  private trimEvents(): void {
    if (this.events.size <= MAX_EVENTS) return;
    const sorted = [...this.events.entries()].sort((a, b) => b[1].receivedAt - a[1].receivedAt);
    for (const [k] of sorted.slice(MAX_EVENTS)) this.events.delete(k);
  }

  /** Newest first. */
  recentRuns(): RunSummary[] {
    return [...this.runs.values()].sort((a, b) => b.queuedAt - a.queuedAt);
  }
  recentEvents(): EventRecord[] {
    return [...this.events.values()].sort((a, b) => b.receivedAt - a.receivedAt);
  }
  run(id: string): RunSummary | undefined {
    return this.runs.get(id);
  }
  lastRun(functionSlug: string): RunSummary | undefined {
    let best: RunSummary | undefined;
    for (const r of this.runs.values()) {
      if (r.functionId === functionSlug && (!best || r.queuedAt > best.queuedAt)) best = r;
    }
    return best;
  }
  /**
   * Runs of workspace functions whose steps are not loaded yet: the last run of each (the inline
   * decorations after a reload) and every run still running (to tell "sleeping" from "running").
   */
  lastRunsWithoutDetail(): RunSummary[] {
    const out: RunSummary[] = [];
    const add = (r: RunSummary | undefined): void => {
      if (r && !this.details.has(r.id) && !out.includes(r)) out.push(r);
    };
    for (const fn of this.sourceFunctions) add(this.lastRun(fn.slug));
    for (const r of this.runs.values()) if (r.status === 'Running' && this.sourceFunction(r.functionId)) add(r);
    return out;
  }
  /** The executor's view of a function from the source, if it has synced it. */
  executorFunction(fn: FunctionEntry): FunctionInfo | undefined {
    if (fn.idUnresolved) return undefined;
    const exact = this.executorFunctions.find((f) => f.id === fn.slug);
    if (exact) return exact;
    // By function id alone (an app id computed at run time, or one the executor spells otherwise):
    // only when exactly one synced function fits, so two apps' `sync` never get mixed up.
    return only(this.executorFunctions.filter((f) => f.id.endsWith(`-${fn.id}`)));
  }
  sourceFunction(slug: string): FunctionEntry | undefined {
    // The fallback is the other side of executorFunction's: a pair only when each side names the other.
    return this.sourceFunctions.find((f) => f.slug === slug) ?? only(this.sourceFunctions.filter((f) => !f.idUnresolved && slug.endsWith(`-${f.id}`) && this.executorFunction(f)?.id === slug));
  }
  knownEvent(name: string): EventEntry | undefined {
    return this.knownEvents.find((e) => e.name === name);
  }
  /** Executor functions of apps the workspace does not contain. */
  functionsWithoutSource(): FunctionInfo[] {
    return this.executorFunctions.filter((f) => !this.sourceFunction(f.id));
  }
}

// --- Formatting shared by the views, CodeLens and status bar -------------------------------------

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m} min ${s} s` : `${m} min`;
}

export function formatAgo(ts: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h ago`;
  return `${Math.round(h / 24)}d ago`;
}

/** What a running run waits on (RunSummary.paused), in words. */
export function pauseText(p: RunPause, now = Date.now()): string {
  switch (p.kind) {
    case 'sleep':
      return p.until !== undefined ? `sleeping, wakes ${formatIn(p.until, now)}` : 'sleeping';
    case 'waitForEvent':
      return `waiting for ${p.on ?? 'an event'}`;
    case 'invoke':
      return `waiting for ${p.on ?? 'an invoked function'}`;
    case 'signal':
      return `waiting for signal ${p.on ?? ''}`.trimEnd();
  }
}

/** An open batch or debounce in a few words: "batched for charge (2 of 3), starts in 8s", "debounced for sync, fires in 4s". */
export function bufferText(b: EventBuffer, now = Date.now()): string {
  const fn = b.functionName || b.functionId;
  const when = formatIn(b.startsAt, now);
  return b.rule === 'batchEvents' ? `batched for ${fn} (${b.count}${b.maxSize ? ` of ${b.maxSize}` : ''}), starts ${when}` : `debounced for ${fn}, fires ${when}`;
}

/** "in 23h", "in 5m": the future counterpart of formatAgo. */
export function formatIn(ts: number, now = Date.now()): string {
  return 'in ' + formatAgo(2 * now - ts, now).replace(/ ago$/, '');
}

/**
 * "completed 2s ago, 3 steps, 1.2 s", "failed: card declined", "running, 2 steps"; a running run
 * that is asleep or waiting (RunSummary.paused, which the executor keeps for every run) says so:
 * "sleeping, wakes in 23h", "waiting for app/order.placed".
 */
export function runOutcome(r: RunSummary, now = Date.now()): string {
  const steps = `${r.stepCount} step${r.stepCount === 1 ? '' : 's'}`;
  const dur = r.startedAt !== undefined && r.endedAt !== undefined ? `, ${formatDuration(r.endedAt - r.startedAt)}` : '';
  switch (r.status) {
    case 'Completed':
      return `completed ${formatAgo(r.endedAt ?? r.queuedAt, now)}, ${steps}${dur}`;
    case 'Failed':
      return `failed: ${truncate(r.error?.message ?? 'unknown error', 60)}`;
    case 'Cancelled':
      return `cancelled ${formatAgo(r.endedAt ?? r.queuedAt, now)}${r.cancelReason ? `: ${truncate(r.cancelReason, 40)}` : ''}`;
    case 'Running':
      return r.paused ? pauseText(r.paused, now) : `running, ${steps}`;
    case 'Queued':
      return r.hold ? `queued: ${truncate(r.hold.detail, 50)}` : 'queued';
  }
}

export function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** Whether a batch or debounce lists this event (by the id the event API answered, or the internal one). */
function holds(b: EventBuffer, e: EventRecord): boolean {
  return b.eventIds.includes(e.id) || (e.internalId !== undefined && b.eventIds.includes(e.internalId));
}

/** The one element of a list, or undefined when it has none or several. */
function only<T>(xs: readonly T[]): T | undefined {
  return xs.length === 1 ? xs[0] : undefined;
}
