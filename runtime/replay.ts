// Replay (issue 4): rerun a run from the start or from a chosen step, with an edited event payload
// or edited outputs of earlier steps; skip a sleep or resolve a wait by hand. A rerun is a new run
// linked to the original (`rerunOf`); the original's record never changes. The link back
// (RunDetail.reruns) lives in a small table of its own.
import type { RerunRequest, RerunResponse, ResolveWaitRequest, RunSummary, StepInfo } from './api';
import type { EventBus } from './bus';
import type { Clock } from './clock';
import type { Engine } from './engine/engine';
import { ulid } from './engine/ids';
import { runSummary } from './engine/views';
import type { FunctionRegistry } from './functions';
import { HttpError, type Router } from './http/router';
import type { Logger } from './log';
import type { RunRecord, SdkEvent, StoredEvent } from './model';
import type { Store } from './store/store';

export interface ReplayDeps {
  store: Store;
  engine: Engine;
  functions: FunctionRegistry;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** Registers a rerun with flow control (no admission; concurrency, cancelOn, timeouts apply). */
  registerRerun?: (fnId: string, runId: string, events: SdkEvent[]) => void;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Finds a step by hashed id, user id (first occurrence) or `userId:index`. */
export function findStep(steps: StepInfo[], id: string): StepInfo | undefined {
  return (
    steps.find((s) => s.hashedId === id) ??
    steps.find((s) => s.userId === id && !s.index) ??
    steps.find((s) => s.userId === id) ??
    steps.find((s) => s.index !== undefined && `${s.userId}:${s.index}` === id)
  );
}

/** The memoized form of a value "as the step returned it" (PROTOCOL §3.4). */
function storedForm(kind: StepInfo['kind'], value: unknown): unknown {
  switch (kind) {
    case 'sleep':
      return null;
    case 'waitForEvent':
      return value ?? null;
    default:
      return { data: value === undefined ? null : value };
  }
}

export class Replay {
  constructor(private readonly d: ReplayDeps) {
    d.store.db.run('CREATE TABLE IF NOT EXISTS reruns (run_id TEXT PRIMARY KEY, orig_id TEXT NOT NULL, at INTEGER NOT NULL)');
    d.store.db.run('CREATE INDEX IF NOT EXISTS reruns_by_orig ON reruns(orig_id, at)');
  }

  /** Runs created by rerunning `runId`, oldest first. */
  rerunsOf(runId: string): string[] {
    return this.d.store.db.all('SELECT run_id FROM reruns WHERE orig_id = ? ORDER BY at, run_id', [runId]).map((r) => String(r.run_id));
  }

  private record(id: string): RunRecord | undefined {
    return this.d.engine.peek(id)?.rec ?? this.d.store.getRun(id);
  }

  /** Validates everything first; on any error nothing is stored. */
  rerun(runId: string, body: unknown): RerunResponse {
    const { store, engine, functions } = this.d;
    const orig = this.record(runId);
    if (!orig) throw new HttpError(404, `no run ${runId}`, 'See GET /api/runs for run ids');
    if (body !== undefined && body !== null && !isPlainObject(body)) throw new HttpError(400, 'the body must be a JSON object like {"fromStepId": "...", "eventData": {...}, "stepOutputs": {...}}');
    const req = (body ?? {}) as RerunRequest;
    if (req.fromStepId !== undefined && (typeof req.fromStepId !== 'string' || req.fromStepId === '')) throw new HttpError(400, '"fromStepId" must be a step id (hashed or as written in the code)');
    if (req.fromFailure !== undefined && typeof req.fromFailure !== 'boolean') throw new HttpError(400, '"fromFailure" must be true or false');
    if (req.fromFailure && req.fromStepId !== undefined) throw new HttpError(400, 'give "fromStepId" or "fromFailure", not both');
    if (req.eventData !== undefined && !isPlainObject(req.eventData)) throw new HttpError(400, '"eventData" must be a JSON object (the event\'s new data)');
    if (req.stepOutputs !== undefined && !isPlainObject(req.stepOutputs)) throw new HttpError(400, '"stepOutputs" must be an object of step id -> output');
    const fn = functions.get(orig.functionId);
    if (!fn || fn.removed) throw new HttpError(409, `function ${orig.functionId} is not served by any synced app`, 'Start the app and let Steplens sync it, then rerun');
    const events = orig.eventIds.map((id) => store.getEvent(id));
    if (events.length === 0 || events.some((e) => !e)) throw new HttpError(409, `the events of run ${runId} are no longer stored`);

    // Which memoized steps the rerun keeps: everything completed before `fromStepId` (none from the start).
    const steps = store.stepInfos(runId);
    const memo = store.memoized(runId);
    let keep: { hashedId: string; value: unknown }[] = [];
    let from: StepInfo | undefined;
    if (req.fromStepId !== undefined) {
      from = findStep(steps, req.fromStepId);
      if (!from) {
        const known = steps.map((s) => s.userId).slice(0, 20).join(', ');
        throw new HttpError(404, `no step ${req.fromStepId} in run ${runId}`, known ? `Steps of this run: ${known}` : 'This run has no steps yet: rerun it from the start');
      }
      // Stack order is completion order: keep what completed before that step (everything, if it never did).
      const cut = memo.findIndex((m) => m.hashedId === from!.hashedId);
      keep = cut < 0 ? memo : memo.slice(0, cut);
    } else if (req.fromFailure) {
      // Every step that completed (its output, a finished sleep or wait); failed ones run again.
      const failed = new Set(steps.filter((s) => s.status !== 'completed').map((s) => s.hashedId));
      keep = memo.filter((m) => !failed.has(m.hashedId));
    }
    const keepsSteps = from !== undefined || req.fromFailure === true;
    const edits = new Map<string, unknown>();
    for (const [k, v] of Object.entries(req.stepOutputs ?? {})) {
      if (!keepsSteps) throw new HttpError(400, '"stepOutputs" needs "fromStepId" or "fromFailure": only steps the rerun keeps can have edited outputs');
      const s = findStep(steps, k);
      if (!s) throw new HttpError(404, `no step ${k} in run ${runId} (in "stepOutputs")`);
      if (!keep.some((m) => m.hashedId === s.hashedId)) throw new HttpError(400, `step ${k} runs again in this rerun (${from ? `it is not before ${req.fromStepId}` : 'it did not complete'}): its output cannot be edited`);
      if (v === undefined) throw new HttpError(400, `the edited output of step ${k} is not JSON`);
      edits.set(s.hashedId, storedForm(s.kind, v));
    }

    const now = this.d.clock.now();
    const rec = store.tx(() => {
      let stored = events as StoredEvent[];
      if (req.eventData) {
        // A copy of the first event with the new data; stored without fan-out (it starts nothing else).
        const first = stored[0]!;
        const internalId = ulid(now);
        const copy: StoredEvent = { internalId, id: internalId, receivedAt: now, event: { ...first.event, id: internalId, data: req.eventData } };
        store.putEvent(copy);
        stored = [copy, ...stored.slice(1)];
      }
      const extra: Parameters<Engine['createRun']>[2] = {
        rerunOf: { runId, ...(from ? { fromStepId: from.hashedId } : {}), ...(req.fromFailure ? { fromFailure: true as const } : {}) },
      };
      if (orig.noFinishEvents) extra.noFinishEvents = true;
      const rec = engine.createRun(fn, stored, extra, { admit: false });
      if (!rec) throw new HttpError(500, 'the engine refused to create the rerun');
      const ar = engine.peek(rec.id)!;
      const byId = new Map(steps.map((s) => [s.hashedId, s]));
      for (const m of keep) {
        const src = byId.get(m.hashedId);
        const edited = edits.has(m.hashedId);
        const value = edited ? edits.get(m.hashedId) : m.value;
        const failed = !edited && src?.status === 'failed';
        const info: StepInfo = {
          hashedId: m.hashedId,
          userId: src?.userId ?? m.hashedId,
          ...(src?.index !== undefined ? { index: src.index } : {}),
          displayName: src?.displayName ?? m.hashedId,
          kind: src?.kind ?? 'unknown',
          status: failed ? 'failed' : 'completed',
          startedAt: now,
          endedAt: now,
          attempts: [],
          output: value,
          ...(failed && src?.error ? { error: src.error } : {}),
          ...(src?.sleep ? { sleep: src.sleep } : {}),
          ...(src?.wait ? { wait: src.wait } : {}),
          ...(src?.invoke ? { invoke: { functionId: src.invoke.functionId } } : {}),
          memoizedFrom: runId,
          stackIndex: ar.memo.size,
        };
        ar.memo.set(m.hashedId, value);
        ar.steps.set(m.hashedId, info);
        store.putStep(rec.id, info, { value, stackIndex: info.stackIndex! });
      }
      rec.stepCount = ar.memo.size;
      store.putRun(rec);
      store.db.run('INSERT INTO reruns (run_id, orig_id, at) VALUES (?,?,?)', [rec.id, runId, now]);
      this.d.registerRerun?.(fn.id, rec.id, ar.events);
      return rec;
    });
    const ar = engine.peek(rec.id);
    if (ar) for (const s of ar.steps.values()) this.d.bus.emit({ type: 'step.finished', runId: rec.id, step: { ...s, attempts: [] } });
    this.d.log.info(`run ${rec.id} reruns ${runId}${from ? ` from step ${from.userId}` : ''} (${keep.length} step(s) memoized)`);
    return { runId: rec.id };
  }

  /** Ends a sleep now. */
  skipSleep(runId: string, stepId: string): RunSummary {
    const { store, engine } = this.d;
    const ar = engine.load(runId);
    if (!ar) throw new HttpError(this.record(runId) ? 409 : 404, this.record(runId) ? `run ${runId} has finished: nothing sleeps` : `no run ${runId}`);
    const step = findStep([...ar.steps.values()].filter((s) => s.status === 'sleeping'), stepId);
    if (!step) throw new HttpError(404, `no sleeping step ${stepId} in run ${runId}`);
    store.tx(() => {
      for (const item of engine.scheduler.itemsForRun(runId)) if (item.kind === 'wake' && item.hashedId === step.hashedId) engine.dropItem(item);
      engine.saveResult(ar, step.hashedId, null, { status: 'completed', endedAt: this.d.clock.now() });
      engine.afterResult(ar);
      engine.persist(ar);
    });
    return runSummary(ar.rec);
  }

  /**
   * Resolves a waitForEvent with an event given by hand (not ingested: it starts nothing else), a
   * waitForSignal with the body's `event.data` as the signal's data, or either as timed out.
   */
  resolveWait(runId: string, stepId: string, body: unknown): RunSummary {
    const { store, engine } = this.d;
    if (!isPlainObject(body) || !('event' in body)) throw new HttpError(400, 'the body must be {"event": {"name"?: "...", "data"?: {...}}} or {"event": null} (timed out)');
    const ev = (body as unknown as ResolveWaitRequest).event;
    if (ev !== null && !isPlainObject(ev)) throw new HttpError(400, '"event" must be an object or null');
    if (ev && ev.data !== undefined && !isPlainObject(ev.data)) throw new HttpError(400, '"event.data" must be an object');
    if (ev && ev.name !== undefined && typeof ev.name !== 'string') throw new HttpError(400, '"event.name" must be a string');
    const ar = engine.load(runId);
    if (!ar) throw new HttpError(this.record(runId) ? 409 : 404, this.record(runId) ? `run ${runId} has finished: nothing waits` : `no run ${runId}`);
    const pauses = engine.pauses.forRun(runId).filter((p) => p.kind === 'wait');
    const step = findStep(pauses.map((p) => ar.steps.get(p.hashedId)).filter((s): s is StepInfo => !!s), stepId);
    const pause = pauses.find((p) => p.hashedId === (step?.hashedId ?? stepId));
    if (!pause) throw new HttpError(404, `no waiting step ${stepId} in run ${runId}`);
    const now = this.d.clock.now();
    // A signal wait resumes as the signal API would resume it; an event wait with an event made up from the body.
    const value: SdkEvent | { data: { signal: string; data: unknown } } | null =
      ev === null
        ? null
        : pause.signal !== undefined
          ? { data: { signal: pause.signal, data: ev.data ?? null } }
          : { name: ev.name ?? pause.eventName, data: ev.data ?? {}, id: ulid(now), ts: now, user: {} };
    store.tx(() => engine.resolvePause(pause, value, false));
    return runSummary(engine.peek(runId)?.rec ?? store.getRun(runId)!);
  }

  /** The replay routes. Register before the core's routes (the first match answers). */
  routes(r: Router): void {
    r.on('POST', 'runRerun', async (c) => {
      const text = await c.text(16 * 1024 * 1024);
      let body: unknown = {};
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch (e) {
          throw new HttpError(400, `the body is not valid JSON: ${(e as Error).message}`, 'Edited payloads and step outputs must be JSON');
        }
      }
      return { status: 200, body: this.rerun(c.params.id!, body) };
    });
    r.on('POST', 'stepSkipSleep', (c) => ({ status: 200, body: this.skipSleep(c.params.id!, c.params.stepId!) }));
    r.on('POST', 'stepResolveWait', async (c) => ({ status: 200, body: this.resolveWait(c.params.id!, c.params.stepId!, await c.json()) }));
  }
}
