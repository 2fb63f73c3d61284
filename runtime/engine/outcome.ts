// What the app's answer to one execution request does to its run (PROTOCOL §4-5): complete it,
// apply its ops, retry the attempt after the backoff, wait for an app that is down, fall back to
// discovery for a step renamed in code, or fail the run. Runs inside the engine's decision.
import type { SerializedError } from '../api';
import type { FunctionRecord, QueueItem } from '../model';
import { backoffMs } from './backoff';
import type { ActiveRun, Engine, Inflight } from './engine';
import { noteCut } from './interrupted';
import { applyOps } from './ops';
import type { SdkResult } from './sdk-client';

/** How often a run whose app refuses connections tries again. */
const APP_DOWN_RETRY_MS = 2000;

/** Turns what the app answered to one request into run state: done, new ops, retry, wait for the app, or fail. */
export function applyResult(eng: Engine, ar: ActiveRun, inflight: Inflight, result: SdkResult, fn: FunctionRecord | undefined): void {
  const { item } = inflight;
  const rec = ar.rec;
  if (result.kind !== 'error' && rec.requestVersion === -1 && result.version !== null) rec.requestVersion = result.version;
  if (rec.hold?.rule === 'app-unreachable' && !(result.kind === 'error' && result.error.code === 'unreachable')) rec.hold = undefined;
  switch (result.kind) {
    case 'complete':
      eng.o.store.deleteQueueItem(item.id);
      eng.finalize(ar, 'Completed', { output: result.output });
      return;
    case 'ops':
      applyOps(eng, ar, inflight, result, fn);
      return;
    case 'error': {
      if (result.interrupted) noteCut(eng, ar, inflight, result.error, result.interrupted);
      if (eng.isSuperseded(ar, item.stepId)) {
        // A discovery answered while this request was out and no longer reports the step: that
        // discovery already moved the run on, so this late answer neither retries, fails the run,
        // nor asks for another discovery.
        eng.o.store.deleteQueueItem(item.id);
        closeAttempt(eng, ar, item, result.error);
        return;
      }
      if (result.stepNotFound && item.stepId !== 'step') {
        // The step was renamed or removed in code: forget it and rediscover (PROTOCOL §17.11).
        eng.dropItem(item);
        ar.pending.delete(item.stepId);
        const s = ar.steps.get(item.stepId);
        if (s) eng.touchStep(ar, item.stepId, { status: 'cancelled', error: result.error, endedAt: eng.o.clock.now() });
        if (ar.pending.size === 0) {
          rec.forceStepPlan = false;
          eng.enqueueDiscovery(ar);
        }
        return;
      }
      if (result.status === null && result.error.code === 'unreachable') {
        // The app is down: that is not the function failing. Keep the attempt and wait for it.
        holdForApp(eng, ar, item, result.error.message);
        return;
      }
      const max = fn?.maxAttempts ?? 1;
      if (item.stepId !== 'step') recordAttemptError(eng, ar, item, result.error, !result.noRetry && item.attempt + 1 < max);
      retryOrFail(eng, ar, item, result.error, result.noRetry, result.retryAfter, max);
      return;
    }
  }
}

/** Ends the open attempt of `item` with `error` without changing the step's status. */
export function closeAttempt(eng: Engine, ar: ActiveRun, item: QueueItem, error: SerializedError): void {
  const s = ar.steps.get(item.stepId);
  const a = s?.attempts.find((x) => x.attempt === item.attempt && x.endedAt === undefined);
  if (!s || !a) return;
  a.endedAt = eng.o.clock.now();
  a.error = error;
  eng.o.store.putStep(ar.rec.id, s);
}

/** Re-queues `item` unchanged (same attempt) while its app refuses connections. */
function holdForApp(eng: Engine, ar: ActiveRun, item: QueueItem, detail: string): void {
  const now = eng.o.clock.now();
  const delay = Math.max(200, Math.min(eng.o.retry.fixedMs ?? APP_DOWN_RETRY_MS, APP_DOWN_RETRY_MS));
  const next: QueueItem = { ...item, runAt: now + delay };
  eng.o.store.putQueueItem(next);
  eng.scheduler.add(next);
  ar.rec.hold = { rule: 'app-unreachable', detail: `${detail} (trying again every ${Math.round(delay / 100) / 10} s)`, until: next.runAt };
  const s = item.stepId !== 'step' ? ar.steps.get(item.stepId) : undefined;
  const open = s?.attempts.find((a) => a.attempt === item.attempt && a.endedAt === undefined);
  if (s && open) s.attempts.splice(s.attempts.indexOf(open), 1);
}

/** Retries `item` after the backoff, or fails the run when it may not. */
export function retryOrFail(eng: Engine, ar: ActiveRun, item: QueueItem, error: SerializedError, noRetry: boolean, retryAfter: string | undefined, maxAttempts: number): void {
  if (!noRetry && item.attempt + 1 < maxAttempts) {
    const now = eng.o.clock.now();
    const next: QueueItem = { ...item, attempt: item.attempt + 1, runAt: now + backoffMs(item.attempt, eng.o.retry, retryAfter, now) };
    eng.o.store.putQueueItem(next);
    eng.scheduler.add(next);
    ar.rec.error = error;
    return;
  }
  eng.o.store.deleteQueueItem(item.id);
  eng.finalize(ar, 'Failed', { error });
}

function recordAttemptError(eng: Engine, ar: ActiveRun, item: QueueItem, error: SerializedError, willRetry: boolean): void {
  const s = ar.steps.get(item.stepId);
  if (!s) return;
  const a = s.attempts.find((x) => x.attempt === item.attempt && x.endedAt === undefined);
  if (a) {
    a.endedAt = eng.o.clock.now();
    a.error = error;
  }
  eng.touchStep(ar, item.stepId, { status: willRetry ? 'retrying' : 'failed', error });
}
