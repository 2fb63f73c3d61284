// Every route of api.ts bound to the executor's parts.
import type { EventBuffer, EventDetail, EventRun, InvokeResponse, Page, RunDetail, RunStatus, RunSummary, SyncAppRequest } from '../api';
import type { Engine } from '../engine/engine';
import { IN_FLIGHT_PREFIX } from '../engine/interrupted';
import { MAX_SIGNAL_BODY_BYTES, sendSignal } from '../engine/signals';
import { eventRecord, runSummary, v1Event, v1Run } from '../engine/views';
import { EVENT_LIMITS, type Ingest } from '../events';
import { INVOKED_EVENT, type FunctionRegistry } from '../functions';
import type { FunctionInfo } from '../api';
import type { Store } from '../store/store';
import type { AppSync } from '../sync';
import type { Panel } from './panel';
import { apiError, HttpError, type Reply, type Router } from './router';
import type { Logger } from '../log';

export interface RouteDeps {
  store: Store;
  engine: Engine;
  ingest: Ingest;
  sync: AppSync;
  functions: FunctionRegistry;
  panel: Panel;
  version: string;
  state: () => string;
  log: Logger;
  /** Issue 4 additions: the cron plan (FunctionInfo.nextCronRuns) and the reruns of a run (RunDetail.reruns). */
  extras?: {
    nextCronRuns(fnId: string): number[] | undefined;
    configErrors(fnId: string): string[];
    rerunsOf(runId: string): string[];
    /** Debounces and batches holding the event, or that dropped it lately (executor audit F6). */
    eventBuffers?(eventId: string): EventBuffer[];
  };
}

const STATUSES: RunStatus[] = ['Queued', 'Running', 'Completed', 'Failed', 'Cancelled'];

const ok = (body: unknown, status = 200): Reply => ({ status, body });

function limitOf(q: URLSearchParams, def: number, max: number): number {
  const v = q.get('limit');
  if (v === null) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new HttpError(400, `limit must be a positive integer, got ${JSON.stringify(v)}`);
  return Math.min(n, max);
}

function encodeCursor(at: number, id: string): string {
  return Buffer.from(`${at}:${id}`).toString('base64url');
}
function decodeCursor(c: string | null): { at: number; id: string } | undefined {
  if (!c) return undefined;
  const s = Buffer.from(c, 'base64url').toString('utf8');
  const i = s.indexOf(':');
  const at = Number(s.slice(0, i));
  if (i < 0 || !Number.isFinite(at)) throw new HttpError(400, 'invalid cursor: pass back the nextCursor of the previous page');
  return { at, id: s.slice(i + 1) };
}

export function functionInfo(f: ReturnType<FunctionRegistry['all']>[number]): FunctionInfo {
  return { id: f.id, name: f.name, appId: f.appId, triggers: f.triggers, maxAttempts: f.maxAttempts, config: f.config };
}

export function registerRoutes(r: Router, d: RouteDeps): void {
  const { store, engine, ingest, sync, functions } = d;

  const runRecord = (id: string) => engine.peek(id)?.rec ?? store.getRun(id);
  const findEvent = (id: string) => store.getEvent(id) ?? store.findEventById(id, 0);
  const fnInfo = (f: Parameters<typeof functionInfo>[0]): FunctionInfo => {
    const i = functionInfo(f);
    const next = d.extras?.nextCronRuns(f.id);
    if (next) i.nextCronRuns = next;
    const errors = d.extras?.configErrors(f.id);
    if (errors?.length) i.configErrors = errors;
    return i;
  };

  // --- SDK protocol ---------------------------------------------------------------------------
  r.on('POST', 'eventApi', async (c) => {
    if (!c.params.key) return { status: 400, body: { ids: [], status: 400, error: 'missing event key' } };
    const text = await c.text(EVENT_LIMITS.maxBodyBytes).catch((e: HttpError) => e);
    if (text instanceof HttpError) return { status: 400, body: { ids: [], status: 400, error: text.message } };
    const seed = c.req.headers['x-inngest-event-id-seed'];
    const res = await ingest.accept(text, typeof seed === 'string' ? seed : undefined);
    return ok(res.body, res.status);
  });
  r.on('POST', 'register', async (c) => {
    const body = await c.json();
    const res = sync.register(body, c.req.headers);
    return ok(res.body, res.status);
  });
  r.on('POST', 'checkpointAsync', async (c) => {
    const body = await c.json();
    const res = engine.checkpoint(c.params.runId!, body);
    return res.status === 200 ? { status: 200, raw: '' } : apiError(res.status, res.error ?? 'checkpoint refused');
  });
  r.on('GET', 'runActions', (c) => {
    const ar = engine.load(c.params.runId!);
    if (!ar) throw new HttpError(404, `run ${c.params.runId} is not running`);
    return ok(Object.fromEntries(ar.memo));
  });
  r.on('GET', 'runBatch', (c) => {
    const ar = engine.load(c.params.runId!);
    if (!ar) throw new HttpError(404, `run ${c.params.runId} is not running`);
    return ok(ar.events);
  });
  r.on('POST', 'signals', async (c) => {
    const text = await c.text(MAX_SIGNAL_BODY_BYTES).catch((e: HttpError) => e);
    if (text instanceof HttpError) return { status: text.status, body: { error: text.message, status: text.status } };
    const res = sendSignal(engine, text);
    return ok(res.body, res.status);
  });
  // Realtime (token, publish, subscriptions): runtime/realtime/server.ts (RealtimeServer.routes).
  r.on('GET', 'devInfo', () =>
    ok({ version: d.version, kind: 'steplens', functions: functions.all().map(fnInfo), apps: sync.list(), features: {} }),
  );

  // --- v1 REST ---------------------------------------------------------------------------------
  r.on('GET', 'v1Events', (c) => {
    const limit = limitOf(c.query, 100, 1000);
    const name = c.query.get('name') ?? undefined;
    const time = (k: string): number | undefined => {
      const v = c.query.get(k);
      if (v === null) return undefined;
      const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
      if (Number.isNaN(t)) throw new HttpError(400, `${k} must be an RFC 3339 time or epoch ms, got ${JSON.stringify(v)}`);
      return t;
    };
    const after = time('received_after');
    const beforeT = time('received_before');
    const before = beforeT !== undefined ? { at: beforeT, id: '' } : undefined;
    return ok({ data: store.listEvents(limit, before, name, after).map(v1Event) });
  });
  r.on('GET', 'v1Event', (c) => {
    const e = findEvent(c.params.id!);
    if (!e) throw new HttpError(404, `no event ${c.params.id}`);
    return ok({ data: v1Event(e) });
  });
  r.on('GET', 'v1EventRuns', (c) => {
    const e = findEvent(c.params.id!);
    if (!e) throw new HttpError(404, `no event ${c.params.id}`);
    const runs = store.runIdsForEvent(e.internalId).map(runRecord).filter((x) => !!x);
    return ok({ data: runs.map((x) => v1Run(x!)) });
  });
  r.on('GET', 'v1Run', (c) => {
    const rec = runRecord(c.params.id!);
    if (!rec) throw new HttpError(404, `no run ${c.params.id}`);
    return ok({ data: v1Run(rec) });
  });
  r.on('DELETE', 'v1Run', (c) => {
    const rec = runRecord(c.params.id!);
    if (!rec) throw new HttpError(404, `no run ${c.params.id}`);
    engine.cancel(rec.id, 'cancelled through the REST API');
    return ok({ data: v1Run(runRecord(rec.id)!) });
  });

  // --- Steplens API ----------------------------------------------------------------------------
  r.on('GET', 'health', () => ok({ ok: true, state: d.state(), version: d.version, activeRuns: engine.activeCount, queued: engine.scheduler.size }));
  r.on('GET', 'apps', () => ok({ data: sync.list() }));
  r.on('POST', 'appsSync', async (c) => {
    const b = (await c.json()) as Partial<SyncAppRequest>;
    if (!b || typeof b.url !== 'string') throw new HttpError(400, 'body must be {"url": "http://127.0.0.1:PORT/api/inngest"}');
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(b.url)) b.url = `http://${b.url}`; // `localhost:3000/api/inngest`: http is meant
    try {
      const u = new URL(b.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new HttpError(400, `not an http(s) URL: ${b.url}`);
    }
    await sync.syncNow(b.url, 'api');
    return ok(sync.get(b.url));
  });
  r.on('GET', 'functions', () => ok({ data: functions.all().map(fnInfo) }));
  r.on('POST', 'functionInvoke', async (c) => {
    const fn = functions.get(c.params.id!);
    if (!fn || fn.removed) throw new HttpError(404, `no function ${c.params.id}`, 'See GET /api/functions for the ids of synced functions');
    const text = await c.text();
    let b: { data?: unknown; user?: unknown } = {};
    if (text.trim() !== '') {
      try {
        b = JSON.parse(text) as typeof b;
      } catch (e) {
        throw new HttpError(400, `the body is not valid JSON: ${(e as Error).message}`);
      }
    }
    if (b.data !== undefined && (b.data === null || typeof b.data !== 'object' || Array.isArray(b.data))) throw new HttpError(400, '"data" must be an object');
    const data = { ...((b.data as Record<string, unknown>) ?? {}), _inngest: { fn_id: fn.id } };
    const ev = ingest.publish(INVOKED_EVENT, data);
    const runId = store.runIdsForEvent(ev.internalId)[0] ?? null;
    return ok({ eventId: ev.internalId, runId } satisfies InvokeResponse);
  });
  r.on('GET', 'runs', (c) => {
    const q = c.query;
    const status = q.get('status') ?? undefined;
    if (status && !STATUSES.includes(status as RunStatus)) throw new HttpError(400, `status must be one of ${STATUSES.join(', ')}`);
    const num = (k: string): number | undefined => {
      const v = q.get(k);
      if (v === null) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new HttpError(400, `${k} must be epoch milliseconds`);
      return n;
    };
    const limit = limitOf(q, 50, 500);
    const eventId = q.get('eventId') ?? undefined;
    const rows = store.listRuns({
      functionId: q.get('functionId') ?? undefined,
      status,
      eventId: eventId ? (findEvent(eventId)?.internalId ?? eventId) : undefined,
      from: num('from'),
      to: num('to'),
      before: decodeCursor(q.get('cursor')),
      limit: limit + 1,
    });
    const page: Page<RunSummary> = { data: rows.slice(0, limit).map((x) => runSummary(engine.peek(x.id)?.rec ?? x)) };
    if (rows.length > limit) {
      const last = rows[limit - 1]!;
      page.nextCursor = encodeCursor(last.queuedAt, last.id);
    }
    return ok(page);
  });
  r.on('GET', 'run', (c) => runDetailReply(c.params.id!));
  r.on('POST', 'runCancel', (c) => {
    const rec = runRecord(c.params.id!);
    if (!rec) throw new HttpError(404, `no run ${c.params.id}`);
    engine.cancel(rec.id, 'cancelled from Steplens');
    return ok(runSummary(runRecord(rec.id)!));
  });
  // runRerun, stepSkipSleep and stepResolveWait: runtime/replay.ts (Replay.routes).
  r.on('GET', 'events', (c) => {
    const limit = limitOf(c.query, 50, 500);
    const rows = store.listEvents(limit + 1, decodeCursor(c.query.get('cursor')), c.query.get('name') ?? undefined);
    const page: Page<ReturnType<typeof eventRecord>> = {
      data: rows.slice(0, limit).map((e) => eventRecord(e, runIdsTaking(e.internalId))),
    };
    if (rows.length > limit) {
      const last = rows[limit - 1]!;
      page.nextCursor = encodeCursor(last.receivedAt, last.internalId);
    }
    return ok(page);
  });

  r.on('GET', 'event', (c) => {
    const e = findEvent(c.params.id!);
    if (!e) throw new HttpError(404, `no event ${c.params.id}`, 'Use the id POST /e answered (GET /api/events lists them)');
    const runs = eventRuns(e.internalId);
    const detail: EventDetail = { event: eventRecord(e, runs.map((x) => x.run.id)), runs, buffers: d.extras?.eventBuffers?.(e.internalId) ?? [] };
    return ok(detail);
  });

  /**
   * Every run that took the event: as its trigger (runs.event_id, what /v1/events/{id}/runs lists),
   * as one of a batch's events, or merged into a debounce (run_events).
   */
  function eventRuns(internalId: string): EventRun[] {
    const out = new Map<string, EventRun>();
    for (const id of store.runIdsForEvent(internalId)) {
      const rec = runRecord(id);
      if (rec) out.set(id, { run: runSummary(rec), role: 'trigger' });
    }
    for (const l of store.eventLinks(internalId)) {
      const cur = out.get(l.runId);
      if (cur) {
        // The first event of a batch is its run's trigger: keep that, with its place in the batch.
        if (l.position !== undefined) Object.assign(cur, { position: l.position, of: l.of });
        continue;
      }
      const rec = runRecord(l.runId);
      if (!rec) continue;
      out.set(l.runId, { run: runSummary(rec), role: l.role, ...(l.position !== undefined ? { position: l.position, of: l.of } : {}), ...(l.runEventId ? { runEventId: l.runEventId } : {}) });
    }
    return [...out.values()].sort((a, b) => a.run.queuedAt - b.run.queuedAt || (a.run.id < b.run.id ? -1 : 1));
  }

  function runIdsTaking(internalId: string): string[] {
    const ids = store.runIdsForEvent(internalId);
    for (const l of store.eventLinks(internalId)) if (!ids.includes(l.runId)) ids.push(l.runId);
    return ids;
  }

  // --- panel ---------------------------------------------------------------------------------------
  r.otherwise((c) => {
    const path = new URL(c.req.url ?? '/', 'http://local').pathname;
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      if (path === '/' || path === '/index.html') return d.panel.index(c.req.headers.host);
      if (path.startsWith('/assets/')) return d.panel.asset(path);
    }
    return apiError(404, `no route ${c.req.method} ${path}`);
  });

  /**
   * `RunDetail` as JSON text. The exchanges (the bulk of a long run) are spliced in as stored,
   * without a parse and re-stringify: the panel and scripts poll this route.
   */
  function runDetailReply(id: string): Reply {
    const rec = runRecord(id);
    if (!rec) throw new HttpError(404, `no run ${id}`);
    const events = rec.eventIds.map((e) => store.getEvent(e)).filter((e) => !!e).map((e) => eventRecord(e!));
    const ar = engine.peek(id);
    const steps = ar ? [...ar.steps.values()].sort((a, b) => (a.stackIndex ?? 1e9) - (b.stackIndex ?? 1e9)) : store.stepInfos(id);
    const stack = ar ? [...ar.memo.keys()] : store.stack(id);
    let raw = store.exchangesRaw(id);
    // Requests out now: their stored in-flight records give way to the live ones (checkpointed ops so far).
    if (ar) {
      if (ar.inflight.size) raw = raw.filter((x) => !x.startsWith(IN_FLIGHT_PREFIX));
      for (const f of ar.inflight.values()) raw.push(JSON.stringify({ inFlight: true, ...f.exchange }));
    }
    const children = rec.childRunIds ?? [];
    const detail: Omit<RunDetail, 'exchanges'> = { ...runSummary(rec), event: events[0] ?? null, events, steps, reruns: d.extras?.rerunsOf(id) ?? [], childRunIds: children, stack };
    const head = JSON.stringify(detail);
    const text = `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"exchanges":[${raw.join(',')}]}`;
    return { status: 200, raw: text, headers: { 'content-type': 'application/json' } };
  }
}
