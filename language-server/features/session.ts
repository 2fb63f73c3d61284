// One language-server session: owns the analysis index, the workspace, the settings, the diagnostics
// publisher and the index-changed notifier, and exposes plain methods that server.ts routes connection
// events to. Knows LSP data types but not the connection (it talks out through `SessionOutput`).
import type {
  CodeAction,
  CodeActionParams,
  CompletionItem,
  Diagnostic,
  DocumentSymbol,
  Hover,
  InitializeParams,
  Location,
  Position,
  ServerCapabilities,
  SymbolInformation,
} from 'vscode-languageserver';
import { FileOperationPatternKind, TextDocumentSyncKind } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { WorkspaceIndex } from '../analysis/index';
import type { EventsRequest, FunctionsRequest, IndexChangedNotification, StepLocationRequest } from '../protocol';
import { canonicalUri, uriToPath, Workspace, type Progress } from '../workspace';
import { codeActions } from './codeActions';
import { completion } from './completion';
import { Debouncer, eventsRequest, functionsRequest, indexChangedParams, stepLocationRequest } from './custom';
import { DiagnosticsPublisher } from './diagnostics';
import { hover } from './hover';
import type { Logger } from './logger';
import { definition, references } from './navigation';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from './settings';
import { documentSymbols, workspaceSymbols } from './symbols';

export interface SessionOutput {
  publishDiagnostics(uri: string, diagnostics: Diagnostic[], version?: number): void;
  indexChanged(params: IndexChangedNotification.Params): void;
}

export interface SessionOptions {
  output: SessionOutput;
  logger: Logger;
  /** Quiet period before steplens/indexChanged and the workspace-wide diagnostics sweep (ms). */
  notifyDelayMs?: number;
}

export const SOURCE_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';
export const PACKAGE_JSON_GLOB = '**/package.json';

export class Session {
  private settings: Settings = { ...DEFAULT_SETTINGS };
  private index: WorkspaceIndex;
  private readonly workspace: Workspace;
  private readonly publisher: DiagnosticsPublisher;
  private readonly notifier: Debouncer;
  private readonly log: Logger;
  /** True once the first crawl finished; until then edits are indexed but sweeps wait. */
  private ready = false;
  private lastNotifiedVersion = -1;
  /** Documents opened or edited during the first crawl, with their latest version. */
  private readonly pendingPublish = new Map<string, number>();

  constructor(private readonly opts: SessionOptions) {
    this.log = opts.logger;
    this.index = this.newIndex();
    this.workspace = new Workspace({
      index: this.index,
      logger: this.log.child('workspace'),
      settings: () => this.settings,
      onDidChange: () => this.changed(),
    });
    this.publisher = new DiagnosticsPublisher({
      index: () => this.index,
      settings: () => this.settings,
      sink: { publish: (uri, d, v) => this.opts.output.publishDiagnostics(uri, d, v) },
      logger: this.log.child('diagnostics'),
      sweepDelayMs: opts.notifyDelayMs ?? 150,
      include: (uri) => !uri.endsWith('/package.json'),
    });
    this.notifier = new Debouncer(() => this.notify(), opts.notifyDelayMs ?? 150);
  }

  get currentSettings(): Readonly<Settings> {
    return this.settings;
  }

  get analysis(): WorkspaceIndex {
    return this.index;
  }

  initialize(params: InitializeParams): ServerCapabilities {
    this.settings = parseSettings(params.initializationOptions);
    const folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []);
    for (const f of folders) this.workspace.addFolder(f.uri);
    const fileFilters = [
      { pattern: { glob: SOURCE_GLOB, matches: FileOperationPatternKind.file } },
      { pattern: { glob: PACKAGE_JSON_GLOB, matches: FileOperationPatternKind.file } },
      { pattern: { glob: '**/*', matches: FileOperationPatternKind.folder } },
    ];
    return {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      completionProvider: { triggerCharacters: ['"', "'", '`', '/', '.'], resolveProvider: false },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      documentSymbolProvider: true,
      workspaceSymbolProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      workspace: {
        workspaceFolders: { supported: true, changeNotifications: true },
        fileOperations: { didCreate: { filters: fileFilters }, didDelete: { filters: fileFilters }, didRename: { filters: fileFilters } },
      },
    };
  }

  /** The first crawl. Publishes diagnostics of every file and notifies once at the end. */
  async indexWorkspace(progress?: Progress): Promise<number> {
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    const count = await this.workspace.crawl(progress);
    progress?.done?.();
    const crawled = performance.now();
    this.ready = true;
    // Tell the client first (its views fill from the custom requests), then publish every file's diagnostics.
    this.notifier.flush();
    this.notify();
    for (const [uri, version] of this.pendingPublish) if (this.workspace.has(uri)) this.publisher.publishNow(uri, version);
    this.pendingPublish.clear();
    const notified = performance.now();
    await this.publisher.sweep();
    const ms = (n: number): number => Math.round(n);
    const cpu = process.cpuUsage();
    this.log.log('info', `indexed ${count} files in ${ms(notified - started)} ms; diagnostics of every file published ${ms(performance.now() - notified)} ms later`, {
      readAndAnalyse: ms(crawled - started),
      linkAndSummary: ms(notified - crawled),
      indexCpuMs: ms((cpu.user + cpu.system - cpuAtStart.user - cpuAtStart.system) / 1000),
      processCpuMs: ms((cpu.user + cpu.system) / 1000),
    });
    return count;
  }

  /** Settings from workspace/configuration or didChangeConfiguration; re-crawls when what is indexed changed. */
  async updateSettings(raw: unknown): Promise<void> {
    const next = parseSettings(raw, this.settings);
    const prev = this.settings;
    this.settings = next;
    const excludeChanged = JSON.stringify(prev.exclude) !== JSON.stringify(next.exclude);
    const sizeChanged = prev.maxFileSize !== next.maxFileSize;
    if (sizeChanged) {
      this.index = this.newIndex();
      this.workspace.replaceIndex(this.index);
    }
    if (excludeChanged) this.workspace.refreshSettings();
    if ((excludeChanged || sizeChanged) && this.ready) await this.workspace.crawl();
    if (this.ready) await this.publisher.sweep();
  }

  // --- documents ---------------------------------------------------------------------------------

  documentChanged(doc: TextDocument): void {
    const uri = canonicalUri(doc.uri);
    if (!this.workspace.setEditorText(uri, doc.getText())) return;
    if (uri.endsWith('/package.json')) return;
    // Before the first crawl ends the index lacks other files' schemas: publishing now would show
    // false unknown-event errors. Publish these documents right after the crawl instead.
    if (!this.ready) this.pendingPublish.set(uri, doc.version);
    else this.publisher.publishNow(uri, doc.version);
  }

  async documentClosed(doc: TextDocument): Promise<void> {
    const uri = canonicalUri(doc.uri);
    this.pendingPublish.delete(uri);
    await this.workspace.closeEditor(uri);
    if (!this.workspace.has(uri)) this.publisher.clear(uri);
  }

  // --- files on disk -----------------------------------------------------------------------------

  async filesChanged(changes: ReadonlyArray<{ uri: string; type: 'created' | 'changed' | 'deleted' }>): Promise<void> {
    for (const c of changes) {
      switch (c.type) {
        case 'created':
        case 'changed':
          await this.workspace.fileChanged(c.uri);
          if (this.isDirectory(c.uri)) await this.workspace.renamed(c.uri, c.uri);
          break;
        case 'deleted':
          this.workspace.fileDeleted(c.uri);
          break;
        default: {
          const never: never = c.type;
          return never;
        }
      }
    }
  }

  async filesRenamed(renames: ReadonlyArray<{ oldUri: string; newUri: string }>): Promise<void> {
    for (const r of renames) await this.workspace.renamed(r.oldUri, r.newUri);
  }

  async foldersChanged(added: ReadonlyArray<{ uri: string }>, removed: ReadonlyArray<{ uri: string }>): Promise<void> {
    for (const f of removed) this.workspace.removeFolder(f.uri);
    for (const f of added) this.workspace.addFolder(f.uri);
    if (added.length && this.ready) await this.workspace.crawl();
  }

  // --- features ----------------------------------------------------------------------------------

  hover(uri: string, pos: Position, now?: Date): Hover | null {
    return hover({ index: this.index, display: (u) => this.display(u), now }, canonicalUri(uri), pos);
  }

  /** Completion in an open document, or in a file on disk when the client asks about one it has not opened. */
  completion(uri: string, pos: Position, doc?: TextDocument): CompletionItem[] {
    const canonical = canonicalUri(uri);
    let target = doc ? withUri(doc, canonical) : undefined;
    if (!target) {
      const p = uriToPath(canonical);
      if (!p || !this.workspace.has(canonical)) return [];
      try {
        target = TextDocument.create(canonical, 'typescript', 0, readFileSync(p, 'utf8'));
      } catch {
        return [];
      }
    }
    return completion({ index: this.index, display: (u) => this.display(u) }, target, pos);
  }

  definition(uri: string, pos: Position): Location[] {
    return definition(this.index, canonicalUri(uri), pos);
  }

  references(uri: string, pos: Position, includeDeclaration: boolean): Location[] {
    return references(this.index, canonicalUri(uri), pos, includeDeclaration);
  }

  documentSymbols(uri: string): DocumentSymbol[] {
    return documentSymbols(this.index, canonicalUri(uri));
  }

  workspaceSymbols(query: string): SymbolInformation[] {
    return workspaceSymbols(this.index, query);
  }

  codeActions(params: CodeActionParams): CodeAction[] {
    return codeActions(this.index, { ...params, textDocument: { uri: canonicalUri(params.textDocument.uri) } });
  }

  functions(params: FunctionsRequest.Params): FunctionsRequest.Result {
    return functionsRequest(this.index, params ?? {}, canonicalUri);
  }

  events(): EventsRequest.Result {
    return eventsRequest(this.index);
  }

  stepLocation(params: StepLocationRequest.Params): StepLocationRequest.Result {
    return stepLocationRequest(this.index, params);
  }

  async dispose(): Promise<void> {
    await this.notifier.dispose();
    await this.publisher.dispose();
    await this.workspace.dispose();
    await this.index.dispose();
  }

  // --- internals ---------------------------------------------------------------------------------

  private newIndex(): WorkspaceIndex {
    return new WorkspaceIndex({ maxDeepAnalysisBytes: this.settings.maxFileSize, logger: this.log.child('analysis') });
  }

  private changed(): void {
    if (!this.ready) return;
    this.notifier.poke();
    this.publisher.scheduleSweep();
  }

  private notify(): void {
    const params = indexChangedParams(this.index);
    if (params.version === this.lastNotifiedVersion && this.ready) return;
    this.lastNotifiedVersion = params.version;
    this.opts.output.indexChanged(params);
  }

  private isDirectory(uri: string): boolean {
    const p = uriToPath(uri);
    if (!p) return false;
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  }

  /** Workspace-relative path for hovers. */
  private display(uri: string): string {
    const p = uriToPath(uri);
    if (!p) return uri;
    for (const root of this.workspace.folderRoots()) {
      const rel = path.relative(root, p);
      if (!rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
    }
    return p;
  }
}

function withUri(doc: TextDocument, uri: string): TextDocument {
  if (doc.uri === uri) return doc;
  return new Proxy(doc, { get: (t, k) => (k === 'uri' ? uri : Reflect.get(t, k, t)) });
}
