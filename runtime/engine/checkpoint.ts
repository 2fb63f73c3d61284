// v4 async checkpointing (PROTOCOL §7): steps the SDK ran inline arrive here *during* the
// execution request and must be durable before the 200, or the SDK would run them again.
import type { Engine } from './engine';
import { opSummary } from './describe';
import { claimCut } from './interrupted';
import { MAX_STEPS_PER_RUN, outputTooLarge, stepLimitError } from './ops';
import type { SdkOp } from './sdk-client';
import { runSummary } from './views';

export function checkpoint(eng: Engine, runId: string, body: unknown): { status: number; error?: string } {
  const b = body as { qi_id?: unknown; steps?: unknown };
  if (!b || typeof b !== 'object' || !Array.isArray(b.steps)) return { status: 400, error: 'checkpoint body needs a steps array' };
  const ar = eng.load(runId);
  if (!ar) return { status: 409, error: `run ${runId} is not running` };
  const inflight = typeof b.qi_id === 'string' ? ar.inflight.get(b.qi_id) : undefined;
  // Only the dispatch in flight may checkpoint. One from before a restart (the SDK retries a
  // failed checkpoint for ~2 s) is stale: 409 makes the SDK stop instead of running on beside
  // the new dispatch.
  if (!inflight) return { status: 409, error: `stale dispatch: queue item ${String(b.qi_id)} is not running` };
  // The same queue item re-sent after a restart has a new request id.
  const reqId = (body as { request_id?: unknown }).request_id;
  if (typeof reqId === 'string' && reqId !== '' && reqId !== inflight.requestId) return { status: 409, error: `stale dispatch: request ${reqId} is not the current one` };
  const ops = b.steps as SdkOp[];
  for (const op of ops) {
    if (!op || typeof op !== 'object' || typeof op.op !== 'string') return { status: 400, error: 'checkpoint step without an op' };
    if (!['StepRun', 'StepPlanned', 'DeferAdd', 'DeferAbort'].includes(op.op)) return { status: 400, error: `op ${op.op} cannot be checkpointed` };
  }
  // Over Inngest's limits: refuse, so the SDK falls back to returning the ops in its answer (after its
  // checkpoint retries), where they fail the step or the run with the limit's message.
  const fresh = ops.filter((op) => op.op === 'StepRun' && typeof op.id === 'string' && !ar.memo.has(op.id));
  if (ar.memo.size + fresh.length > MAX_STEPS_PER_RUN) return { status: 400, error: stepLimitError().message };
  for (const op of fresh) {
    const tooLarge = outputTooLarge(op.data);
    if (tooLarge) return { status: 400, error: tooLarge.message };
  }
  eng.o.store.tx(() => {
    for (const op of ops) {
      if (op.op === 'StepRun' && typeof op.id === 'string') {
        const startedAt = op.timing?.a ? Math.round(op.timing.a / 1e6) : eng.o.clock.now();
        const endedAt = op.timing?.b !== undefined && op.timing?.a ? Math.round((op.timing.a + op.timing.b) / 1e6) : eng.o.clock.now();
        // The attempt first, so the step is stored with it.
        const s = eng.touchStep(ar, op.id, {}, op, false);
        if (s.attempts.length === 0) s.attempts.push({ attempt: inflight.item.attempt, startedAt, endedAt });
        claimCut(ar, inflight, s);
        eng.saveResult(ar, op.id, { data: op.data === undefined ? null : op.data }, { status: 'completed', startedAt: s.startedAt ?? startedAt, endedAt }, op);
      }
      inflight.exchange.ops.push({ ...opSummary(op), checkpointed: true });
    }
    inflight.item.attempt = 0;
    // The run row itself is rewritten when the execution request returns; a checkpoint only
    // has to make the step results durable (they are what a restart must not lose).
    eng.o.bus.emit({ type: 'run.updated', run: runSummary(ar.rec) });
  });
  return { status: 200 };
}
