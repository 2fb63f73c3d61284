// The executor's HTTP and WebSocket payloads: the one place where routes and message shapes are
// written down (CONVENTIONS.md §1). The extension and the panel (media/) import this file for
// types and constants only; no route appears as a bare string anywhere else.
//
// Three families of routes share one origin (http://127.0.0.1:8288 by default):
// - the SDK-facing protocol (PROTOCOL.md): /e/{key}, /fn/register, /v1/checkpoint/..., /v0/runs/...
// - a REST API modelled on Inngest's public v1 API, so scripts written for it work: /v1/...
// - Steplens's own richer API for the panel and the extension: /api/... plus the stream /api/stream

/** Route templates. `:name` marks a path parameter; use `route()` to fill them. */
export const Routes = {
  // --- SDK protocol -------------------------------------------------------------------------
  /** POST one event or an array. Answers `{ids, status}` (PROTOCOL §9). */
  eventApi: '/e/:key',
  /** POST from the SDK during an out-of-band sync (PROTOCOL §2.2). */
  register: '/fn/register',
  /** POST from the v4 SDK while it executes steps inline (PROTOCOL §7). */
  checkpointAsync: '/v1/checkpoint/:runId/async',
  /** GET from the SDK when `use_api` is set (PROTOCOL §3.3). */
  runActions: '/v0/runs/:runId/actions',
  runBatch: '/v0/runs/:runId/batch',
  /** GET dev server info. */
  devInfo: '/dev',
  /** POST `SendSignalRequest` from the SDK's `sendSignal` / `step.sendSignal`: resumes the run waiting in `step.waitForSignal`. */
  signals: '/v1/signals',
  /**
   * Inngest realtime (runtime/realtime/): POST from the SDK's publish (`step.realtime.publish`,
   * `inngest.realtime.publish`), `?channel=&topic=&run_id=` with the message as the body (a
   * `text/stream` body is a datastream); `/tee` forwards raw bytes to a channel's subscribers.
   */
  realtimePublish: '/v1/realtime/publish',
  realtimePublishTee: '/v1/realtime/publish/tee',
  /** POST `[{channel, name, kind: "run"}]` (the SDK's `getSubscriptionToken`) -> 201 `{jwt}`, valid for 1 minute. */
  realtimeToken: '/v1/realtime/token',
  /** WebSocket `?token=<jwt>`: the SDK's `subscribe`; every message published on the token's topics. */
  realtimeConnect: '/v1/realtime/connect',
  /** GET `?token=<jwt>`: the same messages as Server-Sent Events (`data: <json>`). */
  realtimeSse: '/v1/realtime/sse',

  // --- Inngest-style public REST (v1) --------------------------------------------------------
  v1Events: '/v1/events',
  v1Event: '/v1/events/:id',
  v1EventRuns: '/v1/events/:id/runs',
  /** GET a run; DELETE cancels it. */
  v1Run: '/v1/runs/:id',

  // --- Steplens API ------------------------------------------------------------------------
  health: '/api/health',
  apps: '/api/apps',
  /** POST `SyncAppRequest`: add an app URL (if new) and sync it now. */
  appsSync: '/api/apps/sync',
  functions: '/api/functions',
  /** POST `InvokeRequest`: run any function (cron ones too) with a payload. */
  functionInvoke: '/api/functions/:id/invoke',
  /** GET `RunsQuery` as query string -> `Page<RunSummary>`. */
  runs: '/api/runs',
  /** GET -> `RunDetail`. */
  run: '/api/runs/:id',
  /** POST -> cancels; answers the updated `RunSummary`. */
  runCancel: '/api/runs/:id/cancel',
  /** POST `RerunRequest` -> `RerunResponse`. */
  runRerun: '/api/runs/:id/rerun',
  /** POST: wake a sleeping step now. */
  stepSkipSleep: '/api/runs/:id/steps/:stepId/skip',
  /** POST `ResolveWaitRequest`: resolve a waitForEvent by hand. */
  stepResolveWait: '/api/runs/:id/steps/:stepId/resolve',
  /** GET `EventsQuery` -> `Page<EventRecord>`. */
  events: '/api/events',
  /**
   * GET -> `EventDetail`: the event, every run that took it (a batch's 2nd..nth events and the
   * events a debounce merged included) and the debounce/batch buffers holding it now. `:id` is the
   * id `POST /e` answered (or the sender's `id`).
   */
  event: '/api/events/:id',
  /** WebSocket: `ExecutorToClient` messages; the client may send `ClientToExecutor`. */
  stream: '/api/stream',
} as const;

export type RouteName = keyof typeof Routes;

/** Fills a route template: `route('run', { id: 'x' })` -> `/api/runs/x`. Values are URI-encoded. */
export function route(name: RouteName, params: Record<string, string> = {}): string {
  return Routes[name].replace(/:([A-Za-z]+)/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`route ${name}: missing parameter ${k}`);
    return encodeURIComponent(v);
  });
}

// --- Shared values ---------------------------------------------------------------------------

/** A run's status. `Queued` is held before its first SDK call (flow control, debounce, start). */
export type RunStatus = 'Queued' | 'Running' | 'Completed' | 'Failed' | 'Cancelled';
/** The statuses the v1 REST API reports (`Queued` is reported as `Running`). */
export type V1RunStatus = 'Running' | 'Completed' | 'Failed' | 'Cancelled';

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  cause?: unknown;
  [extra: string]: unknown;
}

/** An event as stored and as sent to the SDK (`ts` in epoch ms). */
export interface EventRecord {
  id: string;
  /** Internal ULID, stable even when the sender supplied its own `id`. */
  internalId: string;
  name: string;
  data: Record<string, unknown>;
  user?: Record<string, unknown>;
  ts: number;
  v?: string;
  receivedAt: number;
  /** Runs this event started (filled on read). */
  runIds?: string[];
}

// --- v1 REST shapes ------------------------------------------------------------------------------

export interface V1Run {
  run_id: string;
  function_id: string;
  event_id: string | null;
  status: V1RunStatus;
  output: unknown;
  run_started_at: string | null;
  ended_at: string | null;
}

export interface V1Event {
  id: string;
  internal_id: string;
  name: string;
  data: Record<string, unknown>;
  user?: Record<string, unknown>;
  ts: number;
  received_at: string;
}

export interface V1List<T> {
  data: T[];
  metadata?: { fetched_at: string; cached_until: string | null };
}
export interface V1One<T> {
  data: T;
}
/** Body of every 4xx/5xx answer of the REST and Steplens APIs. */
export interface ApiError {
  error: string;
  /** What the user can do about it, when there is something. */
  hint?: string;
}

/** Body of `POST /e/{key}` answers (200 and 400 alike). */
export interface EventApiResponse {
  ids: string[];
  status: number;
  error?: string;
}

// --- Signals (POST Routes.signals; the SDK's sendSignal) ----------------------------------------

/** Body the SDK's `sendSignal` posts. */
export interface SendSignalRequest {
  signal: string;
  /** Any JSON; absent means null. The waiting step receives `{signal, data}`. */
  data?: unknown;
}
/** 200 answer: the run that was waiting. A signal nobody waits for gets 404 `SignalError` (the SDK reads that as "no run"). */
export interface SendSignalResponse {
  data: { run_id: string };
  metadata: { fetched_at: string; cached_until: string | null };
}
/** 4xx answers of Routes.signals, in the shape the SDK parses (`{error, status}`). */
export interface SignalError extends ApiError {
  status: number;
}
export interface SignalWaitInfo {
  name: string;
  expiresAt: number;
  /** What a second wait on the same signal does: take it over (`replace`) or fail its run (`fail`, the default). */
  conflict: 'replace' | 'fail';
}

// --- Apps and functions --------------------------------------------------------------------------

export type AppSyncState = 'pending' | 'synced' | 'error';

export interface AppSyncError {
  /** `unreachable`, `unauthorized` (app in cloud mode), `forbidden`, `url_not_found`, `bad_payload`, `not_an_sdk`, `internal_server_error`, ... */
  code: string;
  message: string;
  /** What to do, e.g. "Your app is in cloud mode: start it with INNGEST_DEV=1". */
  hint?: string;
  at: number;
}

export interface AppInfo {
  /** `appName` from the registration, or the URL until the first sync. */
  id: string;
  url: string;
  state: AppSyncState;
  error?: AppSyncError;
  sdk?: string;
  framework?: string;
  functionIds: string[];
  lastSyncedAt?: number;
  /** How the executor found it. */
  source: 'flag' | 'discovery' | 'api' | 'register';
}

export type FunctionTrigger =
  | { event: string; expression?: string }
  | { cron: string; jitter?: string };

export interface FunctionInfo {
  /** The slug the SDK registers: `<appId>-<fnId>`. */
  id: string;
  name: string;
  appId: string;
  triggers: FunctionTrigger[];
  /** Attempts per queue item (retries + 1). */
  maxAttempts: number;
  /** The registration config as the SDK sent it (flow control, cancel, timeouts, ...). */
  config: Record<string, unknown>;
  /** Next fire time of each cron trigger, epoch ms. */
  nextCronRuns?: number[];
  /** Flow-control or cron settings the executor could not use (bad key expression, malformed cron, ...): the function keeps its previous settings. */
  configErrors?: string[];
}

export interface SyncAppRequest {
  url: string;
}

export interface InvokeRequest {
  data?: Record<string, unknown>;
  user?: Record<string, unknown>;
}
export interface InvokeResponse {
  eventId: string;
  runId: string | null;
}

// --- Runs ----------------------------------------------------------------------------------------

export type StepKind =
  | 'run'
  | 'sleep'
  | 'waitForEvent'
  | 'invoke'
  | 'sendEvent'
  | 'ai'
  | 'fetch'
  | 'signal'
  | 'unknown';

export type StepStatus =
  | 'planned'
  | 'running'
  | 'retrying'
  | 'completed'
  | 'failed'
  | 'sleeping'
  | 'waiting'
  | 'cancelled';

export interface StepAttempt {
  attempt: number;
  startedAt: number;
  endedAt?: number;
  error?: SerializedError;
  /**
   * The request was cut off before the app answered: `app` = the connection dropped (the app went
   * away: a restart on save, a crash), `executor` = the executor stopped or was killed during it.
   * Such an attempt may have run part or all of the step (at-least-once); its error says what happened.
   */
  interrupted?: Interruption;
  /** The request (`SdkExchange.seq`) this attempt was, when known. */
  exchangeSeq?: number;
  /**
   * The request was a discovery that ran the step inline, so it did not name the step. The next
   * request sent from the same memoized state ran this step first: that is the step it was running.
   */
  inferred?: true;
}

/** Who cut a request off before its answer (see `StepAttempt.interrupted`). */
export type Interruption = 'app' | 'executor';

export interface StepInfo {
  /** sha1 of the user id, as the SDK sends it. */
  hashedId: string;
  /** The id written in the code (`userland.id`), with `index` for repeats. */
  userId: string;
  index?: number;
  displayName: string;
  /** Inside `group.parallel({ mode: 'race' })`: its result resumes the function at once, before its siblings end. */
  parallelMode?: 'race';
  kind: StepKind;
  status: StepStatus;
  startedAt?: number;
  endedAt?: number;
  attempts: StepAttempt[];
  /** The memoized value as stored (PROTOCOL §3.4) once the step has one. */
  output?: unknown;
  error?: SerializedError;
  sleep?: { until: number };
  /**
   * `earlier`: an event that matches this wait arrived just before the wait began (within 5 s). Waits
   * only see events received after they start, in Inngest too; a request/reply sent before the wait
   * races it (Steplens answers fast enough to lose that race almost every time).
   */
  wait?: { event: string; if?: string; expiresAt: number; earlier?: { eventId: string; msBefore: number } };
  invoke?: { functionId: string; childRunId?: string; expiresAt?: number };
  /** `step.waitForSignal`: the signal name it waits for and when it times out (resumes with null). */
  signal?: SignalWaitInfo;
  /** Set on reruns: the result was copied from this run, not executed again. */
  memoizedFrom?: string;
  /** Position in completion order (the stack), once completed. */
  stackIndex?: number;
}

/** Why a run is not moving, when flow control holds it. */
export interface RunHold {
  /** `scheduled`: the triggering event's `ts` is in the future; the run starts then. */
  rule: 'concurrency' | 'throttle' | 'rateLimit' | 'debounce' | 'batchEvents' | 'singleton' | 'idempotency' | 'priority' | 'app-unreachable' | 'scheduled';
  detail: string;
  until?: number;
}

export interface RunSummary {
  id: string;
  functionId: string;
  functionName: string;
  appId: string;
  status: RunStatus;
  eventId: string | null;
  eventName: string | null;
  queuedAt: number;
  startedAt?: number;
  endedAt?: number;
  output?: unknown;
  error?: SerializedError;
  /** Why it was cancelled, when it was. */
  cancelReason?: string;
  stepCount: number;
  /** SDK requests made for this run so far. */
  requestCount: number;
  parentRunId?: string;
  /** `fromFailure`: a rerun that kept every completed step and went on from where the original stopped. */
  rerunOf?: { runId: string; fromStepId?: string; fromFailure?: true };
  hold?: RunHold;
  /** A running run with no request out and nothing else to do now: what it waits on (see RunPause). */
  paused?: RunPause;
}

/**
 * What a running run is paused on: its earliest-ending sleep, wait for an event, invoke or signal
 * wait. Set while no SDK request is out and no other step is planned, running or retrying.
 */
export interface RunPause {
  kind: 'sleep' | 'waitForEvent' | 'invoke' | 'signal';
  /** The step's own id (as written in the code). */
  step: string;
  /** When it wakes or times out, epoch ms (absent: an invoke without a timeout). */
  until?: number;
  /** The event (waitForEvent), function (invoke) or signal name it waits for. */
  on?: string;
}

/** One SDK call: what was sent, what came back. The stepper walks these. */
export interface SdkExchange {
  seq: number;
  /** `step` for discovery, or the hashed id of the planned step requested. */
  stepId: string;
  attempt: number;
  startedAt: number;
  durationMs: number;
  /**
   * How many entries of the run's stack (`RunDetail.stack`) the request carried as memoized state:
   * the state sent is `stack.slice(0, stackSize)`. A run's stack only grows, so a count is enough
   * and a long run's history stays linear in size.
   */
  stackSize: number;
  disableImmediateExecution: boolean;
  requestVersion: number;
  status: number | null;
  /** Ops returned (206) or checkpointed during the call (v4). */
  ops: OpSummary[];
  /** 200: the function's return value. */
  output?: unknown;
  /** Function-level error or transport failure (unreachable, not an SDK, bad JSON ...). */
  error?: SerializedError;
  noRetry?: boolean;
  retryAfter?: string;
  /** No answer yet: the request is out (or was, when the executor stopped; then `interrupted` is set after the restart). */
  inFlight?: true;
  /** Cut off before an answer (see `StepAttempt.interrupted`); `error` says what happened. */
  interrupted?: Interruption;
}

export interface OpSummary {
  op: string;
  hashedId: string;
  userId?: string;
  displayName?: string;
  /** Short human form: `StepRun charge`, `Sleep 1d`, `WaitForEvent app/approved 1h`. */
  label: string;
  checkpointed?: boolean;
  data?: unknown;
  error?: SerializedError;
  opts?: Record<string, unknown>;
}

export interface RunDetail extends RunSummary {
  event: EventRecord | null;
  events: EventRecord[];
  steps: StepInfo[];
  exchanges: SdkExchange[];
  /** Runs created by rerunning this one. */
  reruns: string[];
  /** Hashed ids of memoized steps in completion order (the stack the SDK receives). */
  stack: string[];
  childRunIds: string[];
}

export interface RunsQuery {
  functionId?: string;
  status?: RunStatus;
  eventId?: string;
  /** Epoch ms bounds on `queuedAt`. */
  from?: number;
  to?: number;
  limit?: number;
  cursor?: string;
}

export interface EventsQuery {
  name?: string;
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

export interface RerunRequest {
  /** Rerun from this step (hashed id or user id). Absent: from the start. */
  fromStepId?: string;
  /**
   * Go on from where the run stopped: every step that completed keeps its output (edits allowed),
   * the failed steps and whatever came after run again. For failures between steps (a handler
   * error after the last step), which `fromStepId` cannot name. Not with `fromStepId`.
   */
  fromFailure?: boolean;
  /** Replace the event's `data` for the new run. */
  eventData?: Record<string, unknown>;
  /** Replace stored outputs of earlier steps (hashed id -> value as the step returned it). */
  stepOutputs?: Record<string, unknown>;
}
export interface RerunResponse {
  runId: string;
}

export interface ResolveWaitRequest {
  /** The event the wait receives; `null` resolves it as timed out. */
  event: { name?: string; data?: Record<string, unknown> } | null;
}

// --- Events held by debounce / batchEvents (Routes.event, stream `buffer.updated`) ---------------

/**
 * A debounce or a batch collecting events before its run starts (executor audit F6). One per
 * function and key value while it is open; `state` says what became of it.
 */
export interface EventBuffer {
  /** `batch:<functionId>:<key>` or `debounce:<functionId>:<key>`: the same while it stays open. */
  id: string;
  rule: 'batchEvents' | 'debounce';
  functionId: string;
  functionName: string;
  /** The `key` expression's value for these events; '' without a key. */
  key: string;
  /**
   * Ids of the events in it, oldest first. A batch: every event, in the order of the run's `events`.
   * A debounce: the events merged so far (the last 50); the last one is the event the run gets.
   */
  eventIds: string[];
  /** Events in it so far (a debounce may have merged more than `eventIds` lists). */
  count: number;
  /** batchEvents.maxSize: the run starts at once when `count` reaches it. */
  maxSize?: number;
  openedAt: number;
  /** When the run is due to start, epoch ms (the batch timeout, or the debounce period after the last event, capped by its timeout). */
  startsAt: number;
  /** `open`: collecting; `started`: its run exists (`runId`); `dropped`: no run came of it (`reason`: the function was removed, another rule skipped it). */
  state: 'open' | 'started' | 'dropped';
  runId?: string;
  reason?: string;
}

/** A run that took an event, and how. */
export interface EventRun {
  run: RunSummary;
  /**
   * `trigger`: the run's first event (the one `/v1/events/{id}/runs` lists, as Inngest's REST does);
   * `batch`: one of the events of a batched run (`position` of `of`, 1-based; the first is `trigger`);
   * `debounced`: merged into a debounce whose run got a later event (`runEventId`).
   */
  role: 'trigger' | 'batch' | 'debounced';
  position?: number;
  of?: number;
  runEventId?: string;
}

/** GET Routes.event. */
export interface EventDetail {
  event: EventRecord;
  /** Oldest first. */
  runs: EventRun[];
  /** Buffers holding the event now (`open`), or that dropped it lately (`dropped`, kept in memory). */
  buffers: EventBuffer[];
}

// --- Stream (WebSocket at Routes.stream) ------------------------------------------------------

export type ExecutorToClient =
  | { type: 'hello'; seq: number; version: string }
  | { type: 'event.received'; seq: number; event: EventRecord }
  | { type: 'run.created'; seq: number; run: RunSummary }
  | { type: 'run.updated'; seq: number; run: RunSummary }
  | { type: 'step.started'; seq: number; runId: string; step: StepInfo }
  | { type: 'step.finished'; seq: number; runId: string; step: StepInfo }
  | { type: 'run.finished'; seq: number; run: RunSummary }
  | { type: 'app.synced'; seq: number; app: AppInfo }
  /** A debounce or batch opened, took an event, started its run, or was dropped (see `EventBuffer.state`). */
  | { type: 'buffer.updated'; seq: number; buffer: EventBuffer }
  /** Sent instead of replay when the client asks for more history than is kept. */
  | { type: 'resync'; seq: number };

export type ClientToExecutor =
  /** Ask for every message after `since` (the last seq seen), then live ones. */
  { type: 'subscribe'; since?: number };

export type ExecutorToClientType = ExecutorToClient['type'];
