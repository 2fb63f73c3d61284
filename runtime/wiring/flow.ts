// Flow control, cancellation and cron (runtime/flow) plugged into the real executor, as
// runtime/flow/README.md's integration plan says: the engine's admission hook and dispatch gate,
// the item-done hook, holds shown on the run (run.updated), state persisted in the data dir,
// reruns registered without admission, and the cron plan for FunctionInfo.nextCronRuns.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBus } from '../bus';
import type { Clock } from '../clock';
import type { Engine } from '../engine/engine';
import { ulid } from '../engine/ids';
import type { Ingest } from '../events';
import { FlowGlue } from '../flow/glue';
import { EventBuffers } from './buffers';
import { FlowControl, type FlowConfigError, type FlowState } from '../flow/index';
import type { FunctionRegistry } from '../functions';
import type { Logger } from '../log';
import type { SdkEvent } from '../model';
import type { Store } from '../store/store';

export interface FlowWiringDeps {
  store: Store;
  engine: Engine;
  ingest: Ingest;
  functions: FunctionRegistry;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  dataDir: string;
}

const STATE_FILE = 'flow-state.json';

export class FlowStateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FlowStateError';
  }
}

/** Reads the last persisted FlowControl state; undefined when there is none (or it is unreadable). */
export function loadFlowState(dataDir: string, log: Logger): FlowState | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, STATE_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as FlowState;
    if (s && s.version === 1) return s;
  } catch (cause) {
    log.warn(new FlowStateError(`${STATE_FILE} in ${dataDir} is not valid JSON; flow-control state starts empty`, { cause }).message);
  }
  return undefined;
}

export class FlowWiring {
  readonly flow: FlowControl;
  readonly glue: FlowGlue;
  /** Flow-config problems per app id after its last sync (empty when fine). */
  readonly configErrors = new Map<string, FlowConfigError[]>();
  private readonly unsubscribe: () => void;

  /** Events held by debounce / batchEvents (executor audit F6). */
  readonly buffers: EventBuffers;

  constructor(private readonly d: FlowWiringDeps) {
    const log = d.log;
    this.buffers = new EventBuffers({ store: d.store, bus: d.bus, functions: d.functions });
    this.flow = new FlowControl({ clock: d.clock, newRunId: () => ulid(d.clock.now()), state: loadFlowState(d.dataDir, log) });
    this.buffers.flow = this.flow;
    const startRun = (fnId: string, events: { id: string; internalId?: string }[]): string | null =>
      d.store.tx(() => {
        const fn = d.functions.get(fnId);
        const stored = events.map((e) => (e.internalId ? d.store.getEvent(e.internalId) : undefined) ?? d.store.findEventById(e.id, 0)).filter((e) => e !== undefined);
        return fn && stored.length ? (d.engine.createRun(fn, stored, {}, { admit: false })?.id ?? null) : null;
      });
    this.glue = new FlowGlue(this.flow, {
      clock: d.clock,
      startRun,
      cancelRun: (runId, reason) => void d.engine.cancel(runId, reason),
      releaseItem: (id, rank) => d.engine.scheduler.release(id, rank),
      setRunHold: (runId, hold) => d.engine.setHold(runId, hold),
      fireCron: (fnId, event) =>
        d.store.tx(() => {
          const fn = d.functions.get(fnId);
          if (!fn || fn.removed) return;
          const stored = d.ingest.publish(event.name, event.data, event.id);
          d.engine.createRun(fn, [stored]);
        }),
      persist: (state) => this.persist(state),
      functionsOf: (appId) => d.functions.all().filter((f) => f.appId === appId),
      onConfigErrors: (appId, errors) => {
        if (errors.length) this.configErrors.set(appId, errors);
        else this.configErrors.delete(appId);
      },
      warn: (m) => log.warn(m),
      onBuffer: this.buffers.onBuffer,
    });
    d.engine.admission = this.glue.admission;
    d.engine.scheduler.gate = this.glue.gate;
    d.engine.onItemDone = (item) => this.glue.itemFinished(item);
    // Before sync starts, so no app.synced is missed.
    this.unsubscribe = d.bus.subscribe(this.glue.onBusMessage);
    // After a restart the functions come from the store before any sync: read their settings now.
    const byApp = new Map<string, ReturnType<FunctionRegistry['all']>>();
    for (const f of d.functions.all()) {
      const list = byApp.get(f.appId) ?? [];
      list.push(f);
      byApp.set(f.appId, list);
    }
    for (const [appId, fns] of byApp) this.glue.syncApp(appId, fns);
    this.glue.start();
  }

  /** Flow problems of one function (bad key expression, malformed cron, ...), as messages. */
  errorsOf(fnId: string): string[] {
    const out: string[] = [];
    for (const list of this.configErrors.values()) for (const e of list) if (e.fnId === fnId) out.push(e.message);
    return out;
  }

  nextCronRuns(fnId: string): number[] | undefined {
    const r = this.flow.nextCronRuns(fnId);
    return r.length ? r : undefined;
  }

  /** A rerun skips admission (no debounce, rate limit, idempotency) but keeps concurrency, cancelOn and timeouts. */
  registerRerun(fnId: string, runId: string, events: SdkEvent[]): void {
    this.glue.registerRun(fnId, runId, events.map((e) => ({ id: e.id, name: e.name, data: e.data, ts: e.ts, ...(e.user ? { user: e.user } : {}) })));
  }

  private persist(state: FlowState): void {
    const file = join(this.d.dataDir, STATE_FILE);
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(state));
      renameSync(`${file}.tmp`, file);
    } catch (e) {
      this.d.log.error(`could not save flow-control state to ${file}: ${(e as Error).message}`);
    }
  }

  async dispose(): Promise<void> {
    this.unsubscribe();
    await this.glue.dispose();
  }
}
