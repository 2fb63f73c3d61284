// Test harness for the dev executor: starts `steplens dev` and the example apps as real processes,
// talks to them over real HTTP on 127.0.0.1, and cleans up. Waits on signals (ready lines, API
// state) with deadlines; never sleeps for readiness.
//
//   const ex = await Executor.start();            // -p 0 --no-discovery --data-dir <tmp> ...
//   const app = await ExampleApp.start('v4', ex); // examples/v4/scenarios.ts with INNGEST_DEV
//   await ex.sync(app.url);
//   const run = await ex.runOf(await ex.send({ name: 'scn/seq' }), fnSlug('v4', 'seq'));
//   const done = await ex.waitForRun(run);
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { route, type AppInfo, type EventApiResponse, type RunDetail, type RunSummary, type V1List, type V1Run, type Page } from '../../runtime/api';

import type { SdkTimeReport } from '../../examples/shared/app-server';

export type Sdk = 'v3' | 'v4';
export const SDKS: readonly Sdk[] = ['v3', 'v4'];
export const ROOT = resolve(import.meta.dirname, '..', '..');
const READY_RE = /Steplens dev server ready at (http:\/\/\S+)/;
const APP_READY_RE = /example app ready at (http:\/\/\S+)/;
export const TERMINAL = new Set(['Completed', 'Failed', 'Cancelled']);

/** The app id each scenario app registers; function slugs are `<appId>-<fnId>`. */
export const appId = (sdk: Sdk) => `scenarios-${sdk}`;
export const fnSlug = (sdk: Sdk, fnId: string) => `${appId(sdk)}-${fnId}`;

export class HarnessError extends Error {
  override name = 'HarnessError';
}

/** Keeps the last lines a child printed, for error messages. */
class Tail {
  private lines: string[] = [];
  push(chunk: string) {
    this.lines.push(...chunk.split('\n').filter(Boolean));
    if (this.lines.length > 60) this.lines = this.lines.slice(-60);
  }
  toString() {
    return this.lines.join('\n');
  }
}

function waitForLine(child: ChildProcess, re: RegExp, what: string, tail: Tail, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    let buf = '';
    const timer = setTimeout(() => fail(new HarnessError(`${what} printed no ready line within ${timeoutMs} ms. Output:\n${tail}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = buf.match(re);
      if (m) {
        cleanup();
        resolvePromise(m);
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(new HarnessError(`${what} exited (code ${code}, signal ${signal}) before it was ready. Output:\n${tail}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    const fail = (e: Error) => {
      cleanup();
      reject(e);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

function track(child: ChildProcess, tail: Tail) {
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => tail.push(d));
  child.stderr?.on('data', (d: string) => tail.push(d));
}

async function killChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/** Polls `probe` until it returns a value that is not undefined, or throws after `timeoutMs`. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new HarnessError(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${String(last)}` : ''}`, { cause: last });
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json<T = unknown>(): T;
}

/** A plain node:http request (lets tests set Host and Origin, which fetch forbids). */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolvePromise, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolvePromise({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export interface ExecutorOptions {
  dataDir?: string;
  port?: number;
  signingKey?: string;
  /** Seconds between app re-syncs (default 0.5 so tests see code changes quickly). */
  pollInterval?: number;
  /** Leave autodiscovery on (the harness passes --no-discovery otherwise). */
  discovery?: boolean;
  /** Extra environment for the executor process (e.g. PORT, which autodiscovery also probes). */
  env?: Record<string, string>;
  extraArgs?: string[];
}

/** A `steplens dev` process plus a typed client for its APIs. */
export class Executor {
  private child?: ChildProcess;
  readonly tail = new Tail();
  url = '';
  port = 0;
  private ownsDataDir = false;

  private constructor(
    public dataDir: string,
    private readonly opts: ExecutorOptions,
  ) {}

  static async start(opts: ExecutorOptions = {}): Promise<Executor> {
    const dir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'steplens-exec-')));
    const ex = new Executor(dir, opts);
    ex.ownsDataDir = !opts.dataDir;
    await ex.spawn(opts.port ?? 0);
    return ex;
  }

  private async spawn(port: number): Promise<void> {
    const args = [
      join(ROOT, 'bin', 'steplens.js'),
      'dev',
      '-p',
      String(port),
      ...(this.opts.discovery ? [] : ['--no-discovery']),
      '--data-dir',
      this.dataDir,
      '--retry-interval',
      '0.05',
      '--poll-interval',
      String(this.opts.pollInterval ?? 0.5),
      ...(this.opts.signingKey ? ['--signing-key', this.opts.signingKey] : []),
      ...(this.opts.extraArgs ?? []),
    ];
    const child = spawn(process.execPath, args, { cwd: this.dataDir, env: { ...process.env, ...this.opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    track(child, this.tail);
    const m = await waitForLine(child, READY_RE, 'steplens dev', this.tail);
    this.url = m[1].replace(/\/$/, '');
    this.port = Number(new URL(this.url).port);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** kill -9: no chance to flush or clean up. */
  async kill9(): Promise<void> {
    await killChild(this.child, 'SIGKILL');
  }

  /** Starts again on the same data dir and port (apps keep their INNGEST_DEV URL). */
  async restart(): Promise<void> {
    await killChild(this.child, 'SIGKILL');
    await this.spawn(this.port);
  }

  /** Stops the process with SIGTERM and removes the data dir it created. */
  async dispose(): Promise<void> {
    await killChild(this.child, 'SIGTERM');
    if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  /** JSON request to the executor; throws on a non-2xx answer. */
  async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new HarnessError(`${method} ${path} -> ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Adds and syncs an app; throws with the sync error when it does not end up synced. */
  async sync(url: string): Promise<AppInfo> {
    const app = await this.trySync(url);
    if (app.state !== 'synced') throw new HarnessError(`sync of ${url} ended ${app.state}: ${JSON.stringify(app.error)}\n${this.tail}`);
    return app;
  }

  trySync(url: string): Promise<AppInfo> {
    return this.api<AppInfo>('POST', route('appsSync'), { url });
  }

  async apps(): Promise<AppInfo[]> {
    return (await this.api<{ data: AppInfo[] }>('GET', route('apps'))).data;
  }

  /** POSTs events to /e/{key}; returns the event ids. */
  async send(events: unknown): Promise<string[]> {
    const res = await this.api<EventApiResponse>('POST', route('eventApi', { key: 'test' }), events);
    if (res.status !== 200 || res.error) throw new HarnessError(`event API answered ${JSON.stringify(res)}`);
    return res.ids;
  }

  async eventRuns(eventId: string): Promise<V1Run[]> {
    return (await this.api<V1List<V1Run>>('GET', route('v1EventRuns', { id: eventId }))).data;
  }

  /** Waits until event `eventId` has started a run of `functionId`; returns the run id. */
  async runOf(eventIds: string[] | string, functionId: string, timeoutMs = 15_000): Promise<string> {
    const id = Array.isArray(eventIds) ? eventIds[0] : eventIds;
    return waitUntil(`a run of ${functionId} for event ${id}`, async () => {
      const runs = await this.eventRuns(id);
      return runs.find((r) => r.function_id === functionId)?.run_id;
    }, timeoutMs);
  }

  async run(runId: string): Promise<RunDetail> {
    return this.api<RunDetail>('GET', route('run', { id: runId }));
  }

  async runs(query: Record<string, string>): Promise<RunSummary[]> {
    const qs = new URLSearchParams({ limit: '200', ...query }).toString();
    return (await this.api<Page<RunSummary>>('GET', `${route('runs')}?${qs}`)).data;
  }

  /** Polls the run until it is Completed, Failed or Cancelled. */
  async waitForRun(runId: string, timeoutMs = 30_000): Promise<RunDetail> {
    return waitUntil(`run ${runId} to finish`, async () => {
      const r = await this.run(runId);
      return TERMINAL.has(r.status) ? r : undefined;
    }, timeoutMs).catch(async (err: unknown) => {
      const r = await this.run(runId).catch(() => null);
      throw new HarnessError(`${(err as Error).message}\nrun now: ${JSON.stringify(summarize(r), null, 1)}\nexecutor output:\n${this.tail}`, { cause: err });
    });
  }

  /** Polls the run until `pred` holds. */
  async waitForRunState(runId: string, what: string, pred: (r: RunDetail) => boolean, timeoutMs = 30_000): Promise<RunDetail> {
    return waitUntil(`run ${runId}: ${what}`, async () => {
      const r = await this.run(runId);
      return pred(r) ? r : undefined;
    }, timeoutMs);
  }
}

/** A compact view of a run for assertion messages. */
export function summarize(r: RunDetail | null) {
  if (!r) return null;
  return {
    id: r.id,
    status: r.status,
    output: r.output,
    error: r.error,
    steps: r.steps?.map((s) => `${s.userId}:${s.kind}:${s.status}`),
    exchanges: r.exchanges?.map((e) => `${e.stepId.slice(0, 8)}#${e.attempt} ${e.status} ${e.ops.map((o) => o.label).join(',')}${e.error ? ` ERR ${e.error.message}` : ''}`),
  };
}

/** The step in a run detail with this user id (repeats: `dup` and index 1 for `dup:1`). */
export function stepOf(run: RunDetail, userId: string, index?: number) {
  const s = run.steps.find((x) => x.userId === userId && (index === undefined || (x.index ?? 0) === index));
  if (!s) throw new HarnessError(`run ${run.id} has no step ${userId}${index ? `:${index}` : ''}; steps: ${run.steps.map((x) => x.userId).join(', ')}`);
  return s;
}

/** An example app process (examples/<sdk>/<file>.ts) pointed at an executor. */
export class ExampleApp {
  private child?: ChildProcess;
  readonly tail = new Tail();
  url = '';
  /** Origin of the app (http://127.0.0.1:PORT). */
  origin = '';

  private constructor() {}

  static async start(sdk: Sdk, ex: Executor | null, opts: { file?: string; env?: Record<string, string | undefined> } = {}): Promise<ExampleApp> {
    const app = new ExampleApp();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', ...(ex ? { INNGEST_DEV: ex.url } : {}) };
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const file = join(ROOT, 'examples', sdk, opts.file ?? 'scenarios.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    app.child = child;
    track(child, app.tail);
    const m = await waitForLine(child, APP_READY_RE, `example app ${file}`, app.tail, 30_000);
    app.url = m[1];
    app.origin = new URL(app.url).origin;
    return app;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** { [runId]: { [stepId]: executions } } */
  async counters(): Promise<Record<string, Record<string, number>>> {
    const res = await fetch(`${this.origin}/__counters`);
    return (await res.json()) as Record<string, Record<string, number>>;
  }

  async countersOf(runId: string): Promise<Record<string, number>> {
    return (await this.counters())[runId] ?? {};
  }

  async sdkTime(): Promise<SdkTimeReport> {
    const res = await fetch(`${this.origin}/__sdk-time`);
    return (await res.json()) as SdkTimeReport;
  }

  /** Opens a gate a step body waits on (examples/shared/app-server.ts `gate()`). */
  async openGate(name: string): Promise<void> {
    await fetch(`${this.origin}/__gates/${encodeURIComponent(name)}`, { method: 'POST' });
  }

  async reset(): Promise<void> {
    await fetch(`${this.origin}/__reset`, { method: 'POST' });
  }

  async dispose(): Promise<void> {
    await killChild(this.child, 'SIGTERM');
  }
}

/** One executor and one scenario app for an SDK, synced. */
export interface Rig {
  sdk: Sdk;
  ex: Executor;
  app: ExampleApp;
  fn: (fnId: string) => string;
  dispose(): Promise<void>;
}

export async function startRig(sdk: Sdk, opts: ExecutorOptions = {}): Promise<Rig> {
  const ex = await Executor.start(opts);
  let app: ExampleApp | undefined;
  try {
    app = await ExampleApp.start(sdk, ex);
    await ex.sync(app.url);
  } catch (err) {
    await app?.dispose();
    await ex.dispose();
    throw err;
  }
  const a = app;
  return {
    sdk,
    ex,
    app: a,
    fn: (fnId) => fnSlug(sdk, fnId),
    async dispose() {
      await a.dispose();
      await ex.dispose();
    },
  };
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere. */
export async function cpuMs(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  try {
    const { readFile } = await import('node:fs/promises');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** A port that was free a moment ago (for processes that must be started on a known port). */
export async function freePort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A unique tag for event data, so concurrent tests can tell their runs apart. */
export function tag(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
