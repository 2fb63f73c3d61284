// Executor audit F8: an attempt cut off because the app went away mid-request (a restart on save, a
// crash) or because the executor was killed mid-request stays in the run's history, on its exchange
// and under the step it was running. Real apps on the official SDK over HTTP on 127.0.0.1; one SDK
// per process (interrupted-v3.test.ts, interrupted-v4.test.ts).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { route, type RunDetail, type StepInfo } from '../../runtime/api';
import { api, CLI, sendEvent, serveApp, startCli, startExecutor, syncApp, waitFor, type AppServer, type Harness } from './helpers';

/** What the app's functions do; the test files write them with their SDK. */
export interface AppHooks {
  /** Counts an execution of `key` (`<runId>:<step>`) and answers how many there were. */
  bump(key: string): number;
  /** Resolves when the test opens gate `key`. */
  gate(key: string): Promise<void>;
}

/**
 * The functions each test file defines with its SDK (ids and events as below):
 * - `cut-inline` on `cut/inline`, retries 2: `before` returns 'b'; `slow` waits on gate
 *   `<runId>:slow` on its first execution and returns 'slow'; the run returns 'ok'.
 * - `cut-planned` on `cut/planned`, retries 2: `p1` (waits on gate `<runId>:p1` the first time,
 *   returns 1) and `p2` (returns 2) in parallel; returns [p1, p2].
 */
export type MakeApp = (executorUrl: string, hooks: AppHooks) => http.RequestListener;

const WENT_AWAY = /the app went away during the request \(did it restart or crash\?\)/;

export function interruptedSuite(sdk: 'v3' | 'v4', makeApp: MakeApp): void {
  const counts = new Map<string, number>();
  const gates = new Map<string, { p: Promise<void>; open: () => void }>();
  const gateOf = (key: string) => {
    let g = gates.get(key);
    if (!g) {
      let open!: () => void;
      const p = new Promise<void>((r) => (open = r));
      gates.set(key, (g = { p, open }));
    }
    return g;
  };
  const hooks: AppHooks = {
    bump: (k) => {
      const n = (counts.get(k) ?? 0) + 1;
      counts.set(k, n);
      return n;
    },
    gate: (k) => gateOf(k).p,
  };
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const g of gates.values()) g.open();
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  const stepOf = (r: RunDetail, id: string): StepInfo => {
    const s = r.steps.find((x) => x.userId === id);
    assert.ok(s, `step ${id} in ${JSON.stringify(r.steps.map((x) => x.userId))}`);
    return s;
  };
  const runOf = async (base: string, eventId: string): Promise<string> =>
    waitFor('the run', async () => (await api<{ data: { id: string }[] }>(base, `/api/runs?eventId=${eventId}`)).body.data[0]?.id);
  const finished = (base: string, runId: string, ms = 30_000): Promise<RunDetail> =>
    waitFor(`run ${runId} to end`, async () => {
      const r = (await api<RunDetail>(base, route('run', { id: runId }))).body;
      return r.status === 'Completed' || r.status === 'Failed' || r.status === 'Cancelled' ? r : undefined;
    }, ms);

  void test(`${sdk}: the app goes away while a step runs inline: the cut attempt is listed under that step`, async () => {
    const h: Harness = await startExecutor();
    cleanups.push(() => h.close());
    const app: AppServer = await serveApp(makeApp(h.url, hooks));
    cleanups.push(() => app.close());
    await syncApp(h.url, app.url);
    const runId = await runOf(h.url, (await sendEvent(h.url, { name: 'cut/inline' }))[0]!);
    await waitFor('slow to start', async () => counts.get(`${runId}:slow`) === 1);
    // What a restart on save does to the request in hand: its connection goes away unanswered.
    app.dropConnections();
    const r = await finished(h.url, runId);
    assert.equal(r.status, 'Completed', JSON.stringify(r.error));
    assert.equal(r.output, 'ok');
    assert.equal(counts.get(`${runId}:slow`), 2, 'slow ran again after the cut');
    assert.equal(counts.get(`${runId}:before`), 1);
    const slow = stepOf(r, 'slow');
    assert.equal(slow.attempts.length, 2, JSON.stringify(slow.attempts));
    const [cut, ok] = slow.attempts;
    assert.equal(cut!.interrupted, 'app');
    assert.equal(cut!.inferred, true, 'a discovery ran it inline: the step is known from the retry');
    assert.match(cut!.error?.message ?? '', WENT_AWAY);
    assert.ok(cut!.endedAt! >= cut!.startedAt);
    assert.equal(ok!.error, undefined);
    assert.ok(ok!.attempt > cut!.attempt, 'the cut spent an attempt');
    const ex = r.exchanges.find((e) => e.seq === cut!.exchangeSeq);
    assert.ok(ex, 'the cut attempt names its exchange');
    assert.equal(ex.interrupted, 'app');
    assert.equal(ex.stepId, 'step');
    assert.match(ex.error?.message ?? '', WENT_AWAY);
    assert.equal(stepOf(r, 'before').attempts.length, 1, 'the step before is not blamed');
    assert.ok(!r.exchanges.some((e) => e.inFlight), 'no exchange is left in flight');
  });

  void test(`${sdk}: the app goes away during a planned step's request: the attempt is marked on that step`, async () => {
    const h: Harness = await startExecutor();
    cleanups.push(() => h.close());
    const app: AppServer = await serveApp(makeApp(h.url, hooks));
    cleanups.push(() => app.close());
    await syncApp(h.url, app.url);
    const runId = await runOf(h.url, (await sendEvent(h.url, { name: 'cut/planned' }))[0]!);
    await waitFor('p1 to start', async () => counts.get(`${runId}:p1`) === 1);
    app.dropConnections();
    const r = await finished(h.url, runId);
    assert.equal(r.status, 'Completed', JSON.stringify(r.error));
    assert.deepEqual(r.output, [1, 2]);
    const p1 = stepOf(r, 'p1');
    assert.equal(p1.attempts.length, 2, JSON.stringify(p1.attempts));
    const cut = p1.attempts[0]!;
    assert.equal(cut.interrupted, 'app');
    assert.equal(cut.inferred, undefined, 'the request named its step');
    assert.match(cut.error?.message ?? '', WENT_AWAY);
    const ex = r.exchanges.find((e) => e.seq === cut.exchangeSeq);
    assert.equal(ex?.stepId, p1.hashedId);
    assert.equal(ex?.interrupted, 'app');
  });

  void test(`${sdk}: the executor is stopped (Ctrl-C) while a step runs: the cut is recorded with its duration and listed under the step after the restart`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steplens-stop-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    let h: Harness = await startExecutor({ dataDir: dir });
    const port = Number(new URL(h.url).port);
    const app: AppServer = await serveApp(makeApp(h.url, hooks));
    cleanups.push(() => app.close());
    await syncApp(h.url, app.url);
    const runId = await runOf(h.url, (await sendEvent(h.url, { name: 'cut/inline' }))[0]!);
    await waitFor('slow to start', async () => counts.get(`${runId}:slow`) === 1);
    await h.ex.dispose();
    h = await startExecutor({ dataDir: dir, port });
    cleanups.push(() => h.close());
    const r = await finished(h.url, runId);
    assert.equal(r.status, 'Completed', JSON.stringify(r.error));
    assert.equal(counts.get(`${runId}:slow`), 2);
    const cutEx = r.exchanges.filter((e) => e.interrupted === 'executor');
    assert.equal(cutEx.length, 1, JSON.stringify(r.exchanges.map((e) => ({ seq: e.seq, stepId: e.stepId, interrupted: e.interrupted }))));
    assert.match(cutEx[0]!.error?.message ?? '', /executor stopped during the request \(Ctrl-C or a restart\)/);
    assert.ok(cutEx[0]!.durationMs > 0, 'a stop knows how long the request ran');
    const slow = stepOf(r, 'slow');
    assert.equal(slow.attempts.length, 2, JSON.stringify(slow.attempts));
    assert.equal(slow.attempts[0]!.interrupted, 'executor');
    assert.equal(slow.attempts[0]!.exchangeSeq, cutEx[0]!.seq);
    assert.ok(slow.attempts[0]!.endedAt! > slow.attempts[0]!.startedAt);
    assert.ok(!r.exchanges.some((e) => e.inFlight));
    gateOf(`${runId}:slow`).open();
  });

  void test(`${sdk}: the executor is killed (-9) while a step runs: after the restart the cut request is in the exchanges and under the step`, async () => {
    assert.ok(existsSync(CLI), 'run `node esbuild.mjs` first (scripts/test.mjs does)');
    const dir = await mkdtemp(join(tmpdir(), 'steplens-cut-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const args = ['--no-discovery', '--data-dir', dir, '--retry-interval', '0.05', '--poll-interval', '60'];
    const first = await startCli(['-p', '0', ...args]);
    cleanups.push(async () => void first.child.kill('SIGKILL'));
    const port = new URL(first.url).port;
    const app: AppServer = await serveApp(makeApp(first.url, hooks));
    cleanups.push(() => app.close());
    await syncApp(first.url, app.url);
    const runId = await runOf(first.url, (await sendEvent(first.url, { name: 'cut/inline' }))[0]!);
    await waitFor('slow to start', async () => counts.get(`${runId}:slow`) === 1);
    // One more request answered: the turn that sent the step's request (and its group commit) is over.
    await api(first.url, route('run', { id: runId }));
    const gone = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await gone;
    const second = await startCli(['-p', port, ...args]);
    cleanups.push(async () => void second.child.kill('SIGKILL'));
    const r = await finished(second.url, runId);
    assert.equal(r.status, 'Completed', JSON.stringify(r.error));
    assert.equal(counts.get(`${runId}:slow`), 2, 'slow (in flight at the kill) ran again');
    assert.equal(counts.get(`${runId}:before`), 1, 'the stored step did not run again');
    const cutEx = r.exchanges.filter((e) => e.interrupted === 'executor');
    assert.equal(cutEx.length, 1, JSON.stringify(r.exchanges.map((e) => ({ seq: e.seq, stepId: e.stepId, status: e.status, interrupted: e.interrupted }))));
    assert.equal(cutEx[0]!.error?.name, 'ExecutorStopped');
    assert.match(cutEx[0]!.error?.message ?? '', /executor stopped during the request/);
    const seqs = r.exchanges.map((e) => e.seq);
    assert.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b), 'the exchanges after the restart did not overwrite it');
    const slow = stepOf(r, 'slow');
    assert.equal(slow.attempts.length, 2, JSON.stringify(slow.attempts));
    assert.equal(slow.attempts[0]!.interrupted, 'executor');
    assert.equal(slow.attempts[0]!.exchangeSeq, cutEx[0]!.seq);
    assert.ok(!r.exchanges.some((e) => e.inFlight), 'no exchange is left in flight');
    gateOf(`${runId}:slow`).open(); // the orphaned execution ends (its answer goes nowhere)
  });
}

