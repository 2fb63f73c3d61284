// The webview panel host: loads dist/media/index.html with a strict CSP, answers the panel's
// requests through a handler table (a missing kind fails to compile), and relays the executor's
// stream. See media/messages.ts for the conversation.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutorToClient } from '../runtime/api';
import { renderPanelHtml } from './panelHtml';
import type {
  BootConfig,
  HostToWebview,
  PanelRequest,
  PanelRequestHandlers,
  PanelRequestKind,
  PanelResults,
  PanelRoute,
  StreamState,
  WebviewToHost,
} from '../media/messages';
import type { Logger } from './logger';
import { describeError } from './logger';

export const PANEL_VIEW_TYPE = 'steplens.panel';
const REPLAY_KEPT = 2000;

/** What the host needs from the rest of the extension. */
export interface PanelBackend {
  handlers: PanelRequestHandlers;
}

export class PanelHost {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private pendingRoute: PanelRoute | undefined;
  private subscribed = false;
  /** The last stream messages, so a panel that (re)subscribes with `since` gets what it missed. */
  private backlog: ExecutorToClient[] = [];
  private streamState: { state: StreamState; detail?: string } = { state: 'closed', detail: 'executor not started' };
  /** Messages posted to the webview, newest last (tests read this). */
  readonly posted: HostToWebview[] = [];
  /** The panel's current route as it last reported it. */
  currentRoute: PanelRoute | undefined;
  private readonly readyWaiters: (() => void)[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly backend: PanelBackend,
    private readonly log: Logger,
  ) {}

  get visible(): boolean {
    return !!this.panel;
  }
  get isReady(): boolean {
    return this.ready;
  }

  /** Resolves when the webview has posted `ready`. */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  /** Opens (or reveals) the panel, optionally at a route. */
  async show(to?: PanelRoute): Promise<void> {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      if (to) this.navigate(to);
      return;
    }
    const mediaRoot = vscode.Uri.joinPath(this.extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Steplens',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [mediaRoot], enableFindWidget: true },
    );
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'extension', 'resources', 'steplens.svg');
    this.panel = panel;
    this.ready = false;
    this.subscribed = false;
    this.pendingRoute = to;
    panel.onDidDispose(() => {
      if (this.panel === panel) {
        this.panel = undefined;
        this.ready = false;
        this.subscribed = false;
      }
    });
    panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.receive(m));
    panel.webview.html = await this.html(panel.webview, mediaRoot, to);
  }

  navigate(to: PanelRoute): void {
    if (!this.panel) {
      void this.show(to);
      return;
    }
    if (this.ready) this.post({ type: 'navigate', to });
    else this.pendingRoute = to;
  }

  /** Feeds one executor stream message to the panel (and the backlog). */
  relay(message: ExecutorToClient): void {
    this.backlog.push(message);
    if (this.backlog.length > REPLAY_KEPT) this.backlog.splice(0, this.backlog.length - REPLAY_KEPT);
    if (this.subscribed) this.post({ type: 'stream.message', message });
  }

  /** The executor restarted or stopped: its seq numbers start over. */
  resetStream(state: StreamState, detail?: string): void {
    this.backlog = [];
    this.setStreamState(state, detail);
  }

  setStreamState(state: StreamState, detail?: string): void {
    this.streamState = { state, ...(detail ? { detail } : {}) };
    if (this.ready) this.post({ type: 'stream.state', state, ...(detail ? { detail } : {}) });
  }

  /** Handles one message from the webview (public so tests can act as the panel). */
  async receive(m: WebviewToHost): Promise<void> {
    const table: { [K in WebviewToHost['type']]: (msg: Extract<WebviewToHost, { type: K }>) => void | Promise<void> } = {
      ready: () => {
        this.ready = true;
        this.post({ type: 'stream.state', state: this.streamState.state, ...(this.streamState.detail ? { detail: this.streamState.detail } : {}) });
        if (this.pendingRoute) this.post({ type: 'navigate', to: this.pendingRoute });
        this.pendingRoute = undefined;
        for (const w of this.readyWaiters.splice(0)) w();
      },
      request: async (msg) => {
        const answer = await this.answer(msg.request);
        this.post(answer.ok ? { type: 'response', id: msg.id, ok: true, result: answer.result } : { type: 'response', id: msg.id, ok: false, error: answer.error });
      },
      'stream.subscribe': (msg) => {
        this.subscribed = true;
        const since = msg.since;
        if (since !== undefined && this.backlog.length && this.backlog[0]!.seq > since + 1) {
          this.post({ type: 'stream.message', message: { type: 'resync', seq: since } });
        }
        for (const message of this.backlog) if (since === undefined || message.seq > since) this.post({ type: 'stream.message', message });
      },
      route: (msg) => {
        this.currentRoute = msg.route;
        if (this.panel) this.panel.title = msg.title ? `Steplens: ${msg.title}` : 'Steplens';
      },
    };
    try {
      await (table[m.type] as (msg: WebviewToHost) => void | Promise<void>)(m);
    } catch (err) {
      this.log.error('panel message failed', { type: m.type, err: describeError(err) });
    }
  }

  /** Runs one panel request through the handler table. */
  async answer<K extends PanelRequestKind>(
    request: Extract<PanelRequest, { kind: K }>,
  ): Promise<{ ok: true; result: PanelResults[K] } | { ok: false; error: { message: string; hint?: string } }> {
    const handler = this.backend.handlers[request.kind] as (r: typeof request) => Promise<PanelResults[K]>;
    try {
      return { ok: true, result: await handler(request) };
    } catch (err) {
      const hint = (err as { hint?: unknown }).hint;
      return { ok: false, error: { message: describeError(err), ...(typeof hint === 'string' ? { hint } : {}) } };
    }
  }

  private post(m: HostToWebview): void {
    this.posted.push(m);
    if (this.posted.length > 500) this.posted.splice(0, 100);
    void this.panel?.webview.postMessage(m);
  }

  private async html(webview: vscode.Webview, mediaRoot: vscode.Uri, to?: PanelRoute): Promise<string> {
    const nonce = randomBytes(16).toString('base64');
    const boot: BootConfig = { mode: 'vscode', ...(to ? { route: to } : {}) };
    let template: string;
    try {
      template = await readFile(join(mediaRoot.fsPath, 'index.html'), 'utf8');
    } catch (err) {
      this.log.error('dist/media/index.html is missing; build the panel with `npm run build`', { err: describeError(err) });
      template = missingPanelHtml();
    }
    return renderPanelHtml(template, {
      nonce,
      cspSource: webview.cspSource,
      assetBase: webview.asWebviewUri(mediaRoot).toString(),
      boot,
    });
  }

  dispose(): void {
    this.panel?.dispose();
    this.panel = undefined;
  }
}

function missingPanelHtml(): string {
  return `<!doctype html><html><head><meta charset="utf-8"></head><body style="font-family: var(--vscode-font-family); padding: 1em">
<p>The Steplens panel is not built (dist/media/index.html is missing).</p><p>Run <code>npm run build</code> and reopen the panel.</p></body></html>`;
}
