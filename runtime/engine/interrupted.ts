// Requests cut off before their answer (executor audit F8): the app went away mid-request (a restart
// on save, a crash) or the executor stopped (Ctrl-C, kill -9). Each such attempt stays in the run's
// history: on its exchange, and in the attempts of the step it was running.
//
// * A request for a planned step names its step: the attempt is marked on it at once.
// * A discovery runs steps inline (v3 immediate execution, v4 checkpointing) without naming them.
//   The cut is kept on the run (`RunRecord.cutDiscoveries`) with the number of memoized steps after
//   it; the next discovery sent from that same state runs, first, the step the cut one was running
//   (the code is deterministic up to there), so the first step that request runs takes the attempt
//   (`inferred`). When that request runs no step first (a sleep, a wait, parallel planning, the
//   end), the cut stays on the exchange only.
// * The exchange is written when the request leaves, marked `inFlight`, inside the same group commit
//   as the decision that set it off (no commit of its own: the request still leaves before the
//   commit, as ARCHITECTURE.md describes). After a kill, `recoverInFlight` turns what is left into
//   cut exchanges when the run is loaded again. A kill inside that one event-loop turn loses the
//   record together with the decision, and the step runs again as any step in flight does.
import type { SdkExchange, SerializedError, StepAttempt, StepInfo } from '../api';
import type { CutDiscovery } from '../model';
import type { ActiveRun, Engine, Inflight } from './engine';
import type { SdkResult } from './sdk-client';

export const EXECUTOR_STOPPED =
  'the executor stopped during the request (stopped or killed) before the app answered; the request was sent again after the restart (how long the app worked on it is not known)';

/** The same, said at once by an executor that is stopping (Ctrl-C, SIGTERM): it knows how long the request ran. */
export const EXECUTOR_STOPPING = 'the executor stopped during the request (Ctrl-C or a restart) before the app answered; the request is sent again when it starts';

/** Prefix of a stored exchange written when its request left (`inFlight` first, so a prefix test finds it). */
export const IN_FLIGHT_PREFIX = '{"inFlight":true';

/** How many unattributed cut discoveries a run keeps (an app restarting over and over). */
const MAX_CUTS = 10;

/** Stores the exchange of a request that is leaving now, in the current group commit. */
export function recordInFlight(eng: Engine, runId: string, ex: SdkExchange): void {
  const stored: SdkExchange = { inFlight: true, ...ex };
  eng.o.store.txDeferred(() => eng.o.store.putExchange(runId, ex.seq, stored));
}

/** An answer that was a cut (the app went away): mark the step's attempt, or keep it for the next discovery. Inside the decision. */
export function noteCut(eng: Engine, ar: ActiveRun, inflight: Inflight, error: SerializedError, by: 'app' | 'executor'): void {
  const { item, exchange } = inflight;
  if (item.stepId === 'step') {
    keepCut(ar, { seq: exchange.seq, attempt: item.attempt, startedAt: exchange.startedAt, endedAt: eng.o.clock.now(), error, by, stackAfter: ar.memo.size });
    return;
  }
  // The step's open attempt is this request's (one request per step at a time).
  const a = ar.steps.get(item.stepId)?.attempts.find((x) => x.attempt === item.attempt && x.endedAt === undefined && x.exchangeSeq === undefined);
  if (a) Object.assign(a, { interrupted: by, exchangeSeq: exchange.seq });
}

function keepCut(ar: ActiveRun, c: CutDiscovery): void {
  const cuts = (ar.rec.cutDiscoveries ??= []);
  cuts.push(c);
  if (cuts.length > MAX_CUTS) cuts.splice(0, cuts.length - MAX_CUTS);
}

/**
 * Step `s` is the first step a discovery request ran (a checkpoint or a StepRun/StepError in its
 * answer): discoveries cut off from the same state were running it. Call before `s` is saved.
 */
export function claimCut(ar: ActiveRun, inflight: Inflight, s: StepInfo): void {
  const cuts = ar.rec.cutDiscoveries;
  if (!cuts?.length || inflight.item.stepId !== 'step') return;
  const mine = cuts.filter((c) => c.stackAfter === inflight.exchange.stackSize);
  if (!mine.length) return;
  dropCuts(ar, mine);
  const attempts: StepAttempt[] = mine.map((c) => ({ attempt: c.attempt, startedAt: c.startedAt, endedAt: c.endedAt, error: c.error, interrupted: c.by, exchangeSeq: c.seq, inferred: true }));
  s.attempts.unshift(...attempts);
  s.startedAt = Math.min(s.startedAt ?? Infinity, mine[0]!.startedAt);
}

/** After a discovery's answer: cuts from its state that no step claimed stay on their exchange only. */
export function settleCuts(ar: ActiveRun, inflight: Inflight, result: SdkResult): void {
  const cuts = ar.rec.cutDiscoveries;
  if (!cuts?.length || inflight.item.stepId !== 'step' || result.kind === 'error') return;
  dropCuts(
    ar,
    cuts.filter((c) => c.stackAfter === inflight.exchange.stackSize),
  );
}

function dropCuts(ar: ActiveRun, gone: CutDiscovery[]): void {
  if (!gone.length) return;
  const left = (ar.rec.cutDiscoveries ?? []).filter((c) => !gone.includes(c));
  if (left.length) ar.rec.cutDiscoveries = left;
  else delete ar.rec.cutDiscoveries;
}

/**
 * The executor is stopping and cut this request off (its store is still open): record the cut now,
 * with its real duration, instead of leaving it to `recoverInFlight` after the restart.
 */
export function noteStopped(eng: Engine, ar: ActiveRun, inflight: Inflight): void {
  const { store } = eng.o;
  const { item, exchange } = inflight;
  const now = eng.o.clock.now();
  const error: SerializedError = { name: 'ExecutorStopped', message: EXECUTOR_STOPPING };
  try {
    store.tx(() => {
      store.putExchange(ar.rec.id, exchange.seq, { ...exchange, durationMs: now - exchange.startedAt, status: null, error, interrupted: 'executor' } satisfies SdkExchange);
      if (eng.isTerminal(ar.rec.status)) return;
      if (item.stepId === 'step') {
        keepCut(ar, { seq: exchange.seq, attempt: item.attempt, startedAt: exchange.startedAt, endedAt: now, error, by: 'executor', stackAfter: ar.memo.size });
      } else {
        const s = ar.steps.get(item.stepId);
        const a = s?.attempts.find((x) => x.attempt === item.attempt && x.endedAt === undefined && x.exchangeSeq === undefined);
        if (s && a) {
          Object.assign(a, { endedAt: now, error, interrupted: 'executor', exchangeSeq: exchange.seq });
          store.putStep(ar.rec.id, s);
        }
      }
      ar.rec.pending = [...ar.pending];
      store.putRun(ar.rec);
    });
  } catch (e) {
    // The store is closing too: the in-flight record stays, and the restart turns it into a cut.
    eng.o.log.debug(`run ${ar.rec.id}: could not record the request cut by the stop: ${(e as Error)?.message ?? String(e)}`);
  }
}

/**
 * A run loaded from the store (after a restart): requests that were out when the executor stopped
 * become cut exchanges and attempts, and the exchange counter moves past them.
 */
export function recoverInFlight(eng: Engine, ar: ActiveRun): void {
  const { store } = eng.o;
  const runId = ar.rec.id;
  const max = store.maxExchangeSeq(runId);
  if (max !== undefined && ar.rec.exchangeSeq <= max) ar.rec.exchangeSeq = max + 1;
  const left = store.inFlightExchanges<SdkExchange>(runId);
  if (!left.length) return;
  const error: SerializedError = { name: 'ExecutorStopped', message: EXECUTOR_STOPPED };
  store.tx(() => {
    for (const ex of left) {
      const { inFlight: _f, ...rest } = ex;
      store.putExchange(runId, ex.seq, { ...rest, status: null, error, interrupted: 'executor' } satisfies SdkExchange);
      // When the executor died is not known: the attempt is shown as cut where it began.
      if (ex.stepId === 'step') {
        keepCut(ar, { seq: ex.seq, attempt: ex.attempt, startedAt: ex.startedAt, endedAt: ex.startedAt, error, by: 'executor', stackAfter: ar.memo.size });
        continue;
      }
      const s = ar.steps.get(ex.stepId);
      if (!s || s.attempts.some((a) => a.exchangeSeq === ex.seq)) continue;
      s.attempts.push({ attempt: ex.attempt, startedAt: ex.startedAt, endedAt: ex.startedAt, error, interrupted: 'executor', exchangeSeq: ex.seq });
      s.startedAt ??= ex.startedAt;
      store.putStep(runId, s);
    }
    store.putRun(ar.rec);
  });
}
