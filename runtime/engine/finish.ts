// Finishing a run (PROTOCOL §13): the final record, clearing its queue items and pauses, and
// the inngest/function.finished (+ .failed / .cancelled) events that onFailure handlers and
// invoking parents wait for.
import type { SerializedError } from '../api';
import { CANCELLED_EVENT, FAILED_EVENT, FINISHED_EVENT } from '../functions';
import type { ActiveRun, Engine } from './engine';
import { runSummary } from './views';

export function finalize(eng: Engine, ar: ActiveRun, status: 'Completed' | 'Failed' | 'Cancelled', r: { output?: unknown; error?: SerializedError; reason?: string }): void {
  const rec = ar.rec;
  if (eng.isTerminal(rec.status)) return;
  const now = eng.o.clock.now();
  rec.status = status;
  rec.endedAt = now;
  rec.startedAt ??= now;
  rec.output = status === 'Completed' ? (r.output === undefined ? null : r.output) : undefined;
  rec.error = status === 'Completed' ? undefined : r.error;
  if (r.reason) rec.cancelReason = r.reason;
  ar.pending.clear();
  for (const s of ar.steps.values()) {
    if (s.status === 'sleeping' || s.status === 'waiting' || s.status === 'planned' || s.status === 'running' || s.status === 'retrying') {
      if (status === 'Cancelled' || s.status !== 'retrying') eng.touchStep(ar, s.hashedId, { status: status === 'Failed' && s.status === 'retrying' ? 'failed' : 'cancelled', endedAt: now });
    }
  }
  eng.o.store.deleteQueueForRun(rec.id);
  eng.o.store.deletePausesForRun(rec.id);
  eng.scheduler.removeRun(rec.id);
  eng.pauses.removeRun(rec.id);
  ar.rec.pending = [];
  eng.o.store.putRun(rec);
  eng.evict(rec.id);
  eng.o.bus.emit({ type: 'run.finished', run: runSummary(rec) });
  if (!rec.noFinishEvents) publishFinish(eng, ar, status);
}

function publishFinish(eng: Engine, ar: ActiveRun, status: 'Completed' | 'Failed' | 'Cancelled'): void {
  const rec = ar.rec;
  const data: Record<string, unknown> = {
    function_id: rec.functionId,
    run_id: rec.id,
    event: ar.events[0] ?? null,
    events: ar.events,
    _inngest: { status },
  };
  if (status === 'Completed') data.result = rec.output ?? null;
  else data.error = rec.error ?? { name: 'Error', message: status === 'Cancelled' ? `run cancelled${rec.cancelReason ? ': ' + rec.cancelReason : ''}` : 'run failed' };
  if (rec.correlationId) data.correlation_id = rec.correlationId;
  try {
    eng.o.publish(FINISHED_EVENT, data);
    if (status === 'Failed') eng.o.publish(FAILED_EVENT, data, rec.id);
    if (status === 'Cancelled') eng.o.publish(CANCELLED_EVENT, data, `${rec.id}-cancelled`);
  } catch (e) {
    eng.o.log.error(`could not publish the finish events of run ${rec.id}: ${(e as Error).message}`);
  }
}
