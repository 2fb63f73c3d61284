// Recorded API answers for the panel bench (and for looking at the panel without an executor):
// synthetic runs built from the runtime/api.ts types, served by a tiny static server that answers
// the same routes the executor does. The Chromium e2e tests do NOT use this; they use the real
// executor and example apps (test/executor/harness.ts).
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import { extname, join, resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import { Routes, type ExecutorToClient, type FunctionInfo, type Page, type RunDetail, type RunStatus, type RunSummary, type SdkExchange, type StepInfo } from '../../../runtime/api';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

export interface Recorded {
  functions: FunctionInfo[];
  runs: RunSummary[];
  details: Map<string, RunDetail>;
  bigRunId: string;
}

const STATUSES: RunStatus[] = ['Completed', 'Completed', 'Completed', 'Failed', 'Running', 'Cancelled', 'Queued'];

/** `runCount` runs over a few functions, plus one run of `bigSteps` sequential steps with its exchanges. */
export function recordedData(runCount = 1000, bigSteps = 500, now = Date.now()): Recorded {
  const functions: FunctionInfo[] = ['charge-card', 'send-welcome', 'sync-crm', 'nightly-report', 'big-import'].map((id) => ({
    id: `shop-${id}`, name: id.replace(/-/g, ' '), appId: 'shop', maxAttempts: 4, config: {},
    triggers: id === 'nightly-report' ? [{ cron: '0 3 * * *' }] : [{ event: `shop/${id.split('-')[0]}.requested` }],
  }));
  const runs: RunSummary[] = [];
  const details = new Map<string, RunDetail>();
  for (let i = 0; i < runCount; i++) {
    const fn = functions[i % 4];
    const status = STATUSES[i % STATUSES.length];
    const queuedAt = now - i * 37_000;
    const started = status === 'Queued' ? undefined : queuedAt + 5;
    runs.push({
      id: `01RUN${String(i).padStart(21, '0')}`, functionId: fn.id, functionName: fn.name, appId: 'shop', status,
      eventId: `01EVT${String(i).padStart(21, '0')}`, eventName: 'event' in fn.triggers[0] ? fn.triggers[0].event : null,
      queuedAt, startedAt: started, endedAt: status === 'Running' || status === 'Queued' ? undefined : queuedAt + 40 + (i % 13) * 90,
      stepCount: 3, requestCount: 4, error: status === 'Failed' ? { name: 'Error', message: 'card declined' } : undefined,
    });
  }
  // The big run: `bigSteps` sequential step.run calls, one SDK call each (plus discovery).
  const t0 = now - 60_000;
  const steps: StepInfo[] = [];
  const exchanges: SdkExchange[] = [];
  const stack: string[] = [];
  for (let i = 0; i < bigSteps; i++) {
    const userId = `row-${i}`;
    const hashedId = sha1(userId);
    const start = t0 + i * 100;
    steps.push({
      hashedId, userId, displayName: `import row ${i}`, kind: 'run', status: 'completed', startedAt: start, endedAt: start + 80,
      attempts: [{ attempt: 0, startedAt: start, endedAt: start + 80 }], output: { data: { row: i, ok: true, sku: `SKU-${i}` } }, stackIndex: i,
    });
    exchanges.push({
      seq: i, stepId: i === 0 ? 'step' : hashedId, attempt: 0, startedAt: start, durationMs: 80, stackSize: stack.length,
      disableImmediateExecution: false, requestVersion: 2, status: 206,
      ops: [{ op: 'StepRun', hashedId, userId, displayName: `import row ${i}`, label: `StepRun ${userId}`, data: { row: i, ok: true } }],
    });
    stack.push(hashedId);
  }
  exchanges.push({ seq: bigSteps, stepId: 'step', attempt: 0, startedAt: t0 + bigSteps * 100, durationMs: 12, stackSize: stack.length, disableImmediateExecution: false, requestVersion: 2, status: 200, ops: [], output: { imported: bigSteps } });
  const bigFn = functions[4];
  const big: RunDetail = {
    id: '01RUNBIG0000000000000000000', functionId: bigFn.id, functionName: bigFn.name, appId: 'shop', status: 'Completed',
    eventId: '01EVTBIG0000000000000000000', eventName: 'shop/big.requested', queuedAt: t0 - 2, startedAt: t0, endedAt: t0 + bigSteps * 100 + 12,
    stepCount: bigSteps, requestCount: exchanges.length, output: { imported: bigSteps },
    event: { id: '01EVTBIG0000000000000000000', internalId: '01EVTBIG0000000000000000000', name: 'shop/big.requested', data: { file: 'orders.csv' }, ts: t0 - 2, receivedAt: t0 - 2 },
    events: [], steps, exchanges, reruns: [], childRunIds: [], stack,
  };
  const { event: _e, events: _es, steps: _s, exchanges: _x, reruns: _r, childRunIds: _c, stack: _k, ...summary } = big;
  runs.unshift(summary);
  details.set(big.id, big);
  return { functions, runs, details, bigRunId: big.id };
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.map': 'application/json' };

/** Serves the built panel (dist/media) and the recorded answers on 127.0.0.1 at a free port. */
export async function serveRecorded(data: Recorded): Promise<{ url: string; close(): Promise<void> }> {
  const media = join(ROOT, 'dist', 'media');
  if (!existsSync(join(media, 'index.html'))) throw new Error('dist/media/index.html is missing: run `node esbuild.mjs` first');
  // Answers are recorded once as JSON text, as a server replaying recorded answers would hold them.
  const recordedText = new Map<unknown, string>();
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    let text = recordedText.get(body);
    if (text === undefined) {
      text = JSON.stringify(body);
      if (typeof body === 'object' && body !== null && data.details.has((body as RunDetail).id)) recordedText.set(body, text);
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(text);
  };
  for (const d of data.details.values()) recordedText.set(d, JSON.stringify(d));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (p === '/') {
      const host = req.headers.host ?? '127.0.0.1';
      const boot = JSON.stringify({ mode: 'browser', apiBase: '', wsUrl: `ws://${host}${Routes.stream}` }).replace(/"/g, '&quot;');
      const html = readFileSync(join(media, 'index.html'), 'utf8').replaceAll('%NONCE%', 'bench').replaceAll('%CSP_SOURCE%', "'self'").replaceAll('%ASSET_BASE%', '/assets').replaceAll('%BOOT%', boot);
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(html);
    }
    if (p.startsWith('/assets/')) {
      const f = join(media, p.slice('/assets/'.length).replace(/\.\./g, ''));
      if (!existsSync(f)) return json(res, 404, { error: 'no asset' });
      res.writeHead(200, { 'content-type': TYPES[extname(f)] ?? 'application/octet-stream' });
      return res.end(readFileSync(f));
    }
    if (p === Routes.functions) return json(res, 200, { data: data.functions });
    if (p === Routes.events) return json(res, 200, { data: [] } satisfies Page<never>);
    if (p === Routes.runs) {
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const slice = data.runs.slice(from, from + limit);
      return json(res, 200, { data: slice, nextCursor: from + limit < data.runs.length ? String(from + limit) : undefined } satisfies Page<RunSummary>);
    }
    const m = /^\/api\/runs\/([^/]+)$/.exec(p);
    if (m) {
      const d = data.details.get(decodeURIComponent(m[1]));
      return d ? json(res, 200, d) : json(res, 404, { error: 'no such run' });
    }
    json(res, 404, { error: `not recorded: ${p}` });
  });
  const wss = new WebSocketServer({ server, path: Routes.stream });
  wss.on('connection', (ws) => ws.send(JSON.stringify({ type: 'hello', seq: 0, version: 'recorded' } satisfies ExecutorToClient)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(); server.close(() => r()); server.closeAllConnections(); }),
  };
}
