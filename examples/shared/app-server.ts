// A tiny HTTP host for the example apps, shared by the v3 and v4 apps (it knows nothing of the SDK
// version: it takes the SDK's Node `serve` handler as a plain request listener).
//
// It serves:
//   /api/inngest        the SDK handler (what the executor syncs and calls)
//   GET  /__counters    side-effect counters: { [runId]: { [stepId]: executions } }
//   GET  /__sdk-time    time the SDK spent handling execution requests (for the benchmark)
//   POST /__reset       clears counters and timings
//   POST /__gates/<name> opens a gate that step bodies may wait on (see `gate()`)
//
// Counters are how the tests prove that no completed step ever ran twice: every step body in the
// scenario apps calls `counters.hit(runId, '<step id>')` once per execution.
//
// Start-up: listens on 127.0.0.1:$PORT (0 picks a free port) and prints one stdout line
// `example app ready at http://127.0.0.1:<port>/api/inngest` so launchers can wait on it.
import http from 'node:http';
import { performance as nodePerformance } from 'node:perf_hooks';

export const SERVE_PATH = '/api/inngest';
export const READY_PREFIX = 'example app ready at ';

/** Per-run side-effect counters. */
export class Counters {
  private readonly byRun = new Map<string, Map<string, number>>();

  /** Records one execution of `key` in run `runId`; returns how many times it has run so far. */
  hit(runId: string, key: string): number {
    let m = this.byRun.get(runId);
    if (!m) this.byRun.set(runId, (m = new Map()));
    const n = (m.get(key) ?? 0) + 1;
    m.set(key, n);
    return n;
  }

  get(runId: string, key: string): number {
    return this.byRun.get(runId)?.get(key) ?? 0;
  }

  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [run, m] of this.byRun) out[run] = Object.fromEntries(m);
    return out;
  }

  clear(): void {
    this.byRun.clear();
  }
}

/** What /__sdk-time reports. */
export interface SdkTimeReport {
  /** Execution requests (POST to the serve path) handled. */
  requests: number;
  /** Wall time from request arrival to the response being flushed, summed. */
  handlingMs: number;
  /** Of which: time spent waiting on outbound HTTP calls the SDK made (checkpoints, sendEvent). */
  outboundMs: number;
  /** How many such outbound calls there were. */
  outboundCalls: number;
  /** handlingMs - outboundMs: the SDK's own work. */
  sdkMs: number;
  /**
   * Time during which at least one execution request was in the app (overlapping requests counted
   * once). Wall time minus this is time the app sat idle waiting for the executor.
   */
  busyMs: number;
  /**
   * Time the app's event loop was running code while it had no execution request in hand (the
   * SDK's work after answering, garbage collection): a request that arrives then waits in the
   * socket through no fault of the executor. From `nodePerformance.eventLoopUtilization()`.
   */
  activeBetweenMs: number;
  byRun: Record<string, { requests: number; sdkMs: number }>;
}

class SdkTimer {
  requests = 0;
  handlingMs = 0;
  outboundMs = 0;
  outboundCalls = 0;
  /** Requests in flight; outbound time is only counted while one is. */
  inFlight = 0;
  busyMs = 0;
  private busySince = 0;
  activeBetweenMs = 0;
  /** Event-loop active time when the last request in hand ended; undefined before the first one. */
  private activeAtLeave: number | undefined;

  /** A request arrived: the app is busy from now if it was idle. */
  enter(now: number): void {
    if (this.inFlight++ === 0) {
      this.busySince = now;
      if (this.activeAtLeave !== undefined) this.activeBetweenMs += nodePerformance.eventLoopUtilization().active - this.activeAtLeave;
    }
  }
  /** A request ended: the app is idle from now if it was the last one. */
  leave(now: number): void {
    if (--this.inFlight === 0) {
      this.busyMs += now - this.busySince;
      this.activeAtLeave = nodePerformance.eventLoopUtilization().active;
    }
  }
  byRun = new Map<string, { requests: number; sdkMs: number; outboundMs: number }>();

  report(): SdkTimeReport {
    const byRun: SdkTimeReport['byRun'] = {};
    for (const [k, v] of this.byRun) byRun[k] = { requests: v.requests, sdkMs: v.sdkMs - v.outboundMs };
    return {
      requests: this.requests,
      handlingMs: this.handlingMs,
      outboundMs: this.outboundMs,
      outboundCalls: this.outboundCalls,
      sdkMs: this.handlingMs - this.outboundMs,
      busyMs: this.busyMs,
      activeBetweenMs: this.activeBetweenMs,
      byRun,
    };
  }

  reset(): void {
    this.requests = 0;
    this.handlingMs = 0;
    this.outboundMs = 0;
    this.outboundCalls = 0;
    this.busyMs = 0;
    this.activeBetweenMs = 0;
    this.activeAtLeave = undefined;
    this.byRun.clear();
  }
}

/**
 * Wraps global fetch so that time spent in outbound calls made while an execution request is being
 * handled (v4 checkpoints, step.sendEvent) is not counted as the SDK's own work. Approximate when
 * several execution requests overlap, exact for one run at a time (how the benchmark measures).
 */
function measureOutbound(timer: SdkTimer): void {
  const original = globalThis.fetch;
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    // Registrations (periodic re-syncs) are not part of any run's execution.
    const target = args[0] instanceof Request ? args[0].url : String(args[0]);
    if (timer.inFlight === 0 || target.includes('/fn/register')) return original(...args);
    const t0 = performance.now();
    try {
      return await original(...args);
    } finally {
      const ms = performance.now() - t0;
      timer.outboundMs += ms;
      timer.outboundCalls++;
      // Attribute to the run when exactly one execution request is in flight.
      if (currentRunIds.size === 1) {
        const runId = currentRunIds.values().next().value as string;
        const r = timer.byRun.get(runId) ?? { requests: 0, sdkMs: 0, outboundMs: 0 };
        r.outboundMs += ms;
        timer.byRun.set(runId, r);
      }
    }
  };
}
const currentRunIds = new Set<string>();

// Installed when this module is imported, i.e. before the app creates its Inngest client: some SDK
// versions (v3) keep the fetch they find at client creation.
const timer = new SdkTimer();
measureOutbound(timer);

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export interface StartedApp {
  server: http.Server;
  url: string;
  port: number;
}

/** Serves `handler` at /api/inngest plus the test endpoints; resolves once listening. */
export async function startAppServer(handler: http.RequestListener, counters: Counters): Promise<StartedApp> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === SERVE_PATH) {
      if (req.method !== 'POST') return void handler(req, res);
      const t0 = performance.now();
      const runId = String(req.headers['x-run-id'] ?? 'unknown');
      timer.enter(t0);
      currentRunIds.add(runId);
      res.on('close', () => {
        const t1 = performance.now();
        timer.leave(t1);
        currentRunIds.delete(runId);
        const ms = t1 - t0;
        timer.requests++;
        timer.handlingMs += ms;
        const r = timer.byRun.get(runId) ?? { requests: 0, sdkMs: 0, outboundMs: 0 };
        r.requests++;
        r.sdkMs += ms;
        timer.byRun.set(runId, r);
      });
      return void handler(req, res);
    }
    if (path === '/__counters' && req.method === 'GET') return json(res, 200, counters.snapshot());
    if (path === '/__sdk-time' && req.method === 'GET') return json(res, 200, timer.report());
    if (path.startsWith('/__gates/') && req.method === 'POST') {
      openGate(decodeURIComponent(path.slice('/__gates/'.length)));
      return json(res, 200, { ok: true });
    }
    if (path === '/__reset' && req.method === 'POST') {
      counters.clear();
      timer.reset();
      return json(res, 200, { ok: true });
    }
    json(res, 404, { error: `no route ${req.method} ${path}` });
  });

  const port = Number(process.env.PORT ?? 0);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  const url = `http://127.0.0.1:${actual}${SERVE_PATH}`;
  process.stdout.write(`${READY_PREFIX}${url}\n`);

  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { server, url, port: actual };
}

const gates = new Map<string, { open: boolean; waiters: (() => void)[] }>();

function openGate(name: string): void {
  const g = gates.get(name) ?? { open: false, waiters: [] };
  g.open = true;
  for (const w of g.waiters.splice(0)) w();
  gates.set(name, g);
}

/**
 * Resolves when a test opens gate `name` (POST /__gates/<name>), or after `maxMs` so the app also
 * works on its own. Lets a test hold a step mid-execution for exactly as long as it needs.
 */
export function gate(name: string, maxMs: number): Promise<void> {
  const g = gates.get(name) ?? { open: false, waiters: [] };
  gates.set(name, g);
  if (g.open) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, maxMs);
    g.waiters.push(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Resolves after `ms` (used inside step bodies to simulate slow work). */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
