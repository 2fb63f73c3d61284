// kill -9 the executor while runs are sleeping, waiting, invoking and mid-parallel; start it again on the same
// data dir and port; every run completes and each step whose result was stored runs exactly once.
//
// The kill lands on signals, not on time: each run is observed (through the API and the app's
// counters) to be in the state we want to interrupt before the executor is killed:
//   crash-sleep  `long-nap` sleeping (8 s)
//   crash-wait   `go` waiting for crash/go
//   crash-invoke the parent waiting on a child run that sleeps
//   crash-par    `fast` stored while `slow` is held inside the app (on a gate the test opens after
//                the restart) and `par-nap` sleeps
// plus one event acknowledged just before the kill that must not be lost.
//
// A step in flight at the kill (`slow`, and possibly the first step of the run started by the last
// event) has no stored result, so the protocol lets the executor send it again (delivery is at
// least once); it may run at most twice. Every other step must have run exactly once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { route, type V1Event, type V1One } from '../../runtime/api';
import { SDKS, startRig, stepOf, summarize, tag, waitUntil, type Rig } from './harness';

for (const sdk of SDKS) {
  void describe(`crash recovery on inngest ${sdk}`, () => {
    let rig: Rig;
    before(async () => {
      rig = await startRig(sdk);
    });
    after(async () => {
      await rig?.dispose();
    });

    void test('kill -9 while sleeping, waiting, invoking and mid-parallel; restart; every run completes once', async () => {
      const { ex, app, fn } = rig;
      const key = tag('crash');
      const sleepRun = await ex.runOf(await ex.send({ name: 'crash/sleep', data: { sleep: '8s' } }), fn('crash-sleep'));
      const waitRun = await ex.runOf(await ex.send({ name: 'crash/wait', data: { key } }), fn('crash-wait'));
      const invokeRun = await ex.runOf(await ex.send({ name: 'crash/invoke', data: {} }), fn('crash-invoke'));
      const parRun = await ex.runOf(await ex.send({ name: 'crash/par', data: { slowMs: 60_000, sleep: '2s' } }), fn('crash-par'));

      const sleeping = await ex.waitForRunState(sleepRun, 'long-nap sleeping', (r) => r.steps.some((s) => s.userId === 'long-nap' && s.status === 'sleeping'));
      const wakeAt = stepOf(sleeping, 'long-nap').sleep?.until;
      assert.ok(wakeAt, 'a sleeping step knows when it wakes');
      await ex.waitForRunState(waitRun, 'go waiting', (r) => r.steps.some((s) => s.userId === 'go' && s.status === 'waiting'));
      const invoking = await ex.waitForRunState(invokeRun, 'a child run', (r) => r.childRunIds.length === 1);
      const childRun = invoking.childRunIds[0];
      await ex.waitForRunState(childRun, 'the child sleeping', (r) => r.steps.some((s) => s.userId === 'dawdle' && s.status === 'sleeping'));
      await ex.waitForRunState(parRun, 'fast stored', (r) => r.steps.some((s) => s.userId === 'fast' && s.status === 'completed'));
      await waitUntil('slow to be executing in the app', async () => ((await app.countersOf(parRun))['slow.started'] ? true : undefined));

      // Still in the states we mean to interrupt (the sleeps are long enough for a busy machine).
      const now = await Promise.all([ex.run(sleepRun), ex.run(childRun)]);
      assert.equal(stepOf(now[0], 'long-nap').status, 'sleeping', 'long-nap still sleeping at the kill');
      assert.equal(stepOf(now[1], 'dawdle').status, 'sleeping', 'the child still sleeping at the kill');

      // An event acknowledged right before the kill must survive it.
      const [lastEvent] = await ex.send({ name: 'crash/sleep', data: { sleep: '1s' } });
      await ex.kill9();
      await ex.restart();

      // The sleep kept its wake time.
      const afterRestart = await ex.run(sleepRun);
      assert.equal(stepOf(afterRestart, 'long-nap').sleep?.until, wakeAt, 'the wake time survived the crash');
      assert.notEqual(afterRestart.status, 'Completed');

      // The wait is still waiting: an event sent now resolves it.
      await ex.waitForRunState(waitRun, 'go still waiting', (r) => r.steps.some((s) => s.userId === 'go' && s.status === 'waiting'));
      await ex.send({ name: 'crash/go', data: { key } });
      // Let `slow` finish: both the execution orphaned by the kill and the one sent after the restart.
      await app.openGate(`slow-${parRun}`);

      const stored = await ex.api<V1One<V1Event>>('GET', route('v1Event', { id: lastEvent }));
      assert.equal(stored.data.name, 'crash/sleep', 'the event acknowledged before the kill is still stored');
      const lastRun = await ex.runOf(lastEvent, fn('crash-sleep'));
      const runs = await Promise.all([sleepRun, waitRun, parRun, lastRun, invokeRun, childRun].map((id) => ex.waitForRun(id, 45_000)));
      for (const r of runs) assert.equal(r.status, 'Completed', JSON.stringify(summarize(r)));

      const [s, w, p, l, inv] = runs;
      assert.deepEqual(inv.output, { child: 'too late' }, 'the parent got the child result after the restart');
      assert.deepEqual(await app.countersOf(invokeRun), { before: 1, after: 1 }, 'crash-invoke counters');
      assert.deepEqual(await app.countersOf(childRun), { late: 1 }, 'slow-child counters');
      assert.equal(s.output, 'slept');
      assert.ok((s.endedAt ?? 0) >= wakeAt - 50, 'the sleep did not wake early');
      assert.deepEqual(w.output, { go: key });
      assert.deepEqual(p.output, { fast: 'fast', slow: 'slow' });
      assert.equal(l.output, 'slept');

      assert.deepEqual(await app.countersOf(sleepRun), { before: 1, after: 1 }, 'crash-sleep counters');
      assert.deepEqual(await app.countersOf(waitRun), { before: 1, after: 1 }, 'crash-wait counters');
      // The run of the last event may have been executing `before` when the kill landed (no stored
      // result yet), so `before` may run again; `after` ran only after the restart, once.
      const last = await app.countersOf(lastRun);
      assert.equal(last.after, 1, `after ran ${last.after} times in the run started just before the kill`);
      assert.ok(last.before >= 1 && last.before <= 2, `before ran ${last.before} times in the run started just before the kill`);
      const par = await app.countersOf(parRun);
      assert.equal(par.fast, 1, `fast ran ${par.fast} times`);
      assert.equal(par.after, 1, `after ran ${par.after} times`);
      assert.ok(par.slow >= 1 && par.slow <= 2, `slow (in flight at the kill) ran ${par.slow} times`);
      assert.equal(par['slow.started'], par.slow, 'every start of slow finished');
    });

    void test('kill -9 in the middle of a run of 40 steps; no stored step runs again', async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'crash/long', data: { steps: 40, stepMs: 25 } }), fn('crash-long'));
      // Kill once at least 10 step results are stored (v4: checkpointed; v3: one per request).
      const before = await ex.waitForRunState(runId, '10 steps stored', (r) => r.steps.filter((s) => s.status === 'completed').length >= 10);
      await ex.kill9();
      assert.equal(before.status, 'Running', 'the kill landed before the run finished');
      const storedBeforeKill = before.steps.filter((s) => s.status === 'completed').map((s) => s.userId);
      await ex.restart();

      const run = await ex.waitForRun(runId, 60_000);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { done: 40 });
      const counters = await app.countersOf(runId);
      for (const id of storedBeforeKill) assert.equal(counters[id], 1, `${id} was stored before the kill but ran ${counters[id]} times`);
      for (let i = 0; i < 40; i++) assert.ok(counters[`s${i}`] >= 1 && counters[`s${i}`] <= 2, `s${i} ran ${counters[`s${i}`]} times`);
      // Only the step in flight when the executor died may have run twice (a stale dispatch from
      // before the restart must not keep executing beside the new one).
      const twice = Object.entries(counters).filter(([, n]) => n > 1).map(([k]) => k);
      assert.ok(twice.length <= 1, `steps that ran twice: ${twice.join(', ')}`);
    });

    void test('an event id seen before the kill still starts nothing after the restart', async () => {
      const { ex, fn } = rig;
      const id = tag('dedupe');
      await ex.waitForRun(await ex.runOf(await ex.send({ name: 'scn/seq', id, data: {} }), fn('seq')));
      await ex.kill9();
      await ex.restart();
      const before = (await ex.runs({ functionId: fn('seq') })).length;
      await ex.send({ name: 'scn/seq', id, data: { again: true } });
      // A fresh event after the duplicate: once its run is done, the duplicate has been handled.
      await ex.waitForRun(await ex.runOf(await ex.send({ name: 'scn/seq', data: { fence: true } }), fn('seq')));
      assert.equal((await ex.runs({ functionId: fn('seq') })).length, before + 1, 'only the fence event started a run');
    });
  });
}
