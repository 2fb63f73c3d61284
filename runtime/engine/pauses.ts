// Waits and invokes that are parked until an event arrives (PROTOCOL §4.4). Kept in memory
// (only live ones; the store has the durable copy), indexed by event name and correlation id.
import { matches } from '../cel';
import type { PauseRecord, SdkEvent } from '../model';

export interface LivePause extends PauseRecord {
  /** The run's triggering event: `event.*` in the expression refers to it (interpolation). */
  trigger: SdkEvent;
}

export class PauseIndex {
  private readonly byName = new Map<string, Map<string, LivePause>>();
  private readonly byCorrelation = new Map<string, LivePause>();
  private readonly byId = new Map<string, LivePause>();
  private readonly byRun = new Map<string, Set<string>>();

  add(p: LivePause): void {
    this.byId.set(p.id, p);
    let ids = this.byRun.get(p.runId);
    if (!ids) this.byRun.set(p.runId, (ids = new Set()));
    ids.add(p.id);
    if (p.kind === 'invoke' && p.correlationId) {
      this.byCorrelation.set(p.correlationId, p);
      return;
    }
    let m = this.byName.get(p.eventName);
    if (!m) this.byName.set(p.eventName, (m = new Map()));
    m.set(p.id, p);
  }

  get(id: string): LivePause | undefined {
    return this.byId.get(id);
  }

  remove(id: string): void {
    const p = this.byId.get(id);
    if (!p) return;
    this.byId.delete(id);
    const ids = this.byRun.get(p.runId);
    ids?.delete(id);
    if (ids && ids.size === 0) this.byRun.delete(p.runId);
    if (p.correlationId) this.byCorrelation.delete(p.correlationId);
    const m = this.byName.get(p.eventName);
    m?.delete(id);
    if (m && m.size === 0) this.byName.delete(p.eventName);
  }

  removeRun(runId: string): void {
    for (const id of [...(this.byRun.get(runId) ?? [])]) this.remove(id);
  }

  forRun(runId: string): LivePause[] {
    return [...(this.byRun.get(runId) ?? [])].map((id) => this.byId.get(id)!).filter(Boolean);
  }

  byCorrelationId(id: string): LivePause | undefined {
    return this.byCorrelation.get(id);
  }

  /** Waits this event satisfies, oldest first. */
  matching(ev: SdkEvent): LivePause[] {
    const m = this.byName.get(ev.name);
    if (!m) return [];
    const out: LivePause[] = [];
    for (const p of m.values()) {
      if (p.trigger.id === ev.id && p.trigger.name === ev.name) continue;
      if (!p.expression || matches(p.expression, { event: p.trigger, async: ev })) out.push(p);
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  get size(): number {
    return this.byId.size;
  }
}
