// Holds per-file summaries and the linked cross-file view behind WorkspaceIndex.
import type { Loc, Pos } from '../protocol';
import type { EventEntry, FileModel, FunctionEntry, LocatedLiteral, Logger, SteplensDiagnostic } from './model';

export class Workspace {
  version = 0;
  private readonly files = new Map<string, FileModel>();

  constructor(
    readonly maxDeepAnalysisBytes: number,
    readonly logger?: Logger,
  ) {}

  setFile(uri: string, _text: string): void {
    this.version++;
    this.files.set(uri, {
      uri,
      version: this.version,
      shallow: false,
      hasSyntaxErrors: false,
      clients: [],
      functions: [],
      literals: [],
      eventDataAccesses: [],
      steps: [],
      invokeTargets: [],
    });
  }
  removeFile(uri: string): void {
    if (this.files.delete(uri)) this.version++;
  }
  has(uri: string): boolean {
    return this.files.has(uri);
  }
  uris(): string[] {
    return [...this.files.keys()];
  }
  functions(_uri?: string): FunctionEntry[] {
    return [];
  }
  events(): EventEntry[] {
    return [];
  }
  event(_name: string): EventEntry | undefined {
    return undefined;
  }
  diagnostics(_uri: string): SteplensDiagnostic[] {
    return [];
  }
  file(uri: string): FileModel | undefined {
    return this.files.get(uri);
  }
  literalAt(_uri: string, _pos: Pos): LocatedLiteral | undefined {
    return undefined;
  }
  eventReferences(_name: string): Loc[] {
    return [];
  }
  findFunction(_s: string): FunctionEntry | undefined {
    return undefined;
  }
  stepLocation(_f: string, _s: string): Loc | null {
    return null;
  }
  invokeTargetAt(_uri: string, _pos: Pos): FunctionEntry | undefined {
    return undefined;
  }
  clear(): void {
    this.files.clear();
  }
}
