// App sync (PROTOCOL §2): the PUT ping, the SDK's POST /fn/register, periodic re-sync so code
// changes show up, and autodiscovery on the usual ports and paths.
import { randomUUID } from 'node:crypto';
import type { AppInfo, AppSyncError, FunctionTrigger } from './api';
import type { EventBus } from './bus';
import type { Clock, TimerHandle } from './clock';
import { httpRequest, SdkTransportError, type RawResponse } from './engine/sdk-client';
import type { FunctionRegistry } from './functions';
import type { Logger } from './log';
import type { AppRecord, FunctionRecord } from './model';
import { serializeBody, signBody } from './signing';
import type { Store } from './store/store';

export const DISCOVERY_PORTS = [80, 443, 3000, 3001, 3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010, 4321, 5000, 5173, 8000, 8080, 8081, 8888, 8910, 8911, 8912, 8913, 8914, 8915, 8787];
export const DISCOVERY_PATHS = ['/api/inngest', '/x/inngest', '/.netlify/functions/inngest', '/.redwood/functions/inngest'];
const SYNC_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 4;
const MAX_RETRIES = 20;

export interface AppSyncOptions {
  store: Store;
  functions: FunctionRegistry;
  clock: Clock;
  log: Logger;
  bus: EventBus;
  signingKey?: string;
  pollMs: number;
  discovery: boolean;
  /** The executor's own base URL (for hints) and port (skipped by discovery). */
  self: () => { url: string; port: number };
}

interface PendingSync {
  registered?: { ok: true } | { ok: false; error: AppSyncError };
}

interface RegisterFunction {
  id?: unknown;
  name?: unknown;
  triggers?: unknown;
  steps?: Record<string, { runtime?: { url?: unknown }; retries?: { attempts?: unknown } }>;
  [k: string]: unknown;
}

const header = (r: RawResponse, k: string): string | undefined => {
  const v = r.headers[k];
  return Array.isArray(v) ? v[0] : v;
};

export class AppSync {
  private readonly apps = new Map<string, AppRecord>();
  private readonly inFlight = new Map<string, Promise<AppRecord>>();
  private readonly pending = new Map<string, PendingSync>();
  private timer: TimerHandle | undefined;
  private discovering = false;
  private stopped = false;
  /** Aborts pings and discovery probes when the executor stops. */
  private readonly abort = new AbortController();

  constructor(private readonly o: AppSyncOptions) {
    for (const a of o.store.allApps()) this.apps.set(a.pingUrl, a);
    for (const f of o.store.allFunctions()) o.functions.set(f);
  }

  list(): AppInfo[] {
    return [...this.apps.values()].map(toInfo);
  }

  get(url: string): AppInfo | undefined {
    const a = this.apps.get(url) ?? [...this.apps.values()].find((x) => x.url === url);
    return a ? toInfo(a) : undefined;
  }

  /** Adds URLs from -u flags and starts polling. */
  start(urls: string[]): void {
    for (const u of urls) this.add(u, 'flag');
    void this.tick();
  }

  add(url: string, source: AppRecord['source']): AppRecord {
    let a = this.apps.get(url);
    if (!a) {
      a = { id: url, url, pingUrl: url, state: 'pending', functionIds: [], source };
      this.apps.set(url, a);
      this.o.store.putApp(a);
    }
    return a;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await Promise.all([...this.apps.keys()].map((u) => this.syncNow(u)));
      // Keeps looking while apps are synced (as `inngest dev` does): a second app of a monorepo, or one
      // whose first answer was too slow (a framework compiling its route), shows up on a later poll.
      if (this.o.discovery) await this.discover();
    } catch (e) {
      this.o.log.error(`sync loop: ${(e as Error).stack ?? String(e)}`);
    }
    if (this.stopped) return;
    this.timer = this.o.clock.setTimer(this.o.clock.now() + this.o.pollMs, () => void this.tick());
  }

  /** Syncs one app now (joins a sync already running for it). */
  syncNow(url: string, source: AppRecord['source'] = 'api'): Promise<AppRecord> {
    this.add(url, source);
    const running = this.inFlight.get(url);
    if (running) return running;
    const p = this.doSync(url).finally(() => this.inFlight.delete(url));
    this.inFlight.set(url, p);
    return p;
  }

  private async doSync(url: string): Promise<AppRecord> {
    const app = this.apps.get(url)!;
    const before = JSON.stringify([app.state, app.error?.code, app.functionIds]);
    const pend: PendingSync = {};
    this.pending.set(url, pend);
    let error: AppSyncError | undefined;
    const at = this.o.clock.now();
    const err = (code: string, message: string, hint?: string): AppSyncError => ({ code, message, hint, at });
    try {
      const body = serializeBody({ url }, !!this.o.signingKey);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-inngest-server-kind': 'dev' };
      if (this.o.signingKey) headers['x-inngest-signature'] = signBody(body, this.o.signingKey, this.o.clock.now());
      const res = await httpRequest('PUT', url, headers, body, SYNC_TIMEOUT_MS, this.abort.signal, true);
      const isSdk = header(res, 'x-inngest-sdk') !== undefined;
      // A cloud-mode SDK strips its x-inngest-* headers from answers to unsigned requests, all but this one.
      const cloudMode = !isSdk && header(res, 'x-inngest-sdk-handled') === 'true';
      let msg: string | undefined;
      try {
        const j = JSON.parse(res.body) as { message?: unknown; error?: unknown };
        msg = typeof j.message === 'string' ? j.message : typeof j.error === 'string' ? j.error : undefined;
      } catch {
        msg = undefined;
      }
      if (cloudMode) {
        error = err(
          res.status === 401 ? 'unauthorized' : 'cloud_mode',
          `${url} is an Inngest app in cloud mode: it refused the unsigned sync (${res.status}${msg ? ' ' + msg : ''})`,
          `your app is in cloud mode: start it with ${this.devEnv()} (or pass --signing-key with its signing key)`,
        );
      } else if (res.status >= 200 && res.status < 300) {
        if (!isSdk) error = err('not_an_sdk', `${url} answered ${res.status} but is not an Inngest SDK endpoint (no x-inngest-sdk header)`, 'Check the URL: it is usually http://127.0.0.1:PORT/api/inngest');
        else if (header(res, 'x-inngest-sync-kind') === 'in_band') {
          let reg: unknown;
          try {
            reg = JSON.parse(res.body);
          } catch {
            reg = undefined;
          }
          const r = this.applyRegistration(url, reg);
          if (!r.ok) error = r.error;
        } else if (pend.registered && !pend.registered.ok) error = pend.registered.error;
        else if (!pend.registered) {
          error = err(
            'no_register',
            `${url} answered the sync but never registered with this executor`,
            `Point the app at Steplens: start it with INNGEST_DEV=${this.o.self().url}`,
          );
        }
      } else if (res.status === 401) {
        error = err('unauthorized', `${url} refused the sync (401): the app is in cloud mode`, `your app is in cloud mode: start it with ${this.devEnv()} (or pass --signing-key with its key)`);
      } else if (res.status === 403) error = err('forbidden', `${url} answered 403 forbidden${msg ? ': ' + msg : ''}`);
      else if (res.status === 404) error = err('url_not_found', `${url} answered 404: no Inngest handler at this path`, 'Check the path: it is usually /api/inngest');
      else if (res.status === 400) error = err('bad_request', msg ?? `${url} answered 400`);
      else if (pend.registered && !pend.registered.ok) error = pend.registered.error;
      else if (!isSdk) error = err('not_an_sdk', `${url} answered ${res.status} and is not an Inngest SDK endpoint`, 'Check the URL: it is usually http://127.0.0.1:PORT/api/inngest');
      else error = err('internal_server_error', `${url} answered ${res.status}${msg ? ': ' + msg : ''}`);
    } catch (e) {
      const code = e instanceof SdkTransportError ? e.code : 'error';
      error = err(code === 'unreachable' ? 'unreachable' : code, `cannot reach ${url}: ${(e as Error).message}`, `Start the app (with ${this.devEnv()}), or check the URL and port`);
    } finally {
      this.pending.delete(url);
    }
    const cur = this.apps.get(url);
    if (!cur || this.stopped) return app;
    if (error) {
      cur.state = 'error';
      cur.error = error;
    } else {
      cur.state = 'synced';
      cur.error = undefined;
      cur.lastSyncedAt = at;
    }
    this.o.store.putApp(cur);
    const after = JSON.stringify([cur.state, cur.error?.code, cur.functionIds]);
    if (before !== after) {
      if (error) this.o.log.warn(`sync ${url}: ${error.message}`, { code: error.code });
      else this.o.log.info(`synced ${url} (${cur.id}, ${cur.functionIds.length} functions)`);
    }
    this.o.bus.emit({ type: 'app.synced', app: toInfo(cur) });
    return cur;
  }

  /** `POST /fn/register` from an SDK (PROTOCOL §2.2). */
  register(body: unknown, headers: Record<string, string | string[] | undefined>): { status: number; body: Record<string, unknown> } {
    const kind = headers['x-inngest-expected-server-kind'];
    if (typeof kind === 'string' && kind !== '' && kind !== 'dev') {
      return { status: 400, body: { error: `Expected server kind ${kind}, got dev` } };
    }
    const regUrl = body && typeof body === 'object' && typeof (body as { url?: unknown }).url === 'string' ? (body as { url: string }).url : undefined;
    // Which sync does this answer? The SDK registers the URL the ping reached.
    let key: string | undefined;
    if (regUrl && this.pending.has(regUrl)) key = regUrl;
    else if (regUrl) key = [...this.apps.values()].find((a) => sameEndpoint(a.url, regUrl) || sameEndpoint(a.pingUrl, regUrl))?.pingUrl;
    if (!key && this.pending.size === 1) key = [...this.pending.keys()][0];
    if (!key && regUrl) key = this.add(regUrl, 'register').pingUrl;
    if (!key) return { status: 400, body: { error: 'the registration has no "url"' } };
    const r = this.applyRegistration(key, body);
    const pend = this.pending.get(key);
    if (pend) pend.registered = r.ok ? { ok: true } : { ok: false, error: r.error };
    if (!r.ok) return { status: 400, body: { error: r.error.message } };
    if (!pend) {
      // A sync the SDK started by itself (e.g. `serve` at boot): record it as synced now.
      const a = this.apps.get(key)!;
      a.state = 'synced';
      a.error = undefined;
      a.lastSyncedAt = this.o.clock.now();
      this.o.store.putApp(a);
      this.o.bus.emit({ type: 'app.synced', app: toInfo(a) });
    }
    return { status: 200, body: { ok: true, modified: r.modified, app_id: r.appId, sync_id: randomUUID() } };
  }

  private applyRegistration(key: string, body: unknown): { ok: true; modified: boolean; appId: string } | { ok: false; error: AppSyncError } {
    const at = this.o.clock.now();
    const bad = (message: string): { ok: false; error: AppSyncError } => ({
      ok: false,
      error: { code: 'bad_payload', message: `the app sent an invalid registration: ${message}`, at },
    });
    if (!body || typeof body !== 'object') return bad('not a JSON object');
    const b = body as { appName?: unknown; app_id?: unknown; functions?: unknown; url?: unknown; sdk?: unknown; framework?: unknown };
    const appName = typeof b.appName === 'string' ? b.appName : typeof b.app_id === 'string' ? b.app_id : undefined;
    if (!appName) return bad('no appName');
    if (!Array.isArray(b.functions)) return bad('no functions array');
    const fresh: FunctionRecord[] = [];
    for (const [i, raw] of (b.functions as RegisterFunction[]).entries()) {
      if (!raw || typeof raw !== 'object' || typeof raw.id !== 'string' || raw.id === '') return bad(`function ${i} has no id`);
      const step = raw.steps && typeof raw.steps === 'object' ? Object.values(raw.steps)[0] : undefined;
      const stepUrl = step?.runtime?.url;
      if (typeof stepUrl !== 'string') return bad(`function ${raw.id} has no steps.step.runtime.url`);
      try {
        new URL(stepUrl);
      } catch {
        return bad(`function ${raw.id} has an invalid runtime url ${stepUrl}`);
      }
      const triggers: FunctionTrigger[] = [];
      for (const t of Array.isArray(raw.triggers) ? (raw.triggers as Record<string, unknown>[]) : []) {
        if (t && typeof t.event === 'string') triggers.push(typeof t.expression === 'string' ? { event: t.event, expression: t.expression } : { event: t.event });
        else if (t && typeof t.cron === 'string') triggers.push(typeof t.jitter === 'string' ? { cron: t.cron, jitter: t.jitter } : { cron: t.cron });
      }
      const retries = step?.retries?.attempts;
      const r = typeof retries === 'number' && Number.isFinite(retries) ? Math.max(0, Math.min(MAX_RETRIES, Math.floor(retries))) : DEFAULT_RETRIES;
      const prev = this.o.functions.get(raw.id);
      const { steps: _s, triggers: _t, id: _i, name: _n, ...config } = raw;
      fresh.push({
        id: raw.id,
        name: typeof raw.name === 'string' ? raw.name : raw.id,
        appId: appName,
        appUrl: key,
        uuid: prev?.uuid ?? randomUUID(),
        url: stepUrl,
        triggers,
        maxAttempts: r + 1,
        config: { ...config, steps: raw.steps },
      });
    }
    const app = this.apps.get(key)!;
    const oldIds = new Set(this.o.functions.forApp(key).map((f) => f.id));
    const before = JSON.stringify(this.o.functions.forApp(key).map(({ uuid: _u, ...f }) => f));
    this.o.store.tx(() => {
      for (const f of fresh) {
        const prev = this.o.functions.get(f.id);
        this.o.functions.set(f);
        // Re-syncs arrive every poll interval; most change nothing.
        if (!prev || JSON.stringify(prev) !== JSON.stringify(f)) this.o.store.putFunction(f);
        oldIds.delete(f.id);
      }
      for (const id of oldIds) {
        const f = this.o.functions.get(id);
        if (f) {
          const gone = { ...f, removed: true };
          this.o.functions.set(gone);
          this.o.store.putFunction(gone);
        }
      }
      app.id = appName;
      if (typeof b.url === 'string') app.url = b.url;
      if (typeof b.sdk === 'string') app.sdk = b.sdk;
      if (typeof b.framework === 'string') app.framework = b.framework;
      app.functionIds = fresh.map((f) => f.id);
    });
    const after = JSON.stringify(this.o.functions.forApp(key).map(({ uuid: _u, ...f }) => f));
    return { ok: true, modified: before !== after, appId: appName };
  }

  /** The line that points an app at this executor: `INNGEST_DEV=1` means port 8288, anything else needs the URL. */
  private devEnv(): string {
    const self = this.o.self();
    return self.port === 8288 ? 'INNGEST_DEV=1' : `INNGEST_DEV=${self.url}`;
  }

  /** Looks for SDKs on the usual local ports and paths (PROTOCOL §2.1). */
  private async discover(): Promise<void> {
    if (this.discovering) return;
    this.discovering = true;
    try {
      const self = this.o.self().port;
      const ports = new Set(DISCOVERY_PORTS);
      const envPort = Number(process.env.PORT);
      if (Number.isInteger(envPort) && envPort > 0) ports.add(envPort);
      ports.delete(self);
      // A port some known app already uses (under any local host name) is that app's: it re-syncs on its own.
      for (const a of this.apps.values()) {
        const port = localPort(a.pingUrl) ?? localPort(a.url);
        if (port !== undefined) ports.delete(port);
      }
      await Promise.all(
        [...ports].map(async (port) => {
          for (const path of DISCOVERY_PATHS) {
            const url = `http://127.0.0.1:${port}${path}`;
            if (this.apps.has(url)) return;
            try {
              const res = await httpRequest('GET', url, {}, undefined, 1000, this.abort.signal, true);
              if (header(res, 'x-inngest-sdk') !== undefined) {
                this.o.log.info(`discovered an Inngest app at ${url}`);
                await this.syncNow(url, 'discovery');
                return;
              }
            } catch (e) {
              if (e instanceof SdkTransportError && e.code === 'unreachable') return; // nothing listens on this port
            }
          }
        }),
      );
    } finally {
      this.discovering = false;
    }
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }
}

/** Host names that mean this machine; `localUrl` reads them all as 127.0.0.1. */
const LOCAL_ALIASES = new Set(['localhost', '[::1]', '0.0.0.0']);

/** The URL with a local host name read as 127.0.0.1, or undefined when it does not parse. */
function localUrl(url: string): URL | undefined {
  try {
    const u = new URL(url);
    if (LOCAL_ALIASES.has(u.hostname)) u.hostname = '127.0.0.1';
    return u;
  } catch {
    return undefined;
  }
}

/** Two URLs of one endpoint: equal once the local host names (localhost, ::1, 0.0.0.0) read 127.0.0.1. */
function sameEndpoint(a: string, b: string): boolean {
  if (a === b) return true;
  const na = localUrl(a)?.toString();
  return na !== undefined && na === localUrl(b)?.toString();
}

/** The port of a URL on this machine (127.0.0.1, localhost, ::1), else undefined. */
function localPort(url: string): number | undefined {
  const u = localUrl(url);
  if (u?.hostname !== '127.0.0.1') return undefined;
  return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
}

function toInfo(a: AppRecord): AppInfo {
  const { pingUrl: _p, ...info } = a;
  return { ...info, functionIds: [...a.functionIds] };
}
