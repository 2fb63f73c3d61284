// The typed messages between the panel (a VS Code webview) and the extension host
// (CONVENTIONS.md §1, §6). The panel imports this file; the extension imports it for types only.
//
// Direction:
// - `WebviewToHost`: posted by the panel with `acquireVsCodeApi().postMessage(msg)`.
// - `HostToWebview`: posted by the host with `webview.postMessage(msg)`.
//
// Shape of the conversation:
// 1. The panel posts `ready` once it listens. The host may then post `navigate` at any time
//    (CodeLens "Send test event", a click in the Runs view, ...).
// 2. Requests: the panel posts `{ type: 'request', id, request }`; the host answers exactly once with
//    `{ type: 'response', id, ok: true, result }` or `{ type: 'response', id, ok: false, error }`.
//    `PanelResults[kind]` is the type of `result` for each `request.kind`. Implement the host side
//    with a `PanelRequestHandlers` table so a missing kind fails to compile.
// 3. Stream: the panel posts `stream.subscribe` (with the last seq it saw, after a reload or a
//    reconnect); the host answers with the messages it has after `since` (or a `resync` when it
//    has lost some), then relays every live `ExecutorToClient` frame as `stream.message`, and its
//    connection state as `stream.state`. After `closed` the panel posts `stream.subscribe` again
//    with backoff (harmless if the host reconnects on its own). While the stream is not `open` the
//    panel polls over `api`. A `hello` whose seq is below the panel's last seq means the executor
//    restarted: the panel reloads everything.
import type { ExecutorToClient } from '../runtime/api';

/** Where the panel is and what it shows. The host can send the panel to any of these. */
export type PanelRoute =
  | { view: 'runs' }
  | { view: 'run'; runId: string; /** hashed or user id of a step to select */ stepId?: string }
  | {
      view: 'composer';
      /** `event`: POST the event API; `invoke`: POST the function's invoke route. Default `event`. */
      mode?: 'event' | 'invoke';
      eventName?: string;
      /** Function slug: for `invoke`, and to pick the first event trigger when `eventName` is absent. */
      functionId?: string;
      /** Payload `data` to start from instead of the schema example. */
      data?: Record<string, unknown>;
    };

/** One event the language server knows (from EventsRequest), reduced to what the composer needs. */
export interface PanelEventInfo {
  name: string;
  /** JSON Schema of the event's `data`, or null when none is known. */
  dataSchema: Record<string, unknown> | null;
  /** An example `data` generated from the schema. */
  example: Record<string, unknown>;
  /** Function slugs it triggers. */
  listeners: string[];
}

/** A saved payload: one file `.steplens/fixtures/<name>.json` in the workspace. */
export interface Fixture {
  /** File name without `.json`; letters, digits, `-`, `_`, `.`. */
  name: string;
  event: string;
  data: Record<string, unknown>;
  user?: Record<string, unknown>;
}

/** A source position the host resolved for a step (1-based line for display). */
export interface SourceLocation {
  /** Workspace-relative path when inside the workspace, else the file URI. */
  file: string;
  line: number;
  character: number;
}

/** Which step of which function, as the executor names them. */
export interface StepRef {
  /** Function slug (`<appId>-<fnId>`), as in `RunSummary.functionId`. */
  functionId: string;
  /** The step's id as written in the code (`StepInfo.userId`). */
  stepId: string;
}

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Everything the panel asks of the host. */
export type PanelRequest =
  /** Proxy one executor HTTP call (path from `route()` plus query string). */
  | { kind: 'api'; method: HttpMethod; path: string; body?: unknown }
  /** Events the language server knows. */
  | { kind: 'events' }
  /** Open the editor at the `step.*` call that produced a step (asks the language server). */
  | { kind: 'openSource'; step: StepRef }
  /** Highlight the step's line like a debugger's current line (null clears it). Stepper uses this. */
  | { kind: 'highlightSource'; step: StepRef | null }
  /** List `.steplens/fixtures/*.json`. */
  | { kind: 'listFixtures' }
  /** Write `.steplens/fixtures/<name>.json` (overwrites). */
  | { kind: 'saveFixture'; fixture: Fixture };

export type PanelRequestKind = PanelRequest['kind'];

/** The answer to an executor HTTP call: status and parsed JSON body (null when empty). */
export interface ApiResult {
  status: number;
  body: unknown;
}

export interface PanelResults {
  api: ApiResult;
  events: PanelEventInfo[];
  /** Where it opened, or null when the language server does not know the step. */
  openSource: SourceLocation | null;
  highlightSource: SourceLocation | null;
  listFixtures: Fixture[];
  saveFixture: { path: string };
}

/** The host side, as a table: a missing kind is a compile error. */
export type PanelRequestHandlers = {
  [K in PanelRequestKind]: (request: Extract<PanelRequest, { kind: K }>) => Promise<PanelResults[K]>;
};

export type StreamState = 'connecting' | 'open' | 'closed';

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'request'; id: number; request: PanelRequest }
  | { type: 'stream.subscribe'; since?: number }
  /** The panel's current route, so the host can restore it (and title the tab). */
  | { type: 'route'; route: PanelRoute; title: string };

export type HostToWebview =
  | { type: 'response'; id: number; ok: true; result: PanelResults[PanelRequestKind] }
  | { type: 'response'; id: number; ok: false; error: { message: string; hint?: string } }
  | { type: 'stream.message'; message: ExecutorToClient }
  | { type: 'stream.state'; state: StreamState; /** e.g. "executor stopped" */ detail?: string }
  | { type: 'navigate'; to: PanelRoute };

export type WebviewToHostType = WebviewToHost['type'];
export type HostToWebviewType = HostToWebview['type'];

/** The JSON in index.html's `%BOOT%` placeholder. */
export type BootConfig =
  | { mode: 'browser'; apiBase: string; wsUrl: string }
  | { mode: 'vscode'; /** optional first route */ route?: PanelRoute };
