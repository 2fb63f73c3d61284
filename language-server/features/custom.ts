// The custom requests of protocol.ts (steplens/functions, steplens/events, steplens/stepLocation) and
// the debounced steplens/indexChanged notification. Pure handlers plus one small scheduler.
import type { WorkspaceIndex } from '../analysis/index';
import type { EventsRequest, FunctionsRequest, IndexChangedNotification, StepLocationRequest } from '../protocol';
import { cronInfo } from './cron';

export function functionsRequest(index: WorkspaceIndex, params: FunctionsRequest.Params, canonical: (uri: string) => string, now = new Date()): FunctionsRequest.Result {
  const functions = index.functions(params.uri ? canonical(params.uri) : undefined).map((f) => ({
    ...f,
    triggers: f.triggers.map((t) => (t.kind === 'cron' ? withCronInfo(t, now) : t)),
  }));
  return { functions, version: index.version };
}

/** Adds the plain-words description (unless the analysis gave one) and the next run time. */
function withCronInfo<T extends { cron: string; description?: string; nextRun?: string }>(t: T, now: Date): T {
  const info = cronInfo(t.cron, now, 1);
  if (!info.ok) return t;
  return {
    ...t,
    description: t.description ?? `${info.description} (${info.cron.timezone})`,
    ...(info.nextRuns[0] ? { nextRun: info.nextRuns[0].toISOString() } : {}),
  };
}

export function eventsRequest(index: WorkspaceIndex): EventsRequest.Result {
  return { events: index.events(), version: index.version };
}

export function stepLocationRequest(index: WorkspaceIndex, params: StepLocationRequest.Params): StepLocationRequest.Result {
  if (typeof params?.functionId !== 'string' || typeof params?.stepId !== 'string') return null;
  return index.stepLocation(params.functionId, params.stepId);
}

export function indexChangedParams(index: WorkspaceIndex): IndexChangedNotification.Params {
  return { version: index.version, functionCount: index.functions().length, eventCount: index.events().length };
}

/** Calls `fire` once after a quiet period following the last `poke` (and at most every `maxWaitMs`). */
export class Debouncer {
  private timer: NodeJS.Timeout | undefined;
  private firstPoke = 0;
  private disposed = false;

  constructor(
    private readonly fire: () => void,
    private readonly delayMs: number,
    private readonly maxWaitMs = delayMs * 5,
  ) {}

  poke(): void {
    if (this.disposed) return;
    const now = Date.now();
    if (!this.timer) this.firstPoke = now;
    else clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.delayMs, this.firstPoke + this.maxWaitMs - now));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, wait);
  }

  /** Fire now if a call is pending. */
  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.fire();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
