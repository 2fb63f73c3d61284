// Shared helpers for the runtime tests: an in-process executor on a temp data dir, and small
// inline apps on the official SDK (v3 and v4) served over real HTTP on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Executor, type ExecutorOptions } from '../../runtime/executor';
import { createLogger } from '../../runtime/log';
import type { RunDetail, RunSummary } from '../../runtime/api';

export interface Harness {
  ex: Executor;
  url: string;
  dir: string;
  close(): Promise<void>;
}

export async function startExecutor(opts: Partial<ExecutorOptions> = {}): Promise<Harness> {
  const dir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'steplens-rt-')));
  const ex = new Executor({
    port: 0,
    host: '127.0.0.1',
    sdkUrls: [],
    discovery: false,
    dataDir: dir,
    retryIntervalMs: 50,
    pollIntervalMs: 60_000,
    log: process.env.STEPLENS_TEST_LOG ? createLogger((l) => process.stderr.write(l + '\n'), 'debug') : undefined,
    ...opts,
  });
  const { url } = await ex.start();
  return {
    ex,
    url,
    dir,
    async close() {
      await ex.dispose();
      if (!opts.dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface AppServer {
  url: string;
  close(): Promise<void>;
  /** Drops every open connection unanswered, as an app process that dies or restarts does. */
  dropConnections(): void;
}

/** Serves a request listener on a free port; the Inngest path is /api/inngest. */
export async function serveApp(listener: http.RequestListener): Promise<AppServer> {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/inngest')) return listener(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/inngest`,
    dropConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export async function api<T = unknown>(base: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as T };
}

export async function sendEvent(base: string, event: unknown): Promise<string[]> {
  const r = await api<{ ids: string[]; status: number; error?: string }>(base, '/e/test-key', { method: 'POST', body: event });
  if (r.status !== 200) throw new Error(`event API answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.ids;
}

/** Polls until `check` returns a value, or throws after `ms`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function runsOfEvent(base: string, eventId: string): Promise<RunSummary[]> {
  const r = await api<{ data: RunSummary[] }>(base, `/api/runs?eventId=${eventId}`);
  return r.body.data;
}

/** Waits until the event's runs (at least `count`) all ended; answers their details. */
export async function finishedRuns(base: string, eventId: string, count = 1, ms = 15_000): Promise<RunDetail[]> {
  const runs = await waitFor(
    `${count} finished run(s) of event ${eventId}`,
    async () => {
      const rs = await runsOfEvent(base, eventId);
      return rs.length >= count && rs.every((r) => r.status === 'Completed' || r.status === 'Failed' || r.status === 'Cancelled') ? rs : undefined;
    },
    ms,
  );
  return Promise.all(runs.map(async (r) => (await api<RunDetail>(base, `/api/runs/${r.id}`)).body));
}

export async function syncApp(base: string, appUrl: string): Promise<void> {
  const r = await api<{ state: string; error?: unknown }>(base, '/api/apps/sync', { method: 'POST', body: { url: appUrl } });
  if (r.status !== 200 || r.body.state !== 'synced') throw new Error(`sync failed: ${JSON.stringify(r.body)}`);
}

/** The built CLI bundle (`node esbuild.mjs` makes it; `npm test` does). */
export const CLI = join(resolve(import.meta.dirname, '..', '..'), 'dist', 'cli.js');

/** `steplens dev <args>` as a real process, resolved on its ready line (`url` without a trailing slash). */
export function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'dev', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((res, rej) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /Steplens dev server ready at (http:\/\/\S+)\n/.exec(out);
      if (m) res({ child, url: m[1]!.replace(/\/$/, ''), stderr: () => err });
    });
    child.once('exit', (code) => rej(new Error(`steplens dev exited ${code} before it was ready: ${err}`)));
  });
}
