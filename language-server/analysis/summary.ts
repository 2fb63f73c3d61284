// What one file contributes before cross-file linking: imports, exports, declarations, functions,
// sends, located literals and the diagnostics that need no other file. Plain data, no syntax nodes.
import type { Rng, TriggerEntry } from '../protocol';
import type { ExprPath } from './checks';
import type {
  ClientModel,
  CreateFunctionModel,
  EventDataAccess,
  ExpressionLiteral,
  InvokeTargetModel,
  LocatedLiteral,
  Loc,
  SteplensDiagnostic,
  StepCallModel,
} from './model';
import type { Shape } from './shapes';

export interface ImportBinding {
  specifier: string;
  /** 'default', '*', or the exported name. */
  imported: string;
}

export type ExportEntry = { local: string } | { specifier: string; imported: string };

/** A fromRecord/fromUnion/fromZod part of `new EventSchemas()...`. */
export type SchemaPart =
  | { kind: 'record'; type: Shape; uri: string }
  | { kind: 'union'; type: Shape }
  /** Something we cannot read (fromGenerated, fromSchema, a computed argument). */
  | { kind: 'opaque' };

export type SchemasExpr = { kind: 'inline'; parts: SchemaPart[] } | { kind: 'ref'; name: string } | { kind: 'opaque' };

/**
 * One piece of an id written as an expression; the id is their concatenation. `{ ref }`: a name or
 * member resolved in the link phase; `{ param, path }` (client factories only): the argument at that
 * index, then that property path into it, with the parameter's default (or a `??` fallback) when absent.
 */
export type IdPart = string | { ref: string } | { param: number; path: string[]; fallback?: string };

/** An argument of a call, as far as it can be read without evaluating anything. */
export type ArgValue = { k: 'str'; v: string } | { k: 'ref'; ref: string } | { k: 'obj'; props: Record<string, ArgValue> } | { k: 'other' };

/** One element of a trigger list held in a constant (`const TRIGGERS = [{ event: 'a' }, cron('...')]`). */
export type TriggerItem =
  | { kind: 'event'; name: string | null; ref?: string; expression?: string }
  | { kind: 'cron'; cron: string | null; ref?: string }
  | { kind: 'invoke' }
  /** An identifier or spread element: an eventType, a trigger object or another list, resolved where declared. */
  | { kind: 'ref'; ref: string };

export type ValueDecl =
  /** `idParts`: the id written as a constant, member or template (model.id is then null). */
  | { kind: 'client'; model: ClientModel; schemas: SchemasExpr | null; sdkMajor: 3 | 4 | null; idParts?: IdPart[] }
  /**
   * A top-level function returning `new Inngest(opts)`; the id in terms of its parameters (null: not
   * readable). `delegate`: it returns what another function's call returns (a lazy singleton getter
   * `getClient() { client ??= createClient(); return client; }`), a factory only if that one is.
   */
  | { kind: 'clientFactory'; idParts: IdPart[] | null; schemas: SchemasExpr | null; sdkMajor: 3 | 4 | null; delegate?: { callee: string; args: ArgValue[] } }
  /** `const x = f(args)`: a client when `f` resolves to a client factory (looked at only when `x` is used as a client). */
  | { kind: 'call'; callee: string; args: ArgValue[]; range: Rng }
  /** `const TRIGGERS = [{ event: 'a' }, { event: 'b' }] as const`: a trigger list passed by name. */
  | { kind: 'triggerList'; items: TriggerItem[] }
  | { kind: 'eventSchemas'; parts: SchemaPart[] }
  /** v4 eventType(name, { schema }); data null when the event has no schema (untyped); `nameRef`: the name written as a constant. */
  | { kind: 'eventType'; name: string | null; nameLoc?: Loc; data: Shape | null; nameRef?: string }
  /** A schema value: zod object chain, staticSchema<T>(), an object/array literal of zod schemas. */
  | { kind: 'schema'; shape: Shape }
  | { kind: 'function'; key: string }
  /** A top-level function (a handler passed by name); `key`: the functionKey its steps carry, null when none were read. */
  | { kind: 'handler'; key: string | null }
  /** `const USER_SIGNUP = 'app/user.signup'`: event names are often kept in constants. */
  | { kind: 'string'; value: string; range?: Rng }
  /** `const events = { signup: eventType(...), ... }` */
  | { kind: 'eventTypeGroup'; members: Record<string, Extract<ValueDecl, { kind: 'eventType' }>> }
  /** `const Events = { SIGNUP: 'app/user.signup' } as const`, or a string enum; `ranges`: where each string is written. */
  | { kind: 'constants'; values: Record<string, string>; ranges?: Record<string, Rng> }
  | { kind: 'alias'; name: string }
  /**
   * A top-level class: its fields are `this:<Class>:<field>` values; `base` (the `extends` name) lends
   * it the base class's fields; `statics`: its static string fields (`static readonly NAME = 'app/x'`).
   */
  | { kind: 'class'; base: string | null; statics?: Record<string, string>; staticRanges?: Record<string, Rng> };

export interface TypeDecl {
  shape: Shape;
  params: string[];
}

export type TriggerSummary =
  | { kind: 'event'; name: string | null; ref?: string; range: Rng; expression?: string }
  /** `ref`: the cron written as a constant (`{ cron: Job.CRON }`), resolved in the link phase. */
  | { kind: 'cron'; cron: string | null; ref?: string; range: Rng }
  | { kind: 'invoke'; range: Rng };

/**
 * A function id written as something other than a string literal: its source text (the placeholder
 * when it cannot be resolved) and, when it is a name, a member or a template of names, the parts
 * whose concatenation is the id (`{ ref }` parts are resolved in the link phase).
 */
export interface IdSource {
  text: string;
  parts: IdPart[] | null;
}

export interface FunctionSummary {
  model: CreateFunctionModel;
  /** Set when the id is not a string literal (model.id is then null). */
  idSource?: IdSource;
  /** The handler passed by name and not declared in this file (imported): resolved in the link phase. */
  handlerRef?: string;
  /** The handler declared in this file and already analysed for another function: the key its steps carry. */
  handlerKey?: string;
  /** Identifier (or dotted name) the createFunction was called on; `this:<Class>:<field>` for `this.field` in a class. */
  clientRef: string | null;
  /**
   * The SDK major the call's shape belongs to, when it is unambiguous: 3 for (options, trigger,
   * handler), 4 for (options, handler) with a handler (not a trigger object being typed); `range`:
   * the `createFunction` name.
   */
  callShape?: {
    major: 3 | 4;
    range: Rng;
    /** v4 shape: the options object has `triggers`. */
    triggersInOptions?: boolean;
    /** v4 shape with the second argument a name: a handler, unless it resolves to a trigger (a v3 call being typed). */
    secondArgRef?: string;
  };
  triggers: TriggerSummary[];
  /**
   * The inline callback the call sits in (`test('a', () => { createFunction(...) })`), by node key;
   * absent at module level and in named functions. Functions made in two different callbacks never
   * live at once (one per test case), so their ids are not compared for duplicates.
   */
  callbackScope?: string;
}

/** A literal value in a send payload, for checking against the event's schema. */
export type LiteralValue =
  | { k: 'string' | 'number' | 'boolean' | 'null' | 'other'; range: Rng }
  | { k: 'object'; props: { name: string; value: LiteralValue; nameRange: Rng }[]; spread: boolean; range: Rng };

export interface SendPayload {
  name: string | null;
  /** v4: `myEvent.create(data)` / `{ name: myEvent.name }` - the eventType reference. */
  ref?: string;
  nameRange?: Rng;
  nameValueRange?: Rng;
  /** undefined: no `data` key written; null: written but not a literal. */
  data: LiteralValue | null | undefined;
  range: Rng;
}

export interface SendSummary {
  via: 'client' | 'step';
  /** For `x.send(...)`: the name it was called on (resolved to a client in the link phase); `this:<Class>:<field>` for `this.field.send`. */
  clientRef?: string;
  functionKey?: string;
  payloads: SendPayload[];
  range: Rng;
}

/** An event name written as a reference to a v4 eventType value (resolved in the link phase). */
export interface EventRefSite {
  ref: string;
  role: 'trigger' | 'waitForEvent' | 'cancelOn' | 'sendEvent' | 'send';
  range: Rng;
  functionKey?: string;
}

export interface ExpressionSite {
  literal: ExpressionLiteral;
  paths: ExprPath[];
  /** `async` names this event (a literal name) or this eventType reference. */
  asyncName?: string;
  asyncRef?: string;
  /** The `match` form: paths are checked on both `event` and `async`. */
}

export interface FileSummary {
  uri: string;
  shallow: boolean;
  hasSyntaxErrors: boolean;
  imports: Map<string, ImportBinding>;
  exports: Map<string, ExportEntry>;
  starExports: string[];
  types: Map<string, TypeDecl>;
  values: Map<string, ValueDecl>;
  clients: ClientModel[];
  functions: FunctionSummary[];
  sends: SendSummary[];
  literals: LocatedLiteral[];
  expressions: ExpressionSite[];
  eventRefs: EventRefSite[];
  steps: StepCallModel[];
  invokeTargets: (InvokeTargetModel & { ref: string | null })[];
  eventDataAccesses: EventDataAccess[];
  localDiagnostics: SteplensDiagnostic[];
  /** Event names awaited by `x.waitForEvent(id, { event })` calls outside analysed handlers (workflow helpers). */
  looseWaits: string[];
  /** Same, with the event named by a constant or an eventType reference (resolved in the link phase). */
  looseWaitRefs: string[];
  /** v4 `{ event: 'name', schema }` triggers: an event schema declared inline on a function. */
  inlineEventSchemas: { name: string; data: Shape; loc: Loc }[];
  /** The specifier the file imports the SDK from (first seen), e.g. 'inngest' or 'inngest-v4'. */
  sdkSpecifier: string | null;
}

export function emptySummary(uri: string): FileSummary {
  return {
    uri,
    shallow: false,
    hasSyntaxErrors: false,
    imports: new Map(),
    exports: new Map(),
    starExports: [],
    types: new Map(),
    values: new Map(),
    clients: [],
    functions: [],
    sends: [],
    literals: [],
    expressions: [],
    eventRefs: [],
    steps: [],
    invokeTargets: [],
    eventDataAccesses: [],
    localDiagnostics: [],
    inlineEventSchemas: [],
    looseWaits: [],
    looseWaitRefs: [],
    sdkSpecifier: null,
  };
}

export type { TriggerEntry };
