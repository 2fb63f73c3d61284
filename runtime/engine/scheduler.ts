// The in-memory side of the durable queue: which item runs when. Items are persisted by the
// engine (store.queue) in the same transaction that decided them; the scheduler only orders
// them in time, limits how many run at once, and lets flow control (issue 4) hold items back.
import type { RunHold } from '../api';
import type { Clock, TimerHandle } from '../clock';
import type { QueueItem } from '../model';

/** Flow-control hook: return a hold to park an item until `release(id)` (or `hold.until`). */
export interface DispatchGate {
  check(item: QueueItem): RunHold | null;
}

interface HeapEntry {
  at: number;
  id: string;
  gen: number;
}

export class Scheduler {
  private readonly items = new Map<string, { item: QueueItem; gen: number }>();
  /** Item ids per run (queued or held), so per-run lookups do not scan every item. */
  private readonly byRun = new Map<string, Set<string>>();
  private readonly heap: HeapEntry[] = [];
  private readonly held = new Map<string, { item: QueueItem; hold: RunHold }>();
  private readonly ready: QueueItem[] = [];
  private inFlight = 0;
  private gen = 0;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private pumpScheduled = false;
  private stopped = false;
  gate: DispatchGate | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly handler: (item: QueueItem) => Promise<void>,
    private readonly maxInFlight = 256,
  ) {}

  /** Adds or replaces (same id) an item. */
  add(item: QueueItem): void {
    let ids = this.byRun.get(item.runId);
    if (!ids) this.byRun.set(item.runId, (ids = new Set()));
    ids.add(item.id);
    const gen = ++this.gen;
    this.items.set(item.id, { item, gen });
    this.held.delete(item.id);
    this.push({ at: item.runAt, id: item.id, gen });
    this.schedule();
  }

  remove(id: string): void {
    const e = this.items.get(id) ?? this.held.get(id);
    this.items.delete(id);
    this.held.delete(id);
    if (e) this.untrack(e.item.runId, id);
  }

  private untrack(runId: string, id: string): void {
    const ids = this.byRun.get(runId);
    ids?.delete(id);
    if (ids && ids.size === 0) this.byRun.delete(runId);
  }

  removeRun(runId: string): void {
    for (const id of this.byRun.get(runId) ?? []) {
      this.items.delete(id);
      this.held.delete(id);
    }
    this.byRun.delete(runId);
  }

  has(id: string): boolean {
    return this.items.has(id) || this.held.has(id);
  }

  itemsForRun(runId: string): QueueItem[] {
    const out: QueueItem[] = [];
    for (const id of this.byRun.get(runId) ?? []) {
      const e = this.items.get(id) ?? this.held.get(id);
      if (e) out.push(e.item);
    }
    return out;
  }

  /** Parks an item (flow control); it runs again after `release(id)` or at `hold.until`. */
  hold(id: string, hold: RunHold): void {
    const e = this.items.get(id);
    if (!e) return;
    this.items.delete(id);
    this.held.set(id, { item: e.item, hold });
    if (hold.until !== undefined) this.clock.setTimer(hold.until, () => this.release(id));
  }

  /**
   * Un-parks a held item. `rank` orders items released together (0 first, e.g. by priority): they
   * become due now in that order, ahead of nothing already due, instead of by when they were queued.
   */
  release(id: string, rank?: number): void {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    const now = this.clock.now();
    this.add({ ...h.item, runAt: rank === undefined ? Math.min(h.item.runAt, now) : now - 1 + rank / 1e6 });
  }

  heldItems(): { item: QueueItem; hold: RunHold }[] {
    return [...this.held.values()];
  }

  get size(): number {
    return this.items.size + this.held.size;
  }

  private push(e: HeapEntry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= e.at) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): HeapEntry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let best = last;
        if (l < h.length && h[l]!.at < best.at) {
          m = l;
          best = h[l]!;
        }
        if (r < h.length && h[r]!.at < best.at) {
          m = r;
          best = h[r]!;
        }
        if (m === i) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }

  private schedule(): void {
    if (this.stopped) return;
    const top = this.heap[0];
    if (!top) return;
    if (top.at <= this.clock.now()) {
      this.soon();
      return;
    }
    if (top.at < this.timerAt) {
      this.timer?.cancel();
      this.timerAt = top.at;
      this.timer = this.clock.setTimer(top.at, () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      });
    }
  }

  /** Moves due items to `ready` and starts as many as allowed. */
  pump(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const e = this.pop()!;
      const cur = this.items.get(e.id);
      if (!cur || cur.gen !== e.gen) continue;
      const hold = this.gate?.check(cur.item) ?? null;
      if (hold) {
        this.hold(e.id, hold);
        continue;
      }
      this.items.delete(e.id);
      this.untrack(cur.item.runId, e.id);
      this.ready.push(cur.item);
    }
    if (this.ready.length > 0 && this.inFlight < this.maxInFlight) {
      const item = this.ready.shift()!;
      this.inFlight++;
      void this.handler(item).finally(() => {
        this.inFlight--;
        if (this.ready.length > 0) this.soon();
      });
      // One item per tick: the handler's request is written on the tick it queued, before the next
      // item is prepared, so the first of several parallel steps reaches the app soonest.
      if (this.ready.length > 0) this.soon();
    }
    this.schedule();
  }

  /**
   * Pumps on the next tick: after the current decision (and its transaction body) but before the
   * event loop moves on, so a request leaves in the same turn as the result that set it off, ahead
   * of that turn's deferred commit (Store.txDeferred).
   */
  private soon(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    process.nextTick(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.items.clear();
    this.held.clear();
    this.byRun.clear();
    this.ready.length = 0;
  }
}
