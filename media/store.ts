// The panel's state: runs known so far (newest first), functions, the stream's position.
// Stream messages are applied through a handler table typed so a new message type fails to compile.
import type { EventBuffer, EventDetail, ExecutorToClient, FunctionInfo, RunStatus, RunSummary } from '../runtime/api';
import type { StreamState } from './messages';

export type StoreChange =
  | { kind: 'runs' }
  | { kind: 'run'; runId: string }
  | { kind: 'functions' }
  /** A debounce or batch holding events changed (opened, took an event, started its run, dropped). */
  | { kind: 'buffers' }
  | { kind: 'stream'; state: StreamState; detail?: string }
  /** History was lost (the executor restarted or we were away too long): reload everything. */
  | { kind: 'resync' };

/** Buffered events remembered (a busy debounce key must not grow the panel's memory). */
const MAX_BUFFERED_EVENTS = 2000;

export interface RunFilter {
  functionId: string;
  status: RunStatus | '';
  event: string;
}

export class Store {
  readonly runs = new Map<string, RunSummary>();
  functions: FunctionInfo[] = [];
  lastSeq: number | undefined;
  streamState: StreamState = 'connecting';
  nextCursor: string | undefined;
  filter: RunFilter = { functionId: '', status: '', event: '' };
  /** Per event id: the latest state of the debounce or batch that holds (or held) it. */
  readonly buffers = new Map<string, EventBuffer>();
  /** Per event id: runs that took it other than as their trigger (a batch's later events, merged debounce events). */
  private readonly linked = new Map<string, Set<string>>();
  private readonly listeners = new Set<(c: StoreChange) => void>();
  private ordered: RunSummary[] | null = null;

  on(cb: (c: StoreChange) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
  emit(c: StoreChange): void {
    if (c.kind === 'runs' || c.kind === 'run') this.ordered = null;
    for (const l of this.listeners) l(c);
  }

  /** A run fetched in full (its summary fields may be newer than the list's): no refetch follows. */
  refreshed(run: RunSummary): void {
    const old = this.runs.get(run.id);
    this.runs.set(run.id, run);
    if (!old || old.status !== run.status || old.endedAt !== run.endedAt || old.queuedAt !== run.queuedAt) this.emit({ kind: 'runs' });
  }

  upsertRuns(runs: RunSummary[]): void {
    for (const r of runs) this.runs.set(r.id, r);
    this.emit({ kind: 'runs' });
  }

  private readonly apply: { [T in ExecutorToClient['type']]: (m: Extract<ExecutorToClient, { type: T }>) => void } = {
    hello: () => undefined,
    'event.received': () => undefined,
    'run.created': (m) => this.putRun(m.run),
    'run.updated': (m) => this.putRun(m.run),
    'run.finished': (m) => this.putRun(m.run),
    'step.started': (m) => this.emit({ kind: 'run', runId: m.runId }),
    'step.finished': (m) => this.emit({ kind: 'run', runId: m.runId }),
    'app.synced': () => this.emit({ kind: 'functions' }),
    'buffer.updated': (m) => this.putBuffer(m.buffer),
    resync: () => this.emit({ kind: 'resync' }),
  };

  /** A buffer's news: every event in it now points at this state (and at its run once started). */
  putBuffer(b: EventBuffer, emit = true): void {
    for (const id of b.eventIds) {
      this.buffers.delete(id); // re-inserted last: the oldest entries go first when the map is full
      this.buffers.set(id, b);
      if (b.runId) this.link(id, b.runId);
    }
    for (const id of this.buffers.keys()) {
      if (this.buffers.size <= MAX_BUFFERED_EVENTS) break;
      this.buffers.delete(id);
    }
    if (emit) this.emit({ kind: 'buffers' });
  }

  /** What Routes.event says about one event: its runs (however they took it) and buffers. */
  putEventDetail(d: EventDetail): void {
    for (const r of d.runs) {
      this.runs.set(r.run.id, r.run);
      if (r.role !== 'trigger') this.link(d.event.internalId, r.run.id);
    }
    for (const b of d.buffers) this.putBuffer(b, false);
    this.emit({ kind: 'runs' });
    this.emit({ kind: 'buffers' });
  }

  private link(eventId: string, runId: string): void {
    let set = this.linked.get(eventId);
    if (!set) this.linked.set(eventId, (set = new Set()));
    set.add(runId);
  }

  /** Runs that took any of these events: as their trigger, in a batch, or through a debounce; oldest first. */
  runsForEvents(ids: string[]): RunSummary[] {
    const out = new Map<string, RunSummary>();
    for (const r of this.runs.values()) if (r.eventId !== null && ids.includes(r.eventId)) out.set(r.id, r);
    for (const id of ids) for (const runId of this.linked.get(id) ?? []) {
      const r = this.runs.get(runId);
      if (r) out.set(r.id, r);
    }
    return [...out.values()].sort((a, b) => a.queuedAt - b.queuedAt);
  }

  private putRun(run: RunSummary): void {
    this.runs.set(run.id, run);
    this.emit({ kind: 'run', runId: run.id });
  }

  receive(msg: ExecutorToClient): void {
    // A `hello` below what we saw means a new executor (its seq starts over): reload everything.
    if (msg.type === 'hello' && this.lastSeq !== undefined && msg.seq < this.lastSeq) {
      this.lastSeq = msg.seq;
      this.emit({ kind: 'resync' });
      return;
    }
    if (typeof msg.seq === 'number') this.lastSeq = Math.max(this.lastSeq ?? 0, msg.seq);
    const handler = this.apply[msg.type] as ((m: ExecutorToClient) => void) | undefined;
    handler?.(msg);
  }

  setStream(state: StreamState, detail?: string): void {
    this.streamState = state;
    this.emit({ kind: 'stream', state, detail });
  }

  /**
   * Runs that pass the filter, newest first, each replay placed right under the run it came from
   * (when that run is loaded), with its depth for indentation.
   */
  visibleRuns(): { run: RunSummary; depth: number }[] {
    if (!this.ordered) this.ordered = [...this.runs.values()].sort((a, b) => b.queuedAt - a.queuedAt || (b.id < a.id ? -1 : 1));
    const f = this.filter;
    const ev = f.event.trim().toLowerCase();
    const pass = (r: RunSummary) =>
      (!f.functionId || r.functionId === f.functionId) &&
      (!f.status || r.status === f.status) &&
      (!ev || (r.eventName ?? '').toLowerCase().includes(ev) || r.eventId === f.event.trim());
    const children = new Map<string, RunSummary[]>();
    const roots: RunSummary[] = [];
    for (const r of this.ordered) {
      if (!pass(r)) continue;
      const origin = r.rerunOf?.runId;
      if (origin && this.runs.has(origin) && pass(this.runs.get(origin)!)) {
        const list = children.get(origin) ?? [];
        list.push(r);
        children.set(origin, list);
      } else roots.push(r);
    }
    const out: { run: RunSummary; depth: number }[] = [];
    const walk = (r: RunSummary, depth: number) => {
      out.push({ run: r, depth });
      for (const c of children.get(r.id) ?? []) walk(c, Math.min(depth + 1, 4));
    };
    for (const r of roots) walk(r, 0);
    return out;
  }

  functionName(id: string): string {
    return this.functions.find((f) => f.id === id)?.name ?? id;
  }
}
