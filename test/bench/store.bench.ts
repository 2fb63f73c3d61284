// `npm run bench` (issue 4): the store with a long history, and the live stream's delay.
//
// 10,000 runs are driven to completion through the real executor (in this process, system clock)
// against a minimal scripted app (test/runtime/fake-sdk.ts: one step.run, then the return value, so
// every run has a step, two SDK exchanges, its event and its finish event). Then it prints:
//   1. the time to list the newest 50 runs (GET Routes.runs, also filtered by function and status)
//      and to load one run's timeline (GET Routes.run): median of 30 HTTP calls; target < 20 ms;
//   2. the store's size on disk per run (db + WAL after a checkpoint, divided by the runs);
//   3. the process's memory after 1k, 5k and 10k runs (after a GC): target flat, not growing with history;
//   4. the stream's delay from a step finishing (the bus message) to a WebSocket subscriber in
//      another process receiving it, over 300 runs: median and p95; target < 10 ms median.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { route, type Page, type RunSummary } from '../../runtime/api';
import { Executor } from '../../runtime/executor';
import { FakeSdk } from '../runtime/fake-sdk';

const TOTAL = Number(process.env.STORE_BENCH_RUNS ?? 10_000);
const MARKS = [...new Set([1000, 5000, TOTAL].filter((m) => m <= TOTAL))];
const BATCH = 250;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

/** The stream subscriber (plain Node, the ws package): prints "<seq> <epoch ms>" per step.finished. */
const SUBSCRIBER = `
const WebSocket = require(${JSON.stringify(createRequire(import.meta.url).resolve('ws'))});
const ws = new WebSocket(process.argv[1]);
const epoch = () => performance.timeOrigin + performance.now();
ws.on('message', (d) => {
  const at = epoch();
  const m = JSON.parse(String(d));
  if (m.type === 'hello') { ws.send(JSON.stringify({ type: 'subscribe', since: m.seq })); process.stdout.write('ready\\n'); }
  if (m.type === 'step.finished') process.stdout.write(m.seq + ' ' + at + '\\n');
});
`;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'steplens-store-bench-'));
  const ex = new Executor({ port: 0, host: '127.0.0.1', sdkUrls: [], discovery: false, dataDir: dir, pollIntervalMs: 1e12 });
  await ex.start();
  const sdk = await FakeSdk.start(ex.url);
  sdk.functions = [{ id: 'work', triggers: [{ event: 'bench/go' }] }, { id: 'other', triggers: [{ event: 'bench/other' }] }];
  sdk.script = (r) => {
    sdk.requests.length = 0; // keep the app's memory out of the figures
    if (Object.keys(r.body.steps).length === 0) {
      return { status: 206, body: [{ op: 'StepRun', id: 'a1b2c3', name: 'charge', displayName: 'charge', userland: { id: 'charge' }, data: { charged: r.body.event.data } }] };
    }
    return { status: 200, body: { ok: true, n: (r.body.event.data as { n: number }).n } };
  };
  const res = await fetch(ex.url + route('appsSync'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: sdk.url }) });
  if ((await res.json() as { state: string }).state !== 'synced') throw new Error('the fake app did not sync');

  let completed = 0;
  ex.bus.subscribe((m) => {
    if (m.type === 'run.finished') completed++;
  });
  const until = async (n: number) => {
    const end = Date.now() + 600_000;
    while (completed < n) {
      if (Date.now() > end) throw new Error(`only ${completed} of ${n} runs completed`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const sendBatch = async (from: number, count: number) => {
    const events = Array.from({ length: count }, (_, i) => ({ name: (from + i) % 10 === 0 ? 'bench/other' : 'bench/go', data: { n: from + i, note: 'x'.repeat(64) } }));
    const r = await fetch(ex.url + route('eventApi', { key: 'bench' }), { method: 'POST', body: JSON.stringify(events) });
    if (r.status !== 200) throw new Error(`event API answered ${r.status}`);
  };

  console.log(`store bench: ${TOTAL} runs (1 step each), load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const t0 = performance.now();
  let sent = 0;
  const memory: string[] = [];
  for (const mark of MARKS) {
    while (sent < mark) {
      const n = Math.min(BATCH, mark - sent);
      await sendBatch(sent, n);
      sent += n;
      await until(sent - BATCH * 2); // keep about two batches in flight
    }
    await until(mark);
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    memory.push(`${mark}: rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}, active runs ${ex.engine.activeCount}, queue ${ex.engine.scheduler.size}`);
  }
  const genMs = performance.now() - t0;
  console.log(`  generated in ${(genMs / 1000).toFixed(1)} s (${(genMs / TOTAL).toFixed(2)} ms per run, with the event API and 2 SDK calls each)`);
  console.log('  memory after GC (executor + the scripted app in one process):');
  for (const l of memory) console.log(`    ${l}`);

  // --- queries ------------------------------------------------------------------------------------
  const time = async (path: string, reps = 30): Promise<number> => {
    const xs: number[] = [];
    for (let i = 0; i < reps; i++) {
      const s = performance.now();
      const r = await fetch(ex.url + path);
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
      xs.push(performance.now() - s);
    }
    return median(xs);
  };
  const fn = 'work';
  const check = (await (await fetch(ex.url + route('runs') + `?limit=50&status=Completed&functionId=${fn}`)).json()) as Page<RunSummary>;
  if (check.data.length !== 50) throw new Error(`the filtered query found ${check.data.length} runs, not 50: check the function id`);
  const newest = (await (await fetch(ex.url + route('runs') + '?limit=50')).json()) as Page<RunSummary>;
  const older = (await (await fetch(ex.url + route('runs') + `?limit=1&to=${newest.data[49]!.queuedAt - 1}`)).json()) as Page<RunSummary>;
  const pageMid = (await (await fetch(ex.url + route('runs') + `?limit=50&cursor=${newest.nextCursor}`)).json()) as Page<RunSummary>;
  const rows: [string, number][] = [
    ['newest 50 runs', await time(route('runs') + '?limit=50')],
    ['newest 50 of one function', await time(route('runs') + `?limit=50&functionId=${fn}`)],
    ['newest 50 Completed', await time(route('runs') + '?limit=50&status=Completed')],
    ['newest 50 Completed of one function', await time(route('runs') + `?limit=50&status=Completed&functionId=${fn}`)],
    ['next page (cursor)', await time(route('runs') + `?limit=50&cursor=${newest.nextCursor}`)],
    ['runs of one event', await time(route('runs') + `?eventId=${pageMid.data[10]!.eventId}`)],
    ['one run timeline (newest)', await time(route('run', { id: newest.data[0]!.id }))],
    ['one run timeline (oldest)', await time(route('run', { id: (older.data[0] ?? newest.data[0]!).id }))],
    ['newest 50 events', await time(route('events') + '?limit=50')],
  ];
  console.log(`  queries over HTTP, client in the same process (median of 30), target < 20 ms; load ${loadavg()[0]!.toFixed(1)}:`);
  for (const [what, ms] of rows) console.log(`    ${what.padEnd(38)} ${ms.toFixed(2)} ms ${ms < 20 ? 'ok' : 'OVER TARGET'}`);
  // The same reads straight from the store (no HTTP, no JSON of the answer): the query cost itself.
  const direct = (f: () => unknown): number => {
    const xs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const s0 = performance.now();
      f();
      xs.push(performance.now() - s0);
    }
    return median(xs);
  };
  const oneId = (older.data[0] ?? newest.data[0]!).id;
  const storeRows: [string, number][] = [
    ['newest 50 runs', direct(() => ex.store.listRuns({ limit: 51 }))],
    ['newest 50 Completed of one function', direct(() => ex.store.listRuns({ limit: 51, functionId: fn, status: 'Completed' }))],
    ['one run: record, steps, exchanges, event', direct(() => [ex.store.getRun(oneId), ex.store.stepInfos(oneId), ex.store.exchanges(oneId), ex.store.getEvent(ex.store.getRun(oneId)!.eventIds[0]!)])],
    ['newest 50 events with their run ids', direct(() => ex.store.listEvents(51).map((e) => ex.store.runIdsForEvent(e.internalId)))],
  ];
  console.log('  the same from the store directly (median of 30):');
  for (const [what, ms] of storeRows) console.log(`    ${what.padEnd(38)} ${ms.toFixed(2)} ms`);

  // --- disk -----------------------------------------------------------------------------------
  // Fold the WAL into the db file (PASSIVE, as the executor's idle timer does), then measure the file.
  // The write after a complete checkpoint resets the WAL and cuts it to journal_size_limit.
  const touch = () => ex.store.db.run('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v', ['bench', String(Date.now())]);
  touch();
  ex.store.db.checkpoint();
  touch();
  ex.store.db.checkpoint();
  const size = async (f: string) => (await stat(join(dir, f)).catch(() => ({ size: 0 }))).size;
  const bytes = await size('steplens.db');
  console.log(`  store on disk: ${mb(bytes)} db file for ${TOTAL} runs = ${(bytes / TOTAL / 1024).toFixed(2)} KB per run (run + step + 2 exchanges + event + its function.finished event); WAL file ${mb(await size('steplens.db-wal'))} (bounded by write bursts, not history)`);

  // --- stream delay -------------------------------------------------------------------------------
  // The subscriber runs in its own process (as the panel and the extension do) and stamps each
  // step.finished with the epoch time (performance.timeOrigin + now(): sub-ms, one machine clock).
  const epoch = () => performance.timeOrigin + performance.now();
  const emitted = new Map<number, number>();
  const unsub = ex.bus.subscribe((m) => {
    if (m.type === 'step.finished') emitted.set(m.seq, epoch());
  });
  const subscriber = spawn(process.execPath, ['-e', SUBSCRIBER, ex.url.replace('http', 'ws') + route('stream')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const received = new Map<number, number>();
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  let buf = '';
  subscriber.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      if (l === 'ready') ready();
      const [seq, at] = l.split(' ').map(Number);
      if (seq !== undefined && at !== undefined && !Number.isNaN(at)) received.set(seq, at);
    }
  });
  await isReady;
  const STREAM_RUNS = 300;
  const base = completed;
  for (let i = 0; i < STREAM_RUNS; i += 10) {
    await sendBatch(TOTAL + i, 10);
    await until(base + i + 10);
  }
  const end = Date.now() + 10_000;
  while ([...emitted.keys()].some((k) => !received.has(k)) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  unsub();
  subscriber.kill();
  const delays = [...emitted].filter(([k]) => received.has(k)).map(([k, at]) => received.get(k)! - at);
  console.log(`  stream delay, step finished -> subscriber in another process (${delays.length} of ${emitted.size} messages): median ${median(delays).toFixed(2)} ms, p95 ${p95(delays).toFixed(2)} ms (target < 10 ms median) ${median(delays) < 10 ? 'ok' : 'OVER TARGET'}`);

  await sdk.close();
  await ex.dispose();
  await rm(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
