// LSP test client: writes an inline fixture workspace to a temp dir, starts the BUILT server
// (`node dist/language-server.js --stdio`), speaks JSON-RPC to it, and lets tests wait on what the
// server sends (diagnostics, steplens/indexChanged, progress) instead of sleeping.
//
// Fixture markers: `/*@name*/` anywhere in a fixture file is removed from the text written to disk,
// and `ws.pos('file.ts', 'name')` gives its LSP position.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type Diagnostic,
  type PublishDiagnosticsParams,
  type Position,
  type ProgressToken,
  type InitializeResult,
  type ClientCapabilities,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  WorkDoneProgressCreateRequest,
  ConfigurationRequest,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ShutdownRequest,
  ExitNotification,
  LogMessageNotification,
  WorkDoneProgress,
} from 'vscode-languageserver-protocol/node';
import { IndexChangedNotification } from '../../../language-server/protocol';

export const SERVER_JS = path.resolve(__dirname, '../../../dist/language-server.js');
const DEFAULT_TIMEOUT_MS = 20_000;

const MARKER = /\/\*@([\w-]+)\*\//g;

export interface Fixture {
  text: string;
  markers: Record<string, number>;
}

export function parseMarkers(source: string): Fixture {
  const markers: Record<string, number> = {};
  let text = '';
  let last = 0;
  for (const m of source.matchAll(MARKER)) {
    text += source.slice(last, m.index);
    markers[m[1] as string] = text.length;
    last = (m.index as number) + m[0].length;
  }
  text += source.slice(last);
  return { text, markers };
}

export function offsetToPosition(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

interface Waiter<T> {
  test: (value: T) => boolean;
  resolve: (value: T) => void;
}

export interface StartOptions {
  files: Record<string, string>;
  initializationOptions?: unknown;
  /** Answer for workspace/configuration (section steplens.languageServer). */
  configuration?: unknown;
  capabilities?: ClientCapabilities;
  /** Workspace folders, relative to the temp root (default: the root itself). */
  folders?: string[];
  /** Extra node flags for the server process. */
  nodeArgs?: string[];
  /** Extra server arguments after `--stdio` (e.g. `--code-cache-dir DIR`). */
  serverArgs?: string[];
  /** Environment variables added to this process' environment for the server. */
  env?: Record<string, string>;
  /** Documents to open right after `initialized`, while the server is still indexing. */
  openOnStart?: string[];
  /** How long to wait for the first indexChanged (default 20 s). */
  startTimeoutMs?: number;
  /** Use this existing directory as the workspace (not deleted on dispose) instead of a temp dir. */
  root?: string;
}

export interface StartTimings {
  spawned: number;
  initializeAnswered: number;
  initializedSent: number;
  firstIndexChanged: number;
}

export class TestWorkspace {
  readonly fixtures = new Map<string, Fixture>();
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every publishDiagnostics received, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  readonly indexChanges: IndexChangedNotification.Params[] = [];
  readonly logs: string[] = [];
  readonly progress: Array<{ token: ProgressToken; value: unknown }> = [];
  private readonly diagWaiters: Array<Waiter<PublishDiagnosticsParams>> = [];
  private readonly indexWaiters: Array<Waiter<IndexChangedNotification.Params>> = [];
  private readonly logWaiters: Array<Waiter<string>> = [];
  private readonly versions = new Map<string, number>();
  private exited = false;
  initializeResult: InitializeResult | undefined;
  readonly timings: StartTimings = { spawned: 0, initializeAnswered: 0, initializedSent: 0, firstIndexChanged: 0 };
  private ownsRoot = true;
  /** What this client answers to workspace/configuration; change it, then send didChangeConfiguration. */
  configuration: unknown;

  private constructor(
    readonly root: string,
    readonly proc: ChildProcess,
    readonly conn: ProtocolConnection,
  ) {}

  static async start(opts: StartOptions): Promise<TestWorkspace> {
    const root = opts.root ?? (await mkdtemp(path.join(tmpdir(), 'steplens-lsp-')));
    for (const [rel, source] of Object.entries(opts.files)) {
      const abs = path.join(root, rel);
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, parseMarkers(source).text);
    }
    const spawned = performance.now();
    const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), SERVER_JS, '--stdio', ...(opts.serverArgs ?? [])], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
    });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const ws = new TestWorkspace(root, proc, conn);
    ws.ownsRoot = !opts.root;
    ws.timings.spawned = spawned;
    proc.stderr!.on('data', (d: Buffer) => {
      ws.logs.push(`[stderr] ${d.toString()}`);
      if (process.env.STEPLENS_TEST_DEBUG) process.stderr.write(`[server stderr] ${d.toString()}`);
    });
    proc.on('exit', () => {
      ws.exited = true;
    });
    for (const [rel, source] of Object.entries(opts.files)) ws.fixtures.set(rel, parseMarkers(source));
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      ws.diagnostics.set(p.uri, p);
      ws.published.push(p);
      ws.settle(ws.diagWaiters, p);
    });
    conn.onNotification(IndexChangedNotification.type, (p) => {
      ws.indexChanges.push(p);
      ws.settle(ws.indexWaiters, p);
    });
    conn.onNotification(LogMessageNotification.type, (p) => {
      ws.logs.push(p.message);
      ws.settle(ws.logWaiters, p.message);
      if (process.env.STEPLENS_TEST_DEBUG) process.stderr.write(`[server] ${p.message}\n`);
    });
    conn.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
      conn.onProgress(WorkDoneProgress.type, token as string | number, (value) => {
        ws.progress.push({ token, value });
      });
    });
    conn.onRequest(RegistrationRequest.type, () => undefined);
    ws.configuration = opts.configuration;
    conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => ws.configuration ?? null));
    conn.listen();
    const folders = (opts.folders ?? ['.']).map((f) => {
      const abs = path.resolve(root, f);
      return { uri: pathToFileURL(abs).href, name: path.basename(abs) };
    });
    ws.initializeResult = await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: folders[0]?.uri ?? null,
      workspaceFolders: folders,
      initializationOptions: opts.initializationOptions,
      capabilities: opts.capabilities ?? {
        window: { workDoneProgress: true },
        workspace: {
          configuration: true,
          workspaceFolders: true,
          didChangeWatchedFiles: { dynamicRegistration: true },
        },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
          completion: { completionItem: { snippetSupport: false } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
    });
    ws.timings.initializeAnswered = performance.now();
    const firstIndex = ws.waitForIndexChanged(() => true, 'the first steplens/indexChanged after start-up', opts.startTimeoutMs);
    ws.timings.initializedSent = performance.now();
    await conn.sendNotification(InitializedNotification.type, {});
    for (const rel of opts.openOnStart ?? []) await ws.open(rel);
    await firstIndex;
    ws.timings.firstIndexChanged = performance.now();
    return ws;
  }

  uri(rel: string): string {
    return pathToFileURL(path.join(this.root, rel)).href;
  }

  text(rel: string): string {
    const f = this.fixtures.get(rel);
    if (!f) throw new Error(`no fixture ${rel}`);
    return f.text;
  }

  pos(rel: string, marker: string): Position {
    const f = this.fixtures.get(rel);
    const off = f?.markers[marker];
    if (!f || off === undefined) throw new Error(`no marker ${marker} in ${rel}`);
    return offsetToPosition(f.text, off);
  }

  /** Write a fixture file to disk (markers stripped). Does not tell the server. */
  async write(rel: string, source: string): Promise<void> {
    const f = parseMarkers(source);
    this.fixtures.set(rel, f);
    const abs = path.join(this.root, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, f.text);
  }

  async remove(rel: string): Promise<void> {
    this.fixtures.delete(rel);
    await unlink(path.join(this.root, rel));
  }

  async notifyWatched(changes: Array<{ rel: string; type: 'created' | 'changed' | 'deleted' }>): Promise<void> {
    const type: Record<string, FileChangeType> = { created: FileChangeType.Created, changed: FileChangeType.Changed, deleted: FileChangeType.Deleted };
    await this.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: changes.map((c) => ({ uri: this.uri(c.rel), type: type[c.type] })) });
  }

  async open(rel: string): Promise<void> {
    this.versions.set(rel, 1);
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: this.uri(rel), languageId: rel.endsWith('.js') ? 'javascript' : 'typescript', version: 1, text: this.text(rel) },
    });
  }

  /** Replace the whole text of an open document (markers parsed like fixtures). */
  async change(rel: string, source: string): Promise<number> {
    const f = parseMarkers(source);
    this.fixtures.set(rel, f);
    const version = (this.versions.get(rel) ?? 1) + 1;
    this.versions.set(rel, version);
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: this.uri(rel), version }, contentChanges: [{ text: f.text }] });
    return version;
  }

  async close(rel: string): Promise<void> {
    await this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: this.uri(rel) } });
  }

  /** Latest diagnostics of a file, or the next ones matching `test` (waits). */
  waitForDiagnostics(rel: string, test: (d: Diagnostic[], p: PublishDiagnosticsParams) => boolean = () => true, what = `diagnostics for ${rel}`): Promise<Diagnostic[]> {
    const uri = this.uri(rel);
    const current = this.diagnostics.get(uri);
    if (current && test(current.diagnostics, current)) return Promise.resolve(current.diagnostics);
    return this.wait(this.diagWaiters, (p) => p.uri === uri && test(p.diagnostics, p), what).then((p) => p.diagnostics);
  }

  /** The next publishDiagnostics for a file (ignores what was already received). */
  nextDiagnostics(rel: string, test: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> {
    const uri = this.uri(rel);
    return this.wait(this.diagWaiters, (p) => p.uri === uri && test(p), `next diagnostics for ${rel}`);
  }

  waitForIndexChanged(test: (p: IndexChangedNotification.Params) => boolean, what = 'steplens/indexChanged', timeoutMs?: number): Promise<IndexChangedNotification.Params> {
    return this.wait(this.indexWaiters, test, what, timeoutMs);
  }

  /** The next indexChanged with a version above the last one seen. */
  nextIndexChanged(test: (p: IndexChangedNotification.Params) => boolean = () => true): Promise<IndexChangedNotification.Params> {
    const last = this.indexChanges.at(-1)?.version ?? -1;
    return this.waitForIndexChanged((p) => p.version > last && test(p), 'the next steplens/indexChanged');
  }

  /** A server log line (window/logMessage) matching `test`, already received or the next one. */
  waitForLog(test: (line: string) => boolean, what = 'a server log line', timeoutMs?: number): Promise<string> {
    const seen = this.logs.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return this.wait(this.logWaiters, test, what, timeoutMs);
  }

  async dispose(): Promise<void> {
    try {
      if (!this.exited) {
        await Promise.race([this.conn.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000).unref())]);
        const exited = new Promise<void>((resolve) => {
          if (this.exited) resolve();
          this.proc.once('exit', () => resolve());
        });
        await this.conn.sendNotification(ExitNotification.type);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      }
    } catch {
      // the process may be gone already
    }
    this.conn.dispose();
    if (!this.exited) this.proc.kill();
    if (this.ownsRoot) await rm(this.root, { recursive: true, force: true });
  }

  get isAlive(): boolean {
    return !this.exited;
  }

  private wait<T>(list: Array<Waiter<T>>, test: (v: T) => boolean, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = list.indexOf(waiter);
        if (i >= 0) list.splice(i, 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; server log:\n${this.logs.slice(-20).join('\n')}`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        test,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      };
      list.push(waiter);
    });
  }

  private settle<T>(list: Array<Waiter<T>>, value: T): void {
    for (const w of [...list]) {
      let ok = false;
      try {
        ok = w.test(value);
      } catch {
        ok = false;
      }
      if (ok) {
        list.splice(list.indexOf(w), 1);
        w.resolve(value);
      }
    }
  }
}
