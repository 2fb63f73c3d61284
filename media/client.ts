// Typed calls to the executor's API over whichever transport the panel runs on.
import {
  route, type EventApiResponse, type EventDetail, type EventRecord, type EventsQuery, type FunctionInfo, type InvokeRequest, type InvokeResponse,
  type Page, type RerunRequest, type RerunResponse, type ResolveWaitRequest, type RunDetail, type RunSummary, type RunsQuery,
  type RouteName,
} from '../runtime/api';
import type { HttpMethod } from './messages';
import type { Transport } from './transport';

/** An executor answer other than 2xx, with the executor's own words and hint. */
export class ApiCallError extends Error {
  override name = 'ApiCallError';
  constructor(message: string, readonly status: number, readonly hint?: string) {
    super(message);
  }
}

/** The key the panel posts events with; the dev executor accepts any key. */
export const PANEL_EVENT_KEY = 'steplens-panel';

function qs(q: object): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Lists may arrive bare or wrapped as `{ data: [...] }`. */
function list<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object' && Array.isArray((body as { data?: unknown }).data)) return (body as { data: T[] }).data;
  return [];
}

export class ExecutorClient {
  constructor(private readonly t: Transport) {}

  private async call<T>(method: HttpMethod, name: RouteName, params: Record<string, string> = {}, body?: unknown, query = ''): Promise<T> {
    const res = await this.t.http(method, route(name, params) + query, body);
    if (res.status >= 200 && res.status < 300) return res.body as T;
    const b = (res.body ?? {}) as { error?: string; hint?: string };
    const msg = b.error ?? `${method} ${route(name, params)} answered ${res.status}`;
    throw new ApiCallError(res.status === 404 && !b.error ? `${msg} (not found: is the executor up to date?)` : msg, res.status, b.hint);
  }

  functions = async (): Promise<FunctionInfo[]> => list<FunctionInfo>(await this.call('GET', 'functions'));
  runs = (q: RunsQuery): Promise<Page<RunSummary>> => this.call('GET', 'runs', {}, undefined, qs(q));
  run = (id: string): Promise<RunDetail> => this.call('GET', 'run', { id });
  events = (q: EventsQuery): Promise<Page<EventRecord>> => this.call('GET', 'events', {}, undefined, qs(q));
  /** One event with every run that took it and the debounce/batch holding it (executor audit F6). */
  event = (id: string): Promise<EventDetail> => this.call('GET', 'event', { id });
  sendEvent = (name: string, data: Record<string, unknown>, user?: Record<string, unknown>): Promise<EventApiResponse> =>
    this.call('POST', 'eventApi', { key: PANEL_EVENT_KEY }, user ? { name, data, user } : { name, data });
  invoke = (functionId: string, req: InvokeRequest): Promise<InvokeResponse> => this.call('POST', 'functionInvoke', { id: functionId }, req);
  cancel = (id: string): Promise<RunSummary> => this.call('POST', 'runCancel', { id }, {});
  rerun = (id: string, req: RerunRequest): Promise<RerunResponse> => this.call('POST', 'runRerun', { id }, req);
  skipSleep = (id: string, stepId: string): Promise<unknown> => this.call('POST', 'stepSkipSleep', { id, stepId }, {});
  resolveWait = (id: string, stepId: string, req: ResolveWaitRequest): Promise<unknown> => this.call('POST', 'stepResolveWait', { id, stepId }, req);
}
