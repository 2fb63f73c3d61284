// `step.waitForSignal` (op `WaitForSignal`) and `POST /v1/signals` (the SDK's `sendSignal` and
// `step.sendSignal`), as the Inngest executor does them (see runtime/ARCHITECTURE.md, "Protocol
// decisions"): a durable pause keyed by the signal name, resolved by the signal API with
// `{data: {signal, data}}` or by its timeout with `null`. One live wait per signal name: a second
// wait fails its run (`onConflict: "fail"`, the default) or takes the signal over (`"replace"`;
// the older wait then waits for its timeout).
import type { SendSignalResponse, SerializedError, SignalError } from '../api';
import { parseDuration } from './backoff';
import type { ActiveRun, Engine } from './engine';
import type { LivePause } from './pauses';
import type { SdkOp } from './sdk-client';

const YEAR_MS = 365 * 24 * 3600 * 1000;
/** Step output limit (PROTOCOL §14): a signal's data becomes a step's memoized value. */
export const MAX_SIGNAL_BODY_BYTES = 4 * 1024 * 1024;

export type SignalOpResult =
  /** The pause exists (new, or already there from an earlier report of the same op). */
  | { kind: 'waiting' }
  /** The op cannot be waited on: store this error as the step's failure. */
  | { kind: 'invalid'; error: SerializedError }
  /** Another run waits for the signal and this wait may not replace it: fail the run. */
  | { kind: 'conflict'; error: SerializedError };

/** When the wait times out: `opts.timeout` as a duration or a date; none means one year (as Go). */
export function signalExpiry(timeout: unknown, now: number): number | null {
  if (timeout === undefined || timeout === null || timeout === '') return now + YEAR_MS;
  if (typeof timeout === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(timeout)) {
    const at = Date.parse(timeout);
    return Number.isNaN(at) ? null : Math.min(Math.max(at, now), now + YEAR_MS);
  }
  const ms = parseDuration(timeout);
  return ms === null ? null : now + Math.min(Math.max(ms, 0), YEAR_MS);
}

/** Parks the run on a `WaitForSignal` op. Call inside the decision's transaction. */
export function waitForSignal(eng: Engine, ar: ActiveRun, op: SdkOp): SignalOpResult {
  const rec = ar.rec;
  const now = eng.o.clock.now();
  const pauseId = `${rec.id}:${op.id}`;
  if (eng.pauses.get(pauseId)) return { kind: 'waiting' };
  const signal = op.opts?.signal ?? op.name;
  if (typeof signal !== 'string' || signal === '') {
    return { kind: 'invalid', error: { name: 'InvalidSignal', message: 'step.waitForSignal needs a non-empty `signal` name' } };
  }
  const expiresAt = signalExpiry(op.opts?.timeout, now);
  if (expiresAt === null) {
    return {
      kind: 'invalid',
      error: { name: 'InvalidSignal', message: `cannot read the timeout ${JSON.stringify(op.opts?.timeout)} of step.waitForSignal "${signal}": use e.g. "30s", "1h" or a date` },
    };
  }
  const conflict: 'replace' | 'fail' = op.opts?.conflict === 'replace' ? 'replace' : 'fail';
  const owner = eng.pauses.bySignalName(signal);
  if (owner && owner.id !== pauseId) {
    if (conflict !== 'replace') {
      const where = owner.runId === rec.id ? 'another step of this run' : `run ${owner.runId}`;
      return {
        kind: 'conflict',
        error: {
          name: 'SignalConflictError',
          message: `signal "${signal}" is already awaited by ${where}; only one wait per signal may exist. Use a unique signal name per run, or onConflict: "replace" to take the signal over`,
        },
      };
    }
    eng.pauses.unlinkSignal(owner);
    const { trigger: _t, ...durable } = owner;
    eng.o.store.putPause(durable);
    eng.o.log.info(`signal ${JSON.stringify(signal)}: the wait of run ${rec.id} replaced the wait of run ${owner.runId} (which now only times out)`);
  }
  ar.pending.add(op.id);
  eng.touchStep(ar, op.id, { status: 'waiting', startedAt: now, signal: { name: signal, expiresAt, conflict } }, op);
  eng.addPause(ar, { id: pauseId, hashedId: op.id, kind: 'wait', eventName: signal, expiresAt, signal, conflict });
  return { kind: 'waiting' };
}

export type SignalReply = { status: 200; body: SendSignalResponse } | { status: 400 | 404; body: SignalError };

/**
 * `POST /v1/signals` with the raw body text: resumes the run waiting for the signal with
 * `{data: {signal, data}}`, committed before the answer. 404 when nobody waits (the SDK reads it
 * as "no run"), 400 for a body that is not `{signal: string, data?}`.
 */
export function sendSignal(eng: Engine, text: string): SignalReply {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return bad(`the body is not valid JSON (${(e as Error).message}); send {"signal": "<name>", "data": ...}`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('the body must be an object: {"signal": "<name>", "data": ...}');
  const { signal, data } = body as { signal?: unknown; data?: unknown };
  if (typeof signal !== 'string' || signal === '') return bad('"signal" must be a non-empty string');
  const now = eng.o.clock.now();
  const runId = eng.o.store.tx(() => {
    const p: LivePause | undefined = eng.pauses.bySignalName(signal);
    // An expired wait is resolved by its timeout item (null), never by a late signal.
    if (!p || (p.expiresAt !== null && p.expiresAt <= now)) return null;
    eng.resolvePause(p, { data: { signal, data: data === undefined ? null : data } });
    return p.runId;
  });
  if (runId === null) {
    return { status: 404, body: { error: `no run is waiting for signal "${signal}"`, status: 404, hint: 'A run waits for a signal from the moment its step.waitForSignal is reached until it times out' } };
  }
  return { status: 200, body: { data: { run_id: runId }, metadata: { fetched_at: new Date(now).toISOString(), cached_until: null } } };
}

function bad(error: string): SignalReply {
  return { status: 400, body: { error, status: 400 } };
}
