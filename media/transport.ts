// How the panel reaches the executor and the editor. Two implementations behind one interface:
// - browser: fetch + WebSocket straight to the executor that served the page;
// - vscode: every call and the stream go through postMessage to the extension host (messages.ts).
// The views only see `Transport`; nothing else knows which mode it runs in beyond `mode`.
import type { ClientToExecutor, ExecutorToClient } from '../runtime/api';
import type {
  ApiResult, BootConfig, Fixture, HostToWebview, HttpMethod, PanelEventInfo, PanelRequest, PanelRequestKind, PanelResults,
  PanelRoute, SourceLocation, StepRef, StreamState, WebviewToHost,
} from './messages';
import { Routes } from '../runtime/api';

export interface StreamHandlers {
  message(msg: ExecutorToClient): void;
  state(state: StreamState, detail?: string): void;
}

export interface Transport {
  readonly mode: 'browser' | 'vscode';
  /** One executor HTTP call; resolves with status and body for any status (the caller decides). */
  http(method: HttpMethod, path: string, body?: unknown): Promise<ApiResult>;
  /** Opens the live stream; asks for what happened after `since()` on every (re)connect. */
  stream(handlers: StreamHandlers, since: () => number | undefined): void;
  /** Events the language server knows, or null when there is no language server (browser). */
  events(): Promise<PanelEventInfo[] | null>;
  /** Whether the editor can open and highlight source locations. */
  readonly canOpenSource: boolean;
  openSource(step: StepRef): Promise<SourceLocation | null>;
  highlightSource(step: StepRef | null): void;
  /** Where fixtures live, for the UI: `.steplens/fixtures/` or `this browser (localStorage)`. */
  readonly fixturesWhere: string;
  listFixtures(): Promise<Fixture[]>;
  saveFixture(fixture: Fixture): Promise<void>;
  /** The host asks the panel to show something. */
  onNavigate(cb: (to: PanelRoute) => void): void;
  /** Tells the host where the panel is (browser: updates the URL hash). */
  reportRoute(route: PanelRoute, title: string): void;
  dispose(): Promise<void>;
}

export class TransportError extends Error {
  override name = 'TransportError';
  constructor(message: string, readonly hint?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Reconnect delays for the stream: quick at first, then every few seconds. */
const BACKOFF_MS = [200, 500, 1000, 2000, 4000];

// --- browser ---------------------------------------------------------------------------------

const FIXTURES_KEY = 'steplens.fixtures.v1';

export class BrowserTransport implements Transport {
  readonly mode = 'browser' as const;
  readonly canOpenSource = false;
  readonly fixturesWhere = 'localStorage of this browser';
  private ws: WebSocket | null = null;
  private disposed = false;
  private retry = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly apiBase: string, private readonly wsUrl: string) {}

  async http(method: HttpMethod, path: string, body?: unknown): Promise<ApiResult> {
    let res: Response;
    try {
      res = await fetch(this.apiBase + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw new TransportError(`Cannot reach the executor at ${this.apiBase || location.origin}`, 'Is `steplens dev` still running?', { cause });
    }
    // JSON answers are parsed by the browser straight from the bytes (no 5 MB string in between).
    if (res.status !== 204 && /json/.test(res.headers.get('content-type') ?? '')) {
      try {
        return { status: res.status, body: (await res.json()) as unknown };
      } catch (cause) {
        return { status: res.status, body: { error: `The executor sent malformed JSON (${String(cause)})` } };
      }
    }
    const text = await res.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { error: text };
      }
    }
    return { status: res.status, body: parsed };
  }

  stream(handlers: StreamHandlers, since: () => number | undefined): void {
    const connect = () => {
      if (this.disposed) return;
      handlers.state('connecting');
      const url = this.wsUrl || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${Routes.stream}`;
      const ws = new WebSocket(url);
      this.ws = ws;
      ws.onopen = () => {
        this.retry = 0;
        const s = since();
        const sub: ClientToExecutor = s === undefined ? { type: 'subscribe' } : { type: 'subscribe', since: s };
        ws.send(JSON.stringify(sub));
        handlers.state('open');
      };
      ws.onmessage = (ev) => {
        try {
          handlers.message(JSON.parse(String(ev.data)) as ExecutorToClient);
        } catch {
          /* ignore a malformed frame */
        }
      };
      ws.onclose = () => {
        if (this.ws !== ws) return;
        this.ws = null;
        if (this.disposed) return;
        handlers.state('closed', 'no live stream: polling');
        this.timer = setTimeout(connect, BACKOFF_MS[Math.min(this.retry++, BACKOFF_MS.length - 1)]);
      };
    };
    connect();
  }

  async events(): Promise<PanelEventInfo[] | null> {
    return null;
  }
  async openSource(): Promise<SourceLocation | null> {
    return null;
  }
  highlightSource(): void {}

  async listFixtures(): Promise<Fixture[]> {
    try {
      const raw = localStorage.getItem(FIXTURES_KEY);
      return raw ? (JSON.parse(raw) as Fixture[]) : [];
    } catch {
      return [];
    }
  }
  async saveFixture(fixture: Fixture): Promise<void> {
    const all = (await this.listFixtures()).filter((f) => f.name !== fixture.name);
    all.push(fixture);
    all.sort((a, b) => a.name.localeCompare(b.name));
    localStorage.setItem(FIXTURES_KEY, JSON.stringify(all));
  }
  onNavigate(cb: (to: PanelRoute) => void): void {
    window.addEventListener('hashchange', () => {
      const r = routeFromHash(location.hash);
      if (r) cb(r);
    });
  }
  reportRoute(route: PanelRoute, title: string): void {
    const hash = hashFromRoute(route);
    if (location.hash !== hash) history.replaceState(null, '', hash);
    document.title = `${title} · Steplens`;
  }
  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.timer);
    this.ws?.close();
  }
}

export function hashFromRoute(r: PanelRoute): string {
  switch (r.view) {
    case 'runs':
      return '#/runs';
    case 'run':
      return `#/runs/${encodeURIComponent(r.runId)}${r.stepId ? `/${encodeURIComponent(r.stepId)}` : ''}`;
    case 'composer':
      return `#/send${r.eventName ? `/${encodeURIComponent(r.eventName)}` : ''}`;
  }
}

export function routeFromHash(hash: string): PanelRoute | null {
  const parts = hash.replace(/^#\/?/, '').split('/').map((p) => decodeURIComponent(p));
  if (parts[0] === 'runs' && parts[1]) return { view: 'run', runId: parts[1], stepId: parts[2] || undefined };
  if (parts[0] === 'runs') return { view: 'runs' };
  if (parts[0] === 'send') return { view: 'composer', eventName: parts.slice(1).join('/') || undefined };
  return null;
}

// --- vscode ----------------------------------------------------------------------------------

interface VsCodeApi {
  postMessage(msg: WebviewToHost): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export class VsCodeTransport implements Transport {
  readonly mode = 'vscode' as const;
  readonly canOpenSource = true;
  readonly fixturesWhere = '.steplens/fixtures/';
  private readonly api: VsCodeApi = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private streamHandlers: StreamHandlers | null = null;
  private since: () => number | undefined = () => undefined;
  private navigate: ((to: PanelRoute) => void) | null = null;
  private readonly queuedNavigation: PanelRoute[] = [];
  private retry = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listener = (ev: MessageEvent) => this.receive(ev.data as HostToWebview);

  constructor() {
    window.addEventListener('message', this.listener);
    this.api.postMessage({ type: 'ready' });
  }

  private request<K extends PanelRequestKind>(request: Extract<PanelRequest, { kind: K }>): Promise<PanelResults[K]> {
    const id = this.nextId++;
    return new Promise<PanelResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ type: 'request', id, request });
    });
  }

  private readonly handlers: { [T in HostToWebview['type']]: (m: Extract<HostToWebview, { type: T }>) => void } = {
    response: (m) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new TransportError(m.error.message, m.error.hint));
    },
    'stream.message': (m) => this.streamHandlers?.message(m.message),
    'stream.state': (m) => {
      this.streamHandlers?.state(m.state, m.detail);
      if (m.state === 'open') this.retry = 0;
      if (m.state === 'closed') {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.subscribe(), BACKOFF_MS[Math.min(this.retry++, BACKOFF_MS.length - 1)]);
      }
    },
    navigate: (m) => {
      if (this.navigate) this.navigate(m.to);
      else this.queuedNavigation.push(m.to);
    },
  };

  private receive(msg: HostToWebview): void {
    if (!msg || typeof msg !== 'object' || !(msg.type in this.handlers)) return;
    (this.handlers[msg.type] as (m: HostToWebview) => void)(msg);
  }

  private subscribe(): void {
    const s = this.since();
    this.api.postMessage(s === undefined ? { type: 'stream.subscribe' } : { type: 'stream.subscribe', since: s });
  }

  http(method: HttpMethod, path: string, body?: unknown): Promise<ApiResult> {
    return this.request<'api'>({ kind: 'api', method, path, body });
  }
  stream(handlers: StreamHandlers, since: () => number | undefined): void {
    this.streamHandlers = handlers;
    this.since = since;
    handlers.state('connecting');
    this.subscribe();
  }
  events(): Promise<PanelEventInfo[] | null> {
    return this.request<'events'>({ kind: 'events' });
  }
  openSource(step: StepRef): Promise<SourceLocation | null> {
    return this.request<'openSource'>({ kind: 'openSource', step });
  }
  highlightSource(step: StepRef | null): void {
    this.request<'highlightSource'>({ kind: 'highlightSource', step }).catch(() => undefined);
  }
  listFixtures(): Promise<Fixture[]> {
    return this.request<'listFixtures'>({ kind: 'listFixtures' });
  }
  async saveFixture(fixture: Fixture): Promise<void> {
    await this.request<'saveFixture'>({ kind: 'saveFixture', fixture });
  }
  onNavigate(cb: (to: PanelRoute) => void): void {
    this.navigate = cb;
    for (const r of this.queuedNavigation.splice(0)) cb(r);
  }
  reportRoute(route: PanelRoute, title: string): void {
    this.api.setState({ route });
    this.api.postMessage({ type: 'route', route, title });
  }
  /** The route saved before the webview was hidden or reloaded. */
  savedRoute(): PanelRoute | undefined {
    const s = this.api.getState() as { route?: PanelRoute } | undefined;
    return s?.route;
  }
  async dispose(): Promise<void> {
    clearTimeout(this.timer);
    window.removeEventListener('message', this.listener);
    for (const p of this.pending.values()) p.reject(new TransportError('panel closed'));
    this.pending.clear();
  }
}

export function createTransport(boot: BootConfig): Transport {
  return boot.mode === 'vscode' ? new VsCodeTransport() : new BrowserTransport(boot.apiBase, boot.wsUrl);
}
