// The data model of the Steplens analysis: what one file yields (FileModel), what a diagnostic
// carries (SteplensDiagnostic with quick-fix data), and the logger the analysis writes through.
// Pure types: no LSP connection, no vscode. Positions are LSP-compatible (zero-based, UTF-16).
import type { EventEntry, FunctionEntry, Loc, Rng, StepTool, TriggerEntry } from '../protocol';

export type { EventEntry, FunctionEntry, Loc, Rng, StepTool, TriggerEntry };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The one logger shape (CONVENTIONS §9): level, message, fields; the component is bound by the caller. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export const DIAGNOSTIC_SOURCE = 'steplens' as const;

/** Stable diagnostic codes. Tests and users rely on these exact strings. */
export const DIAGNOSTIC_CODES = [
  'unknown-event',
  'invalid-cron',
  'duplicate-function-id',
  'duplicate-step-id',
  'nested-step',
  'unawaited-step',
  'invalid-duration',
  'invalid-expression',
  'unknown-event-field',
  'invalid-event-payload',
  'event-without-listener',
  'sdk-version-mismatch',
] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** One text edit; the feature layer turns a list of these into an LSP WorkspaceEdit. */
export interface TextEditData {
  uri: string;
  range: Rng;
  newText: string;
}

export type QuickFixKind =
  /** Replace the event name with the close match ("did you mean"). */
  | 'replace-event-name'
  /** Add the missing event to a `fromRecord<T>()` type literal / interface. */
  | 'add-event-to-schema';

export interface QuickFix {
  kind: QuickFixKind;
  /** Title shown in the editor's light bulb menu. */
  title: string;
  edits: TextEditData[];
  /** The fix to apply by default (e.g. the single did-you-mean). */
  isPreferred?: boolean;
}

export interface QuickFixData {
  fixes: QuickFix[];
}

export interface RelatedInfo {
  location: Loc;
  message: string;
}

export interface SteplensDiagnostic {
  code: DiagnosticCode;
  message: string;
  severity: Severity;
  range: Rng;
  data?: QuickFixData;
  relatedInformation?: RelatedInfo[];
}

/** Where an event name is written. */
export type EventRole =
  | 'trigger'
  | 'waitForEvent'
  | 'sendEvent'
  | 'send'
  | 'cancelOn'
  /** `step.invoke(id, { function })` target; `name` is the target function's id when resolvable. */
  | 'invoke-target'
  | 'schema-declaration';

/** Where a CEL expression is written. */
export type ExpressionRole =
  | 'trigger-if'
  | 'waitForEvent-if'
  | 'waitForEvent-match'
  | 'cancelOn-if'
  | 'cancelOn-match'
  | 'concurrency-key'
  | 'throttle-key'
  | 'rateLimit-key'
  | 'debounce-key'
  | 'batchEvents-key'
  | 'batchEvents-if'
  | 'idempotency'
  | 'priority-run'
  | 'singleton-key';

/** Where a duration string is written. */
export type DurationRole =
  | 'sleep'
  | 'waitForEvent-timeout'
  | 'cancelOn-timeout'
  | 'invoke-timeout'
  | 'waitForSignal-timeout'
  | 'throttle-period'
  | 'rateLimit-period'
  | 'debounce-period'
  | 'debounce-timeout'
  | 'batchEvents-timeout'
  | 'timeouts-start'
  | 'timeouts-finish';

interface LiteralBase {
  /** Range of the whole literal, quotes included. */
  range: Rng;
  /** Range of the text between the quotes (for completion and replacement). */
  valueRange: Rng;
  /** Key of the function it belongs to (FunctionModel.key), when inside/at a createFunction. */
  functionKey?: string;
}

export interface EventNameLiteral extends LiteralBase {
  kind: 'event-name';
  role: EventRole;
  name: string;
}
export interface CronLiteral extends LiteralBase {
  kind: 'cron';
  value: string;
}
export interface DurationLiteral extends LiteralBase {
  kind: 'duration';
  role: DurationRole;
  value: string;
}
export interface ExpressionLiteral extends LiteralBase {
  kind: 'expression';
  role: ExpressionRole;
  value: string;
  /** Event(s) `event` refers to inside the expression (the function's trigger events). */
  eventNames: string[];
  /** Event `async` refers to (the awaited / cancelling event), when the expression has one. */
  asyncEventName?: string;
  /**
   * Offset map: source offset of expression char i is `valueStart + i` when `exact` (plain string,
   * no escapes); otherwise positions inside cannot be mapped and the whole literal is used.
   */
  exact: boolean;
}
export type LocatedLiteral = EventNameLiteral | CronLiteral | DurationLiteral | ExpressionLiteral;

/** `event.data.a.b` read in a handler (property access chain on the handler's event). */
export interface EventDataAccess {
  path: string[];
  range: Rng;
  functionKey: string;
}

export interface StepCallModel {
  tool: StepTool;
  /** `run`, `ai.infer`, ... as written after `step.` */
  method: string;
  id: string | null;
  range: Rng;
  idRange?: Rng;
  /** The function's key, or `helper:<uri>#<offset>` for a top-level helper that receives the step tools. */
  functionKey: string;
  /** True when the call is in the onFailure handler (registered as `<slug>-failure`). */
  inFailureHandler: boolean;
  awaited: boolean;
}

export interface CreateFunctionModel {
  /** Unique within the workspace: `<uri>#<offset>`. */
  key: string;
  id: string | null;
  idRange?: Rng;
  name?: string;
  range: Rng;
  sdkMajor: 3 | 4 | null;
  /** The client expression resolved to a client key (`<uri>#<name>`), when it could be. */
  clientKey: string | null;
  triggers: TriggerEntry[];
  hasOnFailure: boolean;
}

export interface ClientModel {
  key: string;
  localName: string;
  id: string | null;
  /** Range of the id string literal, when literal. */
  idRange?: Rng;
  range: Rng;
  hasSchemas: boolean;
}

export interface InvokeTargetModel {
  range: Rng;
  functionKey: string;
  /** Resolved target: the invoked function's key, when the reference could be followed. */
  targetKey: string | null;
}

/** What one file yields, for completion, hover, definition, references and symbols. */
export interface FileModel {
  uri: string;
  /** Index version at which this model was produced. */
  version: number;
  /** True when the file was above maxDeepAnalysisBytes: only imports/exports were read. */
  shallow: boolean;
  /** True when the parser reported syntax errors (analysis still ran on the recovered tree). */
  hasSyntaxErrors: boolean;
  clients: ClientModel[];
  functions: CreateFunctionModel[];
  literals: LocatedLiteral[];
  eventDataAccesses: EventDataAccess[];
  steps: StepCallModel[];
  invokeTargets: InvokeTargetModel[];
}
