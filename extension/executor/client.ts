// HTTP and WebSocket client of the executor's API (runtime/api.ts). Routes come from `route()`;
// nothing here spells a path. No `vscode` import.
import WebSocket from 'ws';
import {
  route,
  type AppInfo,
  type ApiError,
  type ClientToExecutor,
  type EventApiResponse,
  type EventRecord,
  type EventsQuery,
  type ExecutorToClient,
  type FunctionInfo,
  type InvokeRequest,
  type InvokeResponse,
  type Page,
  type RerunRequest,
  type RerunResponse,
  type RunDetail,
  type RunsQuery,
  type RunSummary,
  type SyncAppRequest,
} from '../../runtime/api';
import type { Logger } from '../logger';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export class ExecutorApiError extends Error {
  override name = 'ExecutorApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The dev server accepts any non-empty event key (PROTOCOL.md §9). */
const EVENT_KEY = 'steplens';

export class ExecutorClient {
  constructor(readonly baseUrl: string) {}

  /** One HTTP call; answers status and parsed JSON (null when the body is empty). Never throws on 4xx/5xx. */
  async raw(method: HttpMethod, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ExecutorApiError(`the executor at ${this.baseUrl} did not answer`, 0, 'Start it with "Steplens: Start Executor".', { cause: err });
    }
    const text = await res.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, body: parsed };
  }

  private async json<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    const r = await this.raw(method, path, body);
    if (r.status >= 400) {
      const e = (r.body ?? {}) as Partial<ApiError>;
      throw new ExecutorApiError(`${method} ${path}: ${e.error ?? `HTTP ${r.status}`}`, r.status, e.hint);
    }
    return r.body as T;
  }

  apps(): Promise<AppInfo[]> {
    return this.json<AppInfo[] | { data: AppInfo[] }>('GET', route('apps')).then(unwrap);
  }
  functions(): Promise<FunctionInfo[]> {
    return this.json<FunctionInfo[] | { data: FunctionInfo[] }>('GET', route('functions')).then(unwrap);
  }
  runs(q: RunsQuery = {}): Promise<Page<RunSummary>> {
    return this.json('GET', route('runs') + query(q as Record<string, unknown>));
  }
  run(id: string): Promise<RunDetail> {
    return this.json('GET', route('run', { id }));
  }
  events(q: EventsQuery = {}): Promise<Page<EventRecord>> {
    return this.json('GET', route('events') + query(q as Record<string, unknown>));
  }
  sendEvent(name: string, data: Record<string, unknown>, user?: Record<string, unknown>): Promise<EventApiResponse> {
    return this.json('POST', route('eventApi', { key: EVENT_KEY }), { name, data, ...(user ? { user } : {}) });
  }
  invoke(functionId: string, req: InvokeRequest): Promise<InvokeResponse> {
    return this.json('POST', route('functionInvoke', { id: functionId }), req);
  }
  rerun(runId: string, req: RerunRequest): Promise<RerunResponse> {
    return this.json('POST', route('runRerun', { id: runId }), req);
  }
  syncApp(url: string): Promise<AppInfo> {
    const body: SyncAppRequest = { url };
    return this.json('POST', route('appsSync'), body);
  }
  streamUrl(): string {
    return this.baseUrl.replace(/^http/, 'ws') + route('stream');
  }
}

function unwrap<T>(v: T[] | { data: T[] }): T[] {
  return Array.isArray(v) ? v : v.data;
}

function query(q: Record<string, unknown>): string {
  const parts = Object.entries(q)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export type StreamState = 'connecting' | 'open' | 'closed';

/**
 * The executor's WebSocket stream, reconnecting while wanted and asking for what it missed
 * (`subscribe since` the last seq seen).
 */
export class ExecutorStream {
  private ws: WebSocket | undefined;
  private lastSeq: number | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private backoff = 250;
  /** The executor answered the upgrade with 404: it has no stream; retry rarely. */
  private missing = false;
  private _state: StreamState = 'closed';
  private readonly messageListeners = new Set<(m: ExecutorToClient) => void>();
  private readonly stateListeners = new Set<(s: StreamState, detail?: string) => void>();

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  get state(): StreamState {
    return this._state;
  }
  get seq(): number | undefined {
    return this.lastSeq;
  }

  onMessage(fn: (m: ExecutorToClient) => void): { dispose(): void } {
    this.messageListeners.add(fn);
    return { dispose: () => this.messageListeners.delete(fn) };
  }
  onState(fn: (s: StreamState, detail?: string) => void): { dispose(): void } {
    this.stateListeners.add(fn);
    return { dispose: () => this.stateListeners.delete(fn) };
  }

  private setState(s: StreamState, detail?: string): void {
    this._state = s;
    for (const fn of [...this.stateListeners]) fn(s, detail);
  }

  connect(): void {
    if (this.stopped) return;
    this.setState('connecting');
    const ws = new WebSocket(this.url, { headers: { origin: 'http://127.0.0.1' } });
    this.ws = ws;
    ws.on('open', () => {
      this.backoff = 250;
      this.setState('open');
      const sub: ClientToExecutor = { type: 'subscribe', ...(this.lastSeq !== undefined ? { since: this.lastSeq } : {}) };
      ws.send(JSON.stringify(sub));
    });
    ws.on('message', (data) => {
      let msg: ExecutorToClient;
      try {
        msg = JSON.parse(String(data)) as ExecutorToClient;
      } catch (err) {
        this.log.warn('unreadable stream message', { err });
        return;
      }
      if (typeof msg.seq === 'number') this.lastSeq = msg.seq;
      for (const fn of [...this.messageListeners]) fn(msg);
    });
    ws.on('error', (err) => {
      this.missing = /Unexpected server response: 404/.test(err.message);
      this.log.debug('stream error', { err });
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.stopped) return;
      if (this.missing) {
        this.setState('closed', 'this executor has no live stream; updates come by polling');
        this.retry = setTimeout(() => this.connect(), 30_000);
        return;
      }
      this.setState('closed', 'executor connection lost, reconnecting');
      this.retry = setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 5000);
    });
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.terminate();
      });
    }
    this.setState('closed', 'executor stopped');
    this.messageListeners.clear();
    this.stateListeners.clear();
  }
}
