// The executor's internal records: what the store persists and the engine works on. The shapes
// the outside world sees are in api.ts; these map onto them.
import type { AppInfo, FunctionTrigger, Interruption, RunSummary, SerializedError, StepInfo } from './api';

/** An event exactly as it is handed to the SDK (`ts` epoch ms). */
export interface SdkEvent {
  name: string;
  data: Record<string, unknown>;
  id: string;
  ts: number;
  user: Record<string, unknown>;
  v?: string;
}

export interface StoredEvent {
  /** The id POST /e answered; the key of the event everywhere in the executor. */
  internalId: string;
  /** The sender's `id`, or `internalId` when it set none. */
  id: string;
  receivedAt: number;
  event: SdkEvent;
}

export interface FunctionRecord {
  id: string;
  name: string;
  appId: string;
  appUrl: string;
  /** Sent as ctx.fn_id (turns on v4 checkpointing); stable across syncs. */
  uuid: string;
  /** `steps.step.runtime.url` from the registration. */
  url: string;
  triggers: FunctionTrigger[];
  maxAttempts: number;
  config: Record<string, unknown>;
  /** Set when a later sync no longer lists it; its runs still resolve the record. */
  removed?: boolean;
}

export interface AppRecord extends AppInfo {
  /** The URL the executor pings (as given by the user); `url` is the one the SDK registered. */
  pingUrl: string;
}

/**
 * A run as the store keeps it: every field of the API's RunSummary except `eventId` (the first of
 * `eventIds`), plus the engine's own state. `runSummary()` (engine/views.ts) maps it back.
 */
export interface RunRecord extends Omit<RunSummary, 'eventId'> {
  /** Internal ids of the triggering events; the first is `event`. */
  eventIds: string[];
  /** -1 until the first 206 pins it (PROTOCOL §3.3). */
  requestVersion: number;
  forceStepPlan: boolean;
  /** Hashed ids planned, sleeping, waiting or invoking whose result is not in yet. */
  pending: string[];
  /** Exchanges recorded so far (next seq). */
  exchangeSeq: number;
  /** `<parentRunId>.<opId>` when started by step.invoke. */
  correlationId?: string;
  /** Runs started by function.finished/failed events publish no finish events themselves. */
  noFinishEvents?: boolean;
  childRunIds?: string[];
  /**
   * Discovery requests cut off before their answer (the app went away, the executor stopped) whose
   * step is not known yet: the next discovery sent from the same state (`stackAfter` memoized steps)
   * names it by the first step it runs (engine/interrupted.ts).
   */
  cutDiscoveries?: CutDiscovery[];
}

export interface CutDiscovery {
  seq: number;
  attempt: number;
  startedAt: number;
  endedAt: number;
  error: SerializedError;
  by: Interruption;
  /** Memoized steps after the cut request (its own checkpoints included). */
  stackAfter: number;
}

export type QueueKind =
  /** Call the SDK with `stepId` (`step` = discovery). */
  | 'exec'
  /** A sleep ends: store `null` under `hashedId`. */
  | 'wake'
  /** A wait or invoke expires: resolve `pauseId` as timed out. */
  | 'pause-timeout';

export interface QueueItem {
  id: string;
  runId: string;
  kind: QueueKind;
  stepId: string;
  attempt: number;
  runAt: number;
  hashedId?: string;
  pauseId?: string;
}

export interface PauseRecord {
  id: string;
  runId: string;
  hashedId: string;
  kind: 'wait' | 'invoke';
  eventName: string;
  /** CEL over `event` (the run's trigger, i.e. interpolated) and `async` (the incoming event). */
  expression?: string;
  /** Epoch ms, or null for no timeout (invoke without opts.timeout). */
  expiresAt: number | null;
  createdAt: number;
  correlationId?: string;
  functionId?: string;
  childRunId?: string;
}

export type StepRecord = StepInfo;
