// The functions the executor knows, from every synced app, and which of them an event starts.
import { matches, nameMatches } from './cel';
import type { FunctionRecord, SdkEvent } from './model';

export const INVOKED_EVENT = 'inngest/function.invoked';
export const FINISHED_EVENT = 'inngest/function.finished';
export const FAILED_EVENT = 'inngest/function.failed';
export const CANCELLED_EVENT = 'inngest/function.cancelled';

export class FunctionRegistry {
  private readonly fns = new Map<string, FunctionRecord>();

  get(id: string): FunctionRecord | undefined {
    return this.fns.get(id);
  }

  /** Live (not removed) functions. */
  all(): FunctionRecord[] {
    return [...this.fns.values()].filter((f) => !f.removed);
  }

  set(f: FunctionRecord): void {
    this.fns.set(f.id, f);
  }

  /** Functions of the app at `appUrl`, live ones only. */
  forApp(appUrl: string): FunctionRecord[] {
    return this.all().filter((f) => f.appUrl === appUrl);
  }

  /** Functions this event starts: exact or wildcard name, then the trigger's CEL `expression`. */
  triggeredBy(ev: SdkEvent): FunctionRecord[] {
    if (ev.name === INVOKED_EVENT) {
      const target = (ev.data._inngest as { fn_id?: unknown } | undefined)?.fn_id;
      const f = typeof target === 'string' ? this.fns.get(target) : undefined;
      return f && !f.removed ? [f] : [];
    }
    const out: FunctionRecord[] = [];
    for (const f of this.fns.values()) {
      if (f.removed) continue;
      for (const t of f.triggers) {
        if (!('event' in t) || !nameMatches(t.event, ev.name)) continue;
        if (t.expression && !matches(t.expression, { event: ev })) continue;
        out.push(f);
        break;
      }
    }
    return out;
  }
}
