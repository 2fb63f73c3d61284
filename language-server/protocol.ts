// Every custom LSP request and notification between the Steplens language server and its clients
// (CONVENTIONS.md §1). One namespace each, with `method`, `type`, and the direction it travels.
// The extension imports this file; nothing else spells these method names.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';

/** LSP-compatible position and range (zero-based line and UTF-16 character). */
export interface Pos {
  line: number;
  character: number;
}
export interface Rng {
  start: Pos;
  end: Pos;
}
export interface Loc {
  uri: string;
  range: Rng;
}

export type TriggerEntry =
  | { kind: 'event'; event: string; expression?: string; range: Rng }
  | {
      kind: 'cron';
      cron: string;
      range: Rng;
      /** plain-words meaning, when the cron is valid */
      description?: string;
      /** ISO time of the next run after the request was answered (in UTC; the cron's TZ= prefix is applied), when valid. */
      nextRun?: string;
    }
  /** v4 `invoke(...)` trigger or a function only meant to be invoked. */
  | { kind: 'invoke'; range: Rng };

export type StepTool =
  | 'run'
  | 'sleep'
  | 'sleepUntil'
  | 'waitForEvent'
  | 'sendEvent'
  | 'invoke'
  | 'ai.infer'
  | 'ai.wrap'
  | 'fetch'
  | 'waitForSignal'
  | 'sendSignal'
  | 'realtime.publish'
  | 'other';

export interface StepEntry {
  /** The literal id, or null when it is computed. */
  id: string | null;
  tool: StepTool;
  /** Range of the whole `step.x(...)` call. */
  range: Rng;
  /** Range of the id argument, when literal. */
  idRange?: Rng;
}

export interface FunctionEntry {
  /**
   * The id written in the code (`createFunction({ id })`), resolved through constants when it is a
   * name, a member or a template of names. When it cannot be resolved (computed in a loop, built by
   * a call), a placeholder: the id expression's source text in braces, e.g. "{`tool-${def.name}`}"
   * or "{opts.id}" (never a valid slug), and `idUnresolved` is set.
   */
  id: string;
  /** True when `id` (and so `slug`) is a placeholder: no executor function will have that id. */
  idUnresolved?: true;
  /** The client's id (`new Inngest({ id })`), when it could be resolved. */
  appId: string | null;
  /**
   * True when `appId` is null: the client, or its id, could not be resolved (a client injected at
   * run time, an id read from the environment). `slug` is then only the function id, not the
   * `<appId>-<id>` the executor reports: do not match it against executor slugs as if it were one.
   * Optional and additive: absent means the app id is known.
   */
  appIdUnresolved?: true;
  /** The slug the SDK registers and the executor reports: `<appId>-<id>` (or `id` when appId is unknown, see `appIdUnresolved`); built from the placeholder when `idUnresolved`. */
  slug: string;
  name?: string;
  sdkMajor: 3 | 4 | null;
  uri: string;
  /** Range of the `createFunction(...)` call; CodeLens sits on its first line. */
  range: Rng;
  /** Range of the id string literal. */
  idRange?: Rng;
  triggers: TriggerEntry[];
  steps: StepEntry[];
  /** Whether the function has an onFailure handler (registers `<slug>-failure`). */
  hasOnFailure?: boolean;
}

export interface EventEntry {
  name: string;
  /** Where the schema declares it (fromRecord key, eventType call, ...), when one does. */
  declaration?: Loc;
  /** JSON Schema of the whole event payload's `data`, or null when no schema is known. */
  dataSchema: Record<string, unknown> | null;
  /** An example `data` generated from the schema, with plausible values. */
  example: Record<string, unknown>;
  /** Places that send it (`inngest.send`, `step.sendEvent`). */
  senders: Loc[];
  /** Slugs of functions it triggers. */
  listeners: string[];
}

/** client -> server: every function found in the workspace. */
export namespace FunctionsRequest {
  export const method = 'steplens/functions' as const;
  export interface Params {
    /** Limit to one document. */
    uri?: string;
  }
  export interface Result {
    functions: FunctionEntry[];
    /** Index version the answer was computed from. */
    version: number;
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** client -> server: every event known from schemas, triggers, sends. */
export namespace EventsRequest {
  export const method = 'steplens/events' as const;
  export interface Params {}
  export interface Result {
    events: EventEntry[];
    version: number;
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** client -> server: the source location of a step, by function slug (or id) and step user id. */
export namespace StepLocationRequest {
  export const method = 'steplens/stepLocation' as const;
  export interface Params {
    functionId: string;
    stepId: string;
  }
  export type Result = Loc | null;
  export const type = new RequestType<Params, Result, void>(method);
}

/** server -> client: the index changed (files added, edited, removed); ask again for what you show. */
export namespace IndexChangedNotification {
  export const method = 'steplens/indexChanged' as const;
  export interface Params {
    version: number;
    functionCount: number;
    eventCount: number;
  }
  export const type = new NotificationType<Params>(method);
}
