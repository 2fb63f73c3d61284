// Waits and invokes that are parked until an event arrives (PROTOCOL §4.4), and signal waits
// (`step.waitForSignal`) parked until `POST /v1/signals` names their signal. Kept in memory (only
// live ones; the store has the durable copy), indexed by event name, correlation id and signal.
import { matches } from '../cel';
import type { PauseRecord, SdkEvent } from '../model';

export interface LivePause extends PauseRecord {
  /** The run's triggering event: `event.*` in the expression refers to it (interpolation). */
  trigger: SdkEvent;
  /**
   * Set on a `step.waitForSignal` pause (kind `wait`): the signal it waits for. Such a pause is
   * never matched by events; it is stored like the others (the store keeps the whole record).
   */
  signal?: string;
  /** Signal pauses: `replace` takes the signal over from an older wait; `fail` (default) fails on conflict. */
  conflict?: 'replace' | 'fail';
  /** A signal wait another wait replaced: it keeps waiting for its timeout, no signal reaches it. */
  replaced?: boolean;
}

export class PauseIndex {
  private readonly byName = new Map<string, Map<string, LivePause>>();
  private readonly byCorrelation = new Map<string, LivePause>();
  private readonly byId = new Map<string, LivePause>();
  private readonly byRun = new Map<string, Set<string>>();
  /** Signal name -> the pause it resumes (the newest wait when one replaced another). */
  private readonly bySignal = new Map<string, LivePause>();

  add(p: LivePause): void {
    this.byId.set(p.id, p);
    let ids = this.byRun.get(p.runId);
    if (!ids) this.byRun.set(p.runId, (ids = new Set()));
    ids.add(p.id);
    if (p.signal !== undefined) {
      // Reloading after a restart adds pauses in any order: the newest wait owns the signal
      // (an older one can only still exist because a newer one replaced it).
      const owner = this.bySignal.get(p.signal);
      if (p.replaced) return;
      if (!owner || owner.createdAt <= p.createdAt) this.bySignal.set(p.signal, p);
      return;
    }
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
    if (p.signal !== undefined) {
      if (this.bySignal.get(p.signal) === p) this.bySignal.delete(p.signal);
      return;
    }
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

  /** The wait a signal with this name resumes, if any run waits for it. */
  bySignalName(signal: string): LivePause | undefined {
    return this.bySignal.get(signal);
  }

  /** Takes the signal away from `p` (a newer wait replaced it); the caller persists `p`. */
  unlinkSignal(p: LivePause): void {
    p.replaced = true;
    if (p.signal !== undefined && this.bySignal.get(p.signal) === p) this.bySignal.delete(p.signal);
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
