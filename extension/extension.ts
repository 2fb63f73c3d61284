// Entry point. activate() registers views, CodeLens, commands and the status bar (extension
// scope), then starts the language client and the executor in the background, each in its own
// run scope. Start-up failures are shown with what to do, and rethrown to whoever awaited them.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { channelLogger, describeError, recentLines, type Logger } from './logger';
import { Scope } from './scopes';
import { Model, type ModelChange } from './model';
import { Contexts, SECTION, Views, readSettings, type Settings } from './manifest';
import { FunctionsView } from './views/functions';
import { RunsView } from './views/runs';
import { EventsView } from './views/events';
import { StepLensCodeLens } from './codeLens';
import { StepDecorations } from './stepDecorations';
import { StatusBar } from './statusBar';
import { PanelHost } from './panel';
import { ExecutorSession } from './executor/session';
import { devEnvLine, type ExecutorState } from './executor/process';
import { DOCUMENT_SELECTOR, startLanguageClient, type StepLensClient } from './languageClient';
import { registerCommands } from './commands';
import { panelHandlers } from './panelHandlers';
import { workspaceUsesInngest } from './workspace';
import type { ExecutorToClient } from '../runtime/api';

/** What activate() returns: used by the real-VS-Code tests and by other extensions. */
export interface SteplensApi {
  /** Duration of activate() itself, without the child processes' start (ms). */
  readonly activationMs: number;
  /** Resolves when the language client and executor have started (rejects with the first failure). */
  ready(): Promise<void>;
  executorUrl(): string | undefined;
  readonly model: Model;
  readonly panel: PanelHost;
  readonly decorations: StepDecorations;
  readonly views: { functions: FunctionsView; runs: RunsView; events: EventsView };
  statusText(): string;
  /** The last lines written to the Steplens channel. */
  recentLogs(): string[];
  /** Information messages shown so far (e.g. the port notice), newest last. */
  notices(): string[];
  statusTooltip(): string;
}

export class Steplens {
  readonly ext: Scope;
  readonly log: Logger;
  readonly model = new Model();
  settings: Settings;
  session: ExecutorSession | undefined;
  lsp: StepLensClient | undefined;
  private lspScope: Scope | undefined;
  hasInngest = false;
  private started: Promise<void> = Promise.resolve();
  private portNoticeShown = new Set<number>();
  readonly notices: string[] = [];
  readonly functionsView: FunctionsView;
  readonly runsView: RunsView;
  readonly eventsView: EventsView;
  readonly codeLens: StepLensCodeLens;
  readonly decorations: StepDecorations;
  readonly statusBar: StatusBar;
  readonly panel: PanelHost;

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly channel: vscode.LogOutputChannel,
  ) {
    this.log = channelLogger(channel);
    this.ext = new Scope('extension', this.log);
    this.ext.push(channel);
    this.settings = this.readSettings();
    const m = this.model;
    this.functionsView = new FunctionsView(m);
    this.runsView = new RunsView(m);
    this.eventsView = new EventsView(m);
    this.codeLens = new StepLensCodeLens(m);
    this.decorations = this.ext.push(new StepDecorations(m));
    this.statusBar = this.ext.push(new StatusBar(m));
    this.panel = this.ext.push(new PanelHost(context.extensionUri, { handlers: panelHandlers(this) }, this.log.child('panel')));

    this.ext.push(this.functionsView.register(Views.functions));
    this.ext.push(vscode.window.registerTreeDataProvider(Views.runs, this.runsView));
    this.ext.push(vscode.window.registerTreeDataProvider(Views.events, this.eventsView));
    this.ext.push(vscode.languages.registerCodeLensProvider(DOCUMENT_SELECTOR, this.codeLens));
    this.ext.push(m.onChange((c) => this.onModelChange(c)));
    this.ext.push(vscode.window.onDidChangeVisibleTextEditors(() => this.decorations.update()));
    this.ext.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SECTION)) return;
        const before = this.settings;
        this.settings = this.readSettings();
        const executorKeys: (keyof Settings)[] = ['port', 'appUrls', 'discovery', 'dataFolder', 'logLevel'];
        if (this.session && executorKeys.some((k) => JSON.stringify(before[k]) !== JSON.stringify(this.settings[k]))) {
          this.log.info('executor settings changed: restarting it');
          this.restartExecutor().catch(() => undefined);
        }
      }),
    );
    registerCommands(this);
    // Last payloads per event survive a reload ("Send again" works in the next session too).
    const saved = context.workspaceState.get<Record<string, Record<string, unknown>>>(LAST_PAYLOADS_KEY) ?? {};
    for (const [name, data] of Object.entries(saved)) m.lastPayloads.set(name, data);
    // "2s ago" in CodeLens and the Runs view: refresh the relative times now and then.
    const tick = setInterval(() => {
      if (m.recentRuns().length) {
        this.codeLens.refresh();
        this.runsView.refresh();
      }
      if (m.recentEvents().length) this.eventsView.refresh();
    }, 30_000);
    this.ext.defer(() => clearInterval(tick));
  }

  /** Remembers the payload last sent for an event (CodeLens "Send again"), also across reloads. */
  rememberPayload(eventName: string, data: Record<string, unknown>): void {
    this.model.lastPayloads.set(eventName, data);
    void this.context.workspaceState.update(LAST_PAYLOADS_KEY, Object.fromEntries([...this.model.lastPayloads].slice(-50)));
    this.codeLens.refresh();
  }

  readSettings(): Settings {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    return readSettings((k) => cfg.get(k));
  }

  private onModelChange(c: ModelChange): void {
    switch (c) {
      case 'functions':
        this.functionsView.refresh();
        this.codeLens.refresh();
        this.decorations.update();
        this.session?.loadLastDetails();
        return;
      case 'apps':
      case 'executor':
        this.functionsView.refresh();
        this.codeLens.refresh();
        this.statusBar.update(this.hasInngest);
        return;
      case 'runs':
        this.runsView.refresh();
        this.functionsView.refresh();
        this.codeLens.refresh();
        return;
      case 'events':
        this.eventsView.refresh();
        return;
      case 'steps':
        this.decorations.update();
        this.codeLens.refresh();
        this.runsView.refresh();
        this.functionsView.refresh();
        return;
    }
  }

  /** Detects inngest and, when found and auto-start is on, starts both processes in the background. */
  async boot(): Promise<void> {
    this.hasInngest = await workspaceUsesInngest();
    await vscode.commands.executeCommand('setContext', Contexts.hasInngest, this.hasInngest);
    this.statusBar.update(this.hasInngest);
    this.log.info(this.hasInngest ? 'workspace depends on inngest' : 'no package in this workspace depends on inngest');
    if (this.hasInngest && this.settings.autoStart) this.started = this.startAll();
    else this.started = Promise.resolve();
  }

  whenStarted(): Promise<void> {
    return this.started;
  }

  startAll(): Promise<void> {
    const lsp = this.startLanguageServer();
    const exe = this.startExecutor();
    return Promise.all([lsp, exe]).then(() => undefined);
  }

  async startLanguageServer(): Promise<void> {
    if (this.lspScope && !this.lspScope.isDisposed) return;
    const scope = (this.lspScope = new Scope('language client', this.log));
    try {
      this.lsp = await startLanguageClient({
        serverModule: this.context.asAbsolutePath(join('dist', 'language-server.js')),
        // Compiled server code is cached per VS Code (Electron's V8 differs from Node's) in our global storage.
        codeCacheDir: join(this.context.globalStorageUri.fsPath, 'code-cache'),
        channel: this.channel,
        log: this.log.child('lsp'),
        model: this.model,
        scope,
        logLevel: this.settings.logLevel,
        onGiveUp: (msg) => void this.showError(msg, 'Reload the window after fixing the cause (see the logs).'),
      });
    } catch (err) {
      await scope.dispose();
      this.lsp = undefined;
      await this.showError(`The Steplens language server did not start: ${describeError(err)}`, 'Check the logs; CodeLens and the Functions view need it.');
      throw err;
    }
  }

  async startExecutor(): Promise<void> {
    if (this.session) return;
    const s = this.settings;
    const session = new ExecutorSession(
      {
        cliPath: this.context.asAbsolutePath(join('dist', 'cli.js')),
        preferredPort: s.port,
        dataDir: this.dataDir(),
        appUrls: s.appUrls,
        discovery: s.discovery,
        logLevel: s.logLevel,
      },
      this.model,
      this.log,
      {
        onMessage: (m: ExecutorToClient) => this.panel.relay(m),
        onStreamState: (state, detail) => this.panel.setStreamState(state, detail),
        onState: (st: ExecutorState) => {
          this.model.setExecutor(st);
          void vscode.commands.executeCommand('setContext', Contexts.executorRunning, st.kind === 'ready');
        },
      },
    );
    this.session = session;
    this.panel.resetStream('connecting');
    try {
      const ready = await session.start();
      this.log.info(`executor ready at ${ready.url} in ${Math.round(ready.startMs)} ms`);
      if (ready.port !== ready.preferredPort) void this.portNotice(ready.preferredPort, ready.url);
    } catch (err) {
      await session.dispose();
      if (this.session === session) this.session = undefined;
      this.model.setExecutor({ kind: 'failed', error: err as never });
      const hint = (err as { hint?: string }).hint ?? 'See the logs.';
      void this.showError(`The Steplens executor did not start: ${describeError(err)}`, hint);
      throw err;
    }
  }

  async stopExecutor(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await s.dispose();
    this.model.setExecutor({ kind: 'stopped' });
    this.panel.resetStream('closed', 'executor stopped');
  }

  async restartExecutor(): Promise<void> {
    await this.stopExecutor();
    await this.startExecutor();
  }

  dataDir(): string {
    const configured = this.settings.dataFolder.trim();
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (configured) return root && !configured.startsWith('/') && !/^[A-Za-z]:/.test(configured) ? join(root, configured) : configured;
    return join((this.context.storageUri ?? this.context.globalStorageUri).fsPath, 'executor');
  }

  private async portNotice(preferred: number, url: string): Promise<void> {
    const port = Number(new URL(url).port);
    if (this.portNoticeShown.has(port)) return;
    this.portNoticeShown.add(port);
    const line = devEnvLine(url);
    const copy = 'Copy';
    const message = `Port ${preferred} is taken, so the Steplens executor runs on ${port}. Start your app with ${line}`;
    this.notices.push(message);
    const pick = await vscode.window.showInformationMessage(message, copy);
    if (pick === copy) await vscode.env.clipboard.writeText(line);
  }

  async showError(message: string, hint: string): Promise<void> {
    this.log.error(message, { hint });
    const logs = 'Show Logs';
    const pick = await vscode.window.showErrorMessage(`${message} ${hint}`, logs);
    if (pick === logs) this.channel.show(true);
  }

  async dispose(): Promise<void> {
    await this.stopExecutor();
    await this.lspScope?.dispose();
    await this.ext.dispose();
  }
}

let current: Steplens | undefined;
const LAST_PAYLOADS_KEY = 'steplens.lastPayloads';

export function activate(context: vscode.ExtensionContext): SteplensApi {
  const t0 = performance.now();
  const channel = vscode.window.createOutputChannel('Steplens', { log: true });
  let sl: Steplens;
  try {
    sl = current = new Steplens(context, channel);
  } catch (err) {
    channel.error(`activation failed: ${describeError(err)}`);
    void vscode.window.showErrorMessage(`Steplens could not start: ${describeError(err)}. Run "Steplens: Show Logs" and report it.`);
    throw err;
  }
  const booted = sl.boot().catch((err: unknown) => sl.log.error('start-up failed', { err: describeError(err) }));
  const activationMs = performance.now() - t0;
  sl.log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    ready: async () => {
      await booted;
      await sl.whenStarted();
    },
    executorUrl: () => (sl.model.executor.kind === 'ready' ? sl.model.executor.url : undefined),
    model: sl.model,
    panel: sl.panel,
    decorations: sl.decorations,
    views: { functions: sl.functionsView, runs: sl.runsView, events: sl.eventsView },
    statusText: () => sl.statusBar.text,
    recentLogs: () => [...recentLines],
    notices: () => [...sl.notices],
    statusTooltip: () => {
      const t = sl.statusBar.item.tooltip;
      return typeof t === 'string' ? t : (t?.value ?? '');
    },
  };
}

export function deactivate(): Promise<void> | undefined {
  const sl = current;
  current = undefined;
  return sl?.dispose();
}
