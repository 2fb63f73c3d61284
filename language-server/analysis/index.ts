// WorkspaceIndex: the public surface of the Steplens analysis. Pure: feed it file texts, ask it for
// functions, events, diagnostics and per-file models. No LSP connection, no vscode, no file system.
//
// Data flow (one file at a time, then a cheap relink):
//   setFile ─> store.ts      keeps text only for files that cannot hold Inngest code (parsed on demand)
//           └> extract.ts    ts.createSourceFile (syntax only) -> FileSummary (summary.ts): imports
//                            and exports (extract-module.ts), values (extract-values.ts),
//                            type declarations (shapes.ts), clients, EventSchemas chains,
//                            eventTypes, createFunction calls; handler.ts walks each handler for step
//                            calls; ctx.ts records literals and runs the local checks (checks.ts:
//                            durations, crons, CEL) -> the file's local diagnostics
//   first query ─> link.ts   follows imports/re-exports (modules.ts), resolves clients, v3 catalogues
//                            (cached across edits) and v4 package catalogues (resolve-shape.ts turns
//                            shapes into JSON Schema and examples), gives functions their app and slug
//                ─> cross-diagnostics.ts  unknown-event, unknown-event-field, invalid-event-payload,
//                            duplicate-function-id, event-without-listener, sdk-version-mismatch
//                            (version-check.ts: call shape vs the package.json inngest major) for one file, cached
//
// Feed `package.json` files too (setFile with their text): they mark package boundaries (v4 event
// declarations are scoped to a package), give workspace package names for imports, and tell which
// inngest major a package depends on.
//
// To add a diagnostic: add its code to DIAGNOSTIC_CODES (model.ts); if one file suffices, emit it with
// ctx.diag(...) where the construct is read (ctx.ts / handler.ts / extract.ts); if it needs other files,
// emit it in cross-diagnostics.ts from the Linker's facts. Add a test with «range» markers for the
// positive case in v3 and v4 style and a negative case (test/language-server/analysis/).
import type { Loc, Pos, Rng } from '../protocol';
import type {
  EventEntry,
  FileModel,
  FunctionEntry,
  LocatedLiteral,
  Logger,
  SteplensDiagnostic,
} from './model';
import { Workspace } from './workspace-state';

export * from './model';

export interface WorkspaceIndexOptions {
  /** Files larger than this (in UTF-16 code units) get only a shallow read (imports/exports). Default 1 MB. */
  maxDeepAnalysisBytes?: number;
  logger?: Logger;
}

export class WorkspaceIndex {
  private readonly ws: Workspace;

  constructor(opts: WorkspaceIndexOptions = {}) {
    this.ws = new Workspace(opts.maxDeepAnalysisBytes ?? 1_000_000, opts.logger);
  }

  /** Add or replace a file (TS/JS source or package.json). Never throws. */
  setFile(uri: string, text: string): void {
    this.ws.setFile(uri, text);
  }

  /** Forget a file. Never throws. */
  removeFile(uri: string): void {
    this.ws.removeFile(uri);
  }

  has(uri: string): boolean {
    return this.ws.has(uri);
  }

  /** Increases on every change that was applied. */
  get version(): number {
    return this.ws.version;
  }

  /** Every indexed uri (sources and package.json files). */
  uris(): string[] {
    return this.ws.uris();
  }

  /** Every function in the workspace, optionally limited to one file. */
  functions(uri?: string): FunctionEntry[] {
    return this.ws.functions(uri);
  }

  /** Every event known from schemas, triggers, waits and sends. */
  events(): EventEntry[] {
    return this.ws.events();
  }

  event(name: string): EventEntry | undefined {
    return this.ws.event(name);
  }

  /** Diagnostics of one file (cached until the index changes). Never throws. */
  diagnostics(uri: string): SteplensDiagnostic[] {
    return this.ws.diagnostics(uri);
  }

  /** The analysed model of a file: every located literal with its role, steps, functions, clients. */
  file(uri: string): FileModel | undefined {
    return this.ws.file(uri);
  }

  /** The literal (event name, cron, duration, expression) whose range contains `pos`. */
  literalAt(uri: string, pos: Pos): LocatedLiteral | undefined {
    return this.ws.literalAt(uri, pos);
  }

  /** Every place an event name is written (declarations, triggers, waits, sends, cancelOn). */
  /** An event name written as an identifier (eventType value, string constant) or a constant's string, at a position. */
  eventNameAt(uri: string, pos: Pos): { name: string; range: Rng; constLoc?: Loc } | undefined {
    return this.ws.eventNameAt(uri, pos);
  }

  eventReferences(name: string): Loc[] {
    return this.ws.eventReferences(name);
  }

  /** A function by slug (`<appId>-<id>`), by id, or by its internal key. */
  findFunction(slugOrIdOrKey: string): FunctionEntry | undefined {
    return this.ws.findFunction(slugOrIdOrKey);
  }

  /** Where a step with this user id is written in the given function (slug, id or key). */
  stepLocation(functionId: string, stepId: string): Loc | null {
    return this.ws.stepLocation(functionId, stepId);
  }

  /** Target of a `step.invoke(..., { function })` at `pos`, for go to definition. */
  invokeTargetAt(uri: string, pos: Pos): FunctionEntry | undefined {
    return this.ws.invokeTargetAt(uri, pos);
  }

  async dispose(): Promise<void> {
    this.ws.clear();
  }
}
