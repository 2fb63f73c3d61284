// Sequential and parallel steps, repeated ids, sleep / sleepUntil and v4 checkpointing, against the
// v3 and v4 scenario apps over real HTTP. Counters prove each completed step ran exactly once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { route, type V1One, type V1Run } from '../../runtime/api';
import { SDKS, startRig, stepOf, summarize, type Rig } from './harness';

for (const sdk of SDKS) {
  void describe(`steps on inngest ${sdk}`, { concurrency: true }, () => {
    let rig: Rig;
    before(async () => {
      rig = await startRig(sdk);
    });
    after(async () => {
      await rig?.dispose();
    });

    void test('sequential steps complete in order, each once, with outputs memoized as {data}', async () => {
      const { ex, app, fn } = rig;
      const ids = await ex.send({ name: 'scn/seq', data: {} });
      const runId = await ex.runOf(ids, fn('seq'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { a: 1, b: 2, c: 3 });
      assert.deepEqual(stepOf(run, 'a').output, { data: 1 });
      assert.deepEqual(stepOf(run, 'b').output, { data: 2 });
      assert.deepEqual(stepOf(run, 'c').output, { data: 3 });
      for (const s of ['a', 'b', 'c']) assert.equal(stepOf(run, s).status, 'completed');
      assert.deepEqual(await app.countersOf(runId), { a: 1, b: 1, c: 1 });
      assert.equal(run.requestCount, run.exchanges.length, 'requestCount counts the exchanges');
      // The fewest requests the protocol allows (PROTOCOL §6-7): classic runs one step per request
      // plus the final 200; v4 runs all three inline, checkpoints them, and ends with RunComplete.
      assert.equal(run.requestCount, sdk === 'v3' ? 4 : 1, JSON.stringify(summarize(run)));

      // The same run through the v1 REST API.
      const v1 = await ex.api<V1One<V1Run>>('GET', route('v1Run', { id: runId }));
      assert.equal(v1.data.run_id, runId);
      assert.equal(v1.data.function_id, fn('seq'));
      assert.equal(v1.data.event_id, ids[0]);
      assert.equal(v1.data.status, 'Completed');
      assert.deepEqual(v1.data.output, { a: 1, b: 2, c: 3 });
      assert.ok(v1.data.run_started_at && v1.data.ended_at);
    });

    void test('parallel steps (Promise.all) and a repeated step id each run once', async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/par' }), fn('par'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { sum: 6, d1: 'first', d2: 'second' });
      assert.deepEqual(stepOf(run, 'p2').output, { data: 2 });
      assert.deepEqual(stepOf(run, 'dup', 0).output, { data: 'first' });
      assert.deepEqual(stepOf(run, 'dup', 1).output, { data: 'second' });
      assert.deepEqual(await app.countersOf(runId), { p1: 1, p2: 1, p3: 1, dup: 1, 'dup:1': 1 });
      // The three parallel steps were planned in one response before they ran.
      const planned = run.exchanges.flatMap((e) => e.ops).filter((o) => o.op === 'StepPlanned').map((o) => o.userId);
      for (const p of ['p1', 'p2', 'p3']) assert.ok(planned.includes(p), `StepPlanned ${p} among ${planned.join(',')}`);
      if (sdk === 'v4') {
        // Request version 2: one coalesced discovery after the three steps, with
        // disable_immediate_execution reset so both `dup` steps run inline: 1 + 3 + 1 requests.
        assert.equal(run.requestCount, 5, JSON.stringify(summarize(run)));
        const last = run.exchanges[run.exchanges.length - 1];
        assert.equal(last.stepId, 'step');
        assert.equal(last.disableImmediateExecution, false, 'the flag is reset for the discovery after the parallel group');
      }
    });

    if (sdk === 'v4') {
      void test('group.parallel race: the first branch to finish resumes the function; the 30 s sleep does not hold it', async () => {
        const { ex, app, fn } = rig;
        const started = Date.now();
        const runId = await ex.runOf(await ex.send({ name: 'scn/race-group' }), fn('race-group'));
        // The step after the race runs as soon as the quick branch won (Go's ParallelModeRace). The run
        // itself ends when the losing sleep is done (the SDK keeps reporting it), as in Inngest.
        const run = await ex.waitForRunState(runId, 'the step after the race to complete', (r) => r.steps.some((s) => s.userId === 'after-race' && s.status === 'completed'), 20_000);
        assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms: the race waited for the sleep`);
        assert.deepEqual(stepOf(run, 'after-race').output, { data: 'quick' });
        assert.equal(stepOf(run, 'quick-branch').parallelMode, 'race');
        assert.equal(stepOf(run, 'slow-branch').status, 'sleeping');
        assert.deepEqual(await app.countersOf(runId), { 'quick-branch': 1, 'after-race': 1 });
      });
    }

    void test('20 runs at once (one request of 20 events): each completes, each step once', async () => {
      const { ex, app, fn } = rig;
      const ids = await ex.send(Array.from({ length: 20 }, (_, i) => ({ name: i % 2 ? 'scn/par' : 'scn/seq', data: { i } })));
      assert.equal(ids.length, 20);
      const runIds = await Promise.all(ids.map((id, i) => ex.runOf(id, fn(i % 2 ? 'par' : 'seq'))));
      const runs = await Promise.all(runIds.map((id) => ex.waitForRun(id, 60_000)));
      const counters = await app.counters();
      runs.forEach((run, i) => {
        assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
        const expected = i % 2 ? { p1: 1, p2: 1, p3: 1, dup: 1, 'dup:1': 1 } : { a: 1, b: 1, c: 1 };
        assert.deepEqual(counters[run.id], expected, `run ${i}`);
      });
    });

    void test('sleep and sleepUntil wait at least as long as asked, and memoize null', async () => {
      const { ex, app, fn } = rig;
      const sentAt = Date.now();
      const until = sentAt + 2500;
      const runId = await ex.runOf(await ex.send({ name: 'scn/sleep', data: { sleep: '1s', until: new Date(until).toISOString() } }), fn('sleep'));
      // The nap is short, so a busy machine may only see it after it woke: wait for the step to exist.
      const sleeping = await ex.waitForRunState(runId, 'step nap known', (r) => r.steps.some((s) => s.userId === 'nap' && s.sleep !== undefined));
      const nap = stepOf(sleeping, 'nap');
      assert.equal(nap.kind, 'sleep');
      // The wake time is an epoch-ms instant about 1 s after the step began sleeping.
      assert.ok(nap.sleep && nap.sleep.until >= sentAt + 900 && nap.sleep.until < sentAt + 60_000, `nap.sleep ${JSON.stringify(nap.sleep)}, sent at ${sentAt}`);
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      const out = run.output as { before: number; napped: number; after: number };
      assert.ok(out.napped - out.before >= 950, `napped ${out.napped - out.before} ms after before`);
      assert.ok(out.after >= until - 50, `after ran ${until - out.after} ms before the sleepUntil time`);
      assert.equal(stepOf(run, 'nap').output, null);
      assert.equal(stepOf(run, 'until').output, null);
      assert.equal(stepOf(run, 'until').status, 'completed');
      assert.deepEqual(await app.countersOf(runId), { before: 1, napped: 1, after: 1 });
    });

    void test(`steps before a sleep are not re-run after it${sdk === 'v4' ? ' (v4 checkpoints them)' : ''}`, async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/checkpoint' }), fn('checkpoint'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { c: 'abc' });
      assert.deepEqual(await app.countersOf(runId), { a: 1, b: 1, c: 1 });
      assert.deepEqual(stepOf(run, 'b').output, { data: 'ab' });
      if (sdk === 'v4') {
        // PROTOCOL §7: v4 runs lone steps inline and checkpoints them; the executor must take them.
        const checkpointed = run.exchanges.flatMap((e) => e.ops).filter((o) => o.checkpointed).map((o) => o.userId);
        assert.ok(checkpointed.includes('a') && checkpointed.includes('b'), `checkpointed ops: ${checkpointed.join(',')}; ${JSON.stringify(summarize(run))}`);
        assert.ok(run.exchanges.some((e) => e.ops.some((o) => o.op === 'RunComplete')), 'the run completed through RunComplete');
        // a and b checkpointed in the first request (which ends with the Sleep), c and RunComplete in the second.
        assert.equal(run.requestCount, 2, JSON.stringify(summarize(run)));
      } else {
        assert.equal(run.requestCount, 5, `a, b, sleep, c, 200: ${JSON.stringify(summarize(run))}`);
      }
    });

    void test('checkpointing asked for explicitly: steps run inline, are checkpointed, and run once', async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/checkpoint-opt-in' }), fn('checkpoint-opt-in'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { c: 'abc' });
      assert.deepEqual(await app.countersOf(runId), { a: 1, b: 1, c: 1 });
      const checkpointed = run.exchanges.flatMap((e) => e.ops).filter((o) => o.checkpointed).map((o) => o.userId);
      assert.ok(checkpointed.includes('a') && checkpointed.includes('b'), `checkpointed ops: ${checkpointed.join(',')}; ${JSON.stringify(summarize(run))}`);
      assert.equal(run.requestCount, 2, JSON.stringify(summarize(run)));
    });
  });
}
