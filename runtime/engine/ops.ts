// What the executor does with each op of a 206 response (PROTOCOL §4.4). How to add an op: see
// runtime/ARCHITECTURE.md ("How to add an op").
import type { SerializedError } from '../api';
import { compile, matches, type ExpressionError } from '../cel';
import { INVOKED_EVENT } from '../functions';
import type { FunctionRecord, QueueItem } from '../model';
import { parseDuration } from './backoff';
import type { ActiveRun, Engine, Inflight } from './engine';
import { gatewayRequest, performGateway, type GatewayOutcome, type GatewayRequest } from './gateway';
import type { SdkOp, SdkResult } from './sdk-client';
import { claimCut } from './interrupted';
import { waitForSignal } from './signals';

const LAZY = new Set(['DeferAdd', 'DeferAbort']);
/** Ops that report a step's code having run (inline in a discovery, or as the step requested). */
const RAN_CODE = new Set(['StepRun', 'Step', 'StepError', 'StepFailed']);
const PRIORITY = new Set(['WaitForEvent', 'DeferAdd', 'DeferAbort']);
const MAX_OPS = 1000;
const YEAR_MS = 365 * 24 * 3600 * 1000;

type OpsResult = Extract<SdkResult, { kind: 'ops' }>;

/** Inngest's limits (PROTOCOL §14): a run that passes here would fail once deployed. */
export const MAX_STEP_OUTPUT_BYTES = 4 * 1024 * 1024;
export const MAX_STEPS_PER_RUN = 1000;

export const stepLimitError = (): SerializedError => ({
  name: 'InngestErrFunctionOverflowed',
  message: `The function run exceeded the step limit of ${MAX_STEPS_PER_RUN} steps. Inngest fails such runs too: split the work across runs (step.invoke or step.sendEvent fan-out).`,
});

/** The error for a step output above Inngest's 4 MB limit, or undefined. */
export function outputTooLarge(data: unknown): SerializedError | undefined {
  if (data === undefined || data === null || (typeof data !== 'object' && typeof data !== 'string')) return undefined;
  // Cheap bound first: a string is at least its length in bytes.
  if (typeof data === 'string' && data.length * 3 < MAX_STEP_OUTPUT_BYTES) return undefined;
  const bytes = Buffer.byteLength(JSON.stringify(data) ?? '');
  if (bytes <= MAX_STEP_OUTPUT_BYTES) return undefined;
  return {
    name: 'StepOutputTooLarge',
    message: `The step returned ${(bytes / 1024 / 1024).toFixed(1)} MB; Inngest's limit is 4 MB per step output. Return less (store large data elsewhere and return a reference); the same step fails on Inngest.`,
  };
}

/** How far back a wait looks for the event it just missed (for the hint only; it never matches it). */
const EARLIER_WINDOW_MS = 5000;

/** The newest event of the last few seconds that this wait would have matched had it started earlier. */
function earlierMatch(eng: Engine, ar: ActiveRun, name: string, expr: string | undefined, now: number): { eventId: string; msBefore: number } | undefined {
  if (name === '') return undefined;
  for (const ev of eng.o.store.listEvents(5, undefined, name, now - EARLIER_WINDOW_MS)) {
    if (ar.rec.eventIds.includes(ev.internalId)) continue;
    try {
      if (expr && !matches(expr, { event: ar.events[0]!, async: ev.event })) continue;
    } catch {
      continue;
    }
    return { eventId: ev.internalId, msBefore: Math.max(0, now - ev.receivedAt) };
  }
  return undefined;
}

export function applyOps(eng: Engine, ar: ActiveRun, inflight: Inflight, result: OpsResult, fn: FunctionRecord | undefined): void {
  const { item } = inflight;
  const rec = ar.rec;
  const now = eng.o.clock.now();
  const maxAttempts = fn?.maxAttempts ?? 1;
  const ops = result.ops;

  if (ops.length > MAX_OPS) {
    eng.o.store.deleteQueueItem(item.id);
    eng.finalize(ar, 'Failed', { error: { name: 'StepLimitError', message: `the function returned ${ops.length} ops in one response; the limit is ${MAX_OPS}` } });
    return;
  }
  if (ops.length === 0) {
    eng.retryOrFail(ar, item, { name: 'EmptyResponse', message: 'the SDK answered 206 with no ops' }, false, undefined, maxAttempts);
    return;
  }
  if (ops.filter((o) => !LAZY.has(o.op)).length > 1) rec.forceStepPlan = true;
  // The step this request asked for was superseded while the request was out (see supersedeMissing).
  const stale = eng.isSuperseded(ar, item.stepId);

  const ordered = [...ops.filter((o) => PRIORITY.has(o.op)), ...ops.filter((o) => !PRIORITY.has(o.op))];
  let completed = false;
  let retried = false;
  let discovery = false;
  const calls: { op: SdkOp; req: GatewayRequest }[] = [];

  const fail = (op: SdkOp, error: SerializedError): void => {
    const s = eng.touchStep(ar, op.id, {}, op, false);
    if (!s.attempts.some((a) => a.endedAt === undefined)) s.attempts.push({ attempt: item.attempt, startedAt: now });
    if (RAN_CODE.has(op.op)) claimCut(ar, inflight, s);
    eng.saveResult(ar, op.id, { error }, { status: 'failed', error }, op);
    completed = true;
  };

  for (const op of ordered) {
    if (eng.isTerminal(rec.status)) break;
    switch (op.op) {
      case 'StepRun':
      case 'Step': {
        if (!ar.memo.has(op.id) && ar.memo.size >= MAX_STEPS_PER_RUN) {
          eng.o.store.deleteQueueItem(item.id);
          eng.finalize(ar, 'Failed', { error: stepLimitError() });
          return;
        }
        // A UTF-16 unit is at most 3 bytes of UTF-8: an answer that small cannot hold an output over the limit.
        const tooLarge = result.bodyLength * 3 <= MAX_STEP_OUTPUT_BYTES ? undefined : outputTooLarge(op.data);
        if (tooLarge) {
          fail(op, tooLarge);
          break;
        }
        // A superseded step that still ran (its request was already out) is recorded, but the
        // discovery that superseded it already moved the run on: it asks for no new discovery.
        const late = stale && op.id === item.stepId;
        const startedAt = op.timing?.a ? Math.round(op.timing.a / 1e6) : undefined;
        const endedAt = op.timing?.a && op.timing.b !== undefined ? Math.round((op.timing.a + op.timing.b) / 1e6) : undefined;
        const s = eng.touchStep(ar, op.id, {}, op, false);
        if (s.attempts.length === 0 || s.attempts.every((a) => a.endedAt !== undefined)) {
          s.attempts.push({ attempt: item.attempt, startedAt: startedAt ?? now });
        }
        claimCut(ar, inflight, s);
        eng.saveResult(ar, op.id, { data: op.data === undefined ? null : op.data }, { status: 'completed', startedAt: s.startedAt ?? startedAt ?? now, endedAt: endedAt ?? now, error: undefined }, op);
        if (!late) completed = true;
        break;
      }
      case 'StepPlanned': {
        if (ar.memo.has(op.id) || ar.pending.has(op.id)) break;
        ar.pending.add(op.id);
        eng.touchStep(ar, op.id, { status: 'planned' }, op);
        eng.enqueue(ar, { id: `${rec.id}:${op.id}:plan`, kind: 'exec', stepId: op.id, attempt: 0, runAt: now });
        break;
      }
      case 'Sleep': {
        if (ar.memo.has(op.id) || ar.pending.has(op.id)) break;
        const spec = op.opts?.duration ?? op.name;
        const until = sleepUntil(spec, now);
        if (until === null) {
          fail(op, { name: 'InvalidSleep', message: `cannot read the sleep duration ${JSON.stringify(spec)}: use e.g. "30s", "1h" or a date` });
          break;
        }
        ar.pending.add(op.id);
        eng.touchStep(ar, op.id, { status: 'sleeping', startedAt: now, sleep: { until } }, op);
        eng.enqueue(ar, { id: `${rec.id}:${op.id}:wake`, kind: 'wake', stepId: op.id, hashedId: op.id, attempt: 0, runAt: until });
        break;
      }
      case 'WaitForEvent': {
        if (ar.memo.has(op.id) || ar.pending.has(op.id)) break;
        const event = String(op.opts?.event ?? op.name ?? '');
        const expr = typeof op.opts?.if === 'string' && op.opts.if.trim() !== '' ? op.opts.if : undefined;
        if (expr) {
          try {
            compile(expr);
          } catch (e) {
            eng.o.store.deleteQueueItem(item.id);
            eng.finalize(ar, 'Failed', { error: { name: 'ExpressionError', message: (e as ExpressionError).message } });
            return;
          }
        }
        const t = parseDuration(op.opts?.timeout);
        const expiresAt = now + Math.min(t ?? 0, YEAR_MS);
        ar.pending.add(op.id);
        const earlier = earlierMatch(eng, ar, event, expr, now);
        eng.touchStep(ar, op.id, { status: 'waiting', startedAt: now, wait: { event, if: expr, expiresAt, ...(earlier ? { earlier } : {}) } }, op);
        eng.addPause(ar, { id: `${rec.id}:${op.id}`, hashedId: op.id, kind: 'wait', eventName: event, expression: expr, expiresAt });
        break;
      }
      case 'InvokeFunction': {
        if (ar.memo.has(op.id) || ar.pending.has(op.id)) break;
        const target = String(op.opts?.function_id ?? '');
        const t = op.opts?.timeout !== undefined ? parseDuration(op.opts.timeout) : null;
        const expiresAt = t === null ? null : now + Math.min(t, YEAR_MS);
        const correlationId = `${rec.id}.${op.id}`;
        ar.pending.add(op.id);
        const s = eng.touchStep(ar, op.id, { status: 'waiting', startedAt: now, invoke: { functionId: target, expiresAt: expiresAt ?? undefined } }, op);
        const pause = eng.addPause(ar, { id: `${rec.id}:${op.id}`, hashedId: op.id, kind: 'invoke', eventName: 'inngest/function.finished', expiresAt, correlationId, functionId: target });
        if (!eng.o.functions.get(target)) {
          eng.resolvePause(pause, { error: { name: 'Error', message: `could not invoke ${target}: no synced app serves a function with that id` } });
          break;
        }
        const payload = (op.opts?.payload ?? {}) as { data?: Record<string, unknown>; user?: Record<string, unknown> };
        const data = {
          ...(payload.data && typeof payload.data === 'object' ? payload.data : {}),
          _inngest: { fn_id: target, correlation_id: correlationId, source_fn_id: rec.functionId, source_app_id: rec.appId, expire: expiresAt ?? undefined },
        };
        const ev = eng.o.publish(INVOKED_EVENT, data);
        const child = eng.o.store.runIdsForEvent(ev.internalId)[0];
        if (child) {
          s.invoke = { ...s.invoke!, childRunId: child };
          (rec.childRunIds ??= []).push(child);
          eng.o.store.putStep(rec.id, s);
        }
        break;
      }
      case 'StepError': {
        const error = op.error ?? { name: 'Error', message: 'step failed' };
        if (stale && op.id === item.stepId) {
          // The step was superseded while this request was out: no retry (it no longer exists).
          eng.closeAttempt(ar, { ...item, stepId: op.id }, error);
          break;
        }
        if (!result.noRetry && item.attempt + 1 < maxAttempts) {
          const s = eng.touchStep(ar, op.id, {}, op, false);
          const open = s.attempts.find((a) => a.endedAt === undefined);
          if (open) Object.assign(open, { endedAt: now, error });
          else s.attempts.push({ attempt: item.attempt, startedAt: now, endedAt: now, error });
          claimCut(ar, inflight, s);
          eng.touchStep(ar, op.id, { status: 'retrying', error }, op);
          eng.retryOrFail(ar, item, error, false, result.retryAfter, maxAttempts);
          retried = true;
        } else {
          fail(op, error);
        }
        break;
      }
      case 'StepFailed':
        fail(op, op.error ?? { name: 'Error', message: 'step failed' });
        break;
      case 'RunComplete':
        eng.o.store.deleteQueueItem(item.id);
        eng.finalize(ar, 'Completed', { output: op.data });
        return;
      case 'DiscoveryRequest':
        discovery = true;
        break;
      case 'DeferAdd':
      case 'DeferAbort':
        break;
      case 'Gateway':
      case 'AIGateway': {
        if (ar.memo.has(op.id) || gatewayInFlight(eng, rec.id, op.id) || calls.some((c) => c.op.id === op.id)) break;
        const req = gatewayRequest(op);
        if ('error' in req) {
          fail(op, req.error);
          break;
        }
        ar.pending.add(op.id);
        const s = eng.touchStep(ar, op.id, {}, op, false);
        s.startedAt ??= now;
        s.error = undefined;
        s.attempts.push({ attempt: item.attempt, startedAt: now });
        eng.touchStep(ar, op.id, { status: 'running' }, op);
        calls.push({ op, req });
        break;
      }
      case 'WaitForSignal': {
        if (ar.memo.has(op.id)) break;
        const r = waitForSignal(eng, ar, op);
        if (r.kind === 'invalid') fail(op, r.error);
        else if (r.kind === 'conflict') {
          eng.touchStep(ar, op.id, { status: 'failed', error: r.error, startedAt: now, endedAt: now }, op);
          eng.o.store.deleteQueueItem(item.id);
          eng.finalize(ar, 'Failed', { error: r.error });
          return;
        }
        break;
      }
      default:
        fail(op, { name: 'UnsupportedOp', message: `Steplens does not run ${op.op} ops yet` });
    }
  }
  // Outbound calls keep this queue item in the store until they settle: after a crash it runs
  // again, and the SDK reports the calls again (at-least-once, like a step in flight).
  const keep = calls.length > 0 && !retried && !eng.isTerminal(rec.status);
  if (!retried && !keep) eng.o.store.deleteQueueItem(item.id);
  if (calls.length > 0 && !eng.isTerminal(rec.status)) startGateway(eng, ar, keep ? item : undefined, maxAttempts, calls);
  if (eng.isTerminal(rec.status)) return;
  const superseded = supersedeMissing(eng, ar, inflight, ops);
  if (completed) eng.afterResult(ar);
  else if (discovery) eng.enqueueDiscovery(ar);
  else if (superseded && ar.pending.size === 0) {
    // Nothing left to wait for and nothing new planned: look again rather than stall.
    rec.forceStepPlan = false;
    eng.enqueueDiscovery(ar);
  }
}

// --- step.fetch / step.ai.infer: the executor's own HTTP calls ----------------------------------

/** The calls one SDK answer started; its queue item is retried once all of them settled, if one failed. */
interface GatewayBatch {
  ar: ActiveRun;
  /** Absent when the answer also retried its item (a StepError): failures are then final. */
  item: QueueItem | undefined;
  maxAttempts: number;
  running: number;
  failed: { opId: string; error: SerializedError }[];
}

/** Calls in flight per engine, by `<runId>:<opId>` (a step reported again meanwhile is not called twice). */
const gatewayCalls = new WeakMap<Engine, Map<string, GatewayBatch>>();

function callsOf(eng: Engine): Map<string, GatewayBatch> {
  let m = gatewayCalls.get(eng);
  if (!m) gatewayCalls.set(eng, (m = new Map()));
  return m;
}

function gatewayInFlight(eng: Engine, runId: string, opId: string): boolean {
  return callsOf(eng).has(`${runId}:${opId}`);
}

function startGateway(eng: Engine, ar: ActiveRun, item: QueueItem | undefined, maxAttempts: number, calls: { op: SdkOp; req: GatewayRequest }[]): void {
  const batch: GatewayBatch = { ar, item, maxAttempts, running: calls.length, failed: [] };
  const m = callsOf(eng);
  for (const { op, req } of calls) {
    m.set(`${ar.rec.id}:${op.id}`, batch);
    void performGateway(req, { signal: eng.signal })
      .catch((e: unknown): GatewayOutcome => ({ ok: false, retriable: true, error: { name: 'GatewayError', message: `Error making gateway request: ${String(e)}` } }))
      .then((outcome) => {
        // Stopping: the call was cut short, not failed; its kept queue item makes it again after the restart.
        if (eng.signal.aborted) return;
        try {
          eng.o.store.tx(() => settleGateway(eng, batch, op, outcome));
        } catch (e) {
          // The store is closed (shutting down): the kept queue item replays the call after a restart.
          eng.o.log.error(`run ${ar.rec.id}: could not record the result of ${op.op} ${op.id}: ${(e as Error)?.message ?? String(e)}`);
        }
      });
  }
}

/** One call settled: store its result (or failure), and once the batch is done retry its item if a call failed. */
function settleGateway(eng: Engine, b: GatewayBatch, op: SdkOp, outcome: GatewayOutcome): void {
  const { ar } = b;
  callsOf(eng).delete(`${ar.rec.id}:${op.id}`);
  b.running--;
  // Finished (cancelled, failed elsewhere) while the call was out: its queue items are gone already.
  if (eng.peek(ar.rec.id) !== ar || eng.isTerminal(ar.rec.status)) return;
  const now = eng.o.clock.now();
  let saved = false;
  if (outcome.ok) {
    eng.saveResult(ar, op.id, outcome.value, { status: 'completed', error: undefined, endedAt: now });
    saved = true;
  } else if (outcome.retriable && b.item && b.item.attempt + 1 < b.maxAttempts) {
    const s = eng.touchStep(ar, op.id, {}, op, false);
    const open = s.attempts.find((a) => a.endedAt === undefined);
    if (open) Object.assign(open, { endedAt: now, error: outcome.error });
    eng.touchStep(ar, op.id, { status: 'retrying', error: outcome.error }, op);
    b.failed.push({ opId: op.id, error: outcome.error });
  } else {
    eng.saveResult(ar, op.id, { error: outcome.error }, { status: 'failed', error: outcome.error, endedAt: now });
    saved = true;
  }
  if (b.running === 0 && b.item) {
    if (b.failed.length > 0) {
      // Like a StepError: the same queue item again after the backoff; the SDK reports the call again.
      for (const f of b.failed) ar.pending.delete(f.opId);
      eng.retryOrFail(ar, b.item, b.failed[0]!.error, false, undefined, b.maxAttempts);
    } else eng.o.store.deleteQueueItem(b.item.id);
  }
  if (saved) eng.afterResult(ar);
  if (!eng.isTerminal(ar.rec.status)) eng.persist(ar);
}

/** Ops a discovery answer lists as steps it found and that are not memoized yet. */
const FOUND = new Set(['StepPlanned', 'Sleep', 'WaitForEvent', 'InvokeFunction', 'AIGateway', 'Gateway', 'WaitForSignal']);
/** Statuses of a step that has (or had) an execution queue item of its own. */
const PLANNED = new Set(['planned', 'running', 'retrying']);

/**
 * A discovery answer that only lists found steps lists *every* step the code reached that is not
 * memoized (both SDKs: `filterNewSteps` reports all found steps without state). A step that was
 * planned when the discovery was sent, is still pending, and is missing from that list no longer
 * exists in the code (renamed or removed mid-run): drop its queue item (a retry waiting for its
 * backoff included) so it is never requested again, instead of paying the SDK's 10 s
 * step-not-found search. Should a later discovery report it again, it is planned afresh.
 * Returns whether any step was dropped.
 */
function supersedeMissing(eng: Engine, ar: ActiveRun, inflight: Inflight, ops: SdkOp[]): boolean {
  const before = inflight.pendingAtSend;
  if (inflight.item.stepId !== 'step' || !before || before.size === 0) return false;
  const found = ops.filter((o) => !LAZY.has(o.op));
  if (found.length === 0 || !found.every((o) => FOUND.has(o.op))) return false;
  const reported = new Set(found.map((o) => o.id));
  const now = eng.o.clock.now();
  let dropped = false;
  for (const id of before) {
    const s = ar.steps.get(id);
    if (reported.has(id) || !ar.pending.has(id) || !s || !PLANNED.has(s.status)) continue;
    eng.dropItem({ id: `${ar.rec.id}:${id}:plan` } as QueueItem);
    ar.pending.delete(id);
    const error = { name: 'StepSuperseded', message: `step "${s.userId}" is no longer in the function's code (a discovery did not find it); it will not run again` };
    eng.touchStep(ar, id, { status: 'cancelled', error, endedAt: now });
    eng.o.log.info(`run ${ar.rec.id}: step ${s.userId} (${id}) superseded by a code change; dropped its queue item`);
    dropped = true;
  }
  return dropped;
}

function sleepUntil(spec: unknown, now: number): number | null {
  if (typeof spec === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(spec)) {
    const d = Date.parse(spec);
    return Number.isNaN(d) ? null : Math.min(d, now + YEAR_MS);
  }
  const ms = parseDuration(spec);
  return ms === null ? null : now + Math.min(ms, YEAR_MS);
}
