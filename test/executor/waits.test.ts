// waitForEvent (satisfied through `match` and `if`, timed out, non-matching events ignored) and
// step.invoke (a child's result and a child's error), against the v3 and v4 scenario apps.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SDKS, startRig, stepOf, summarize, tag, type Rig } from './harness';

for (const sdk of SDKS) {
  void describe(`waits and invokes on inngest ${sdk}`, { concurrency: true }, () => {
    let rig: Rig;
    before(async () => {
      rig = await startRig(sdk);
    });
    after(async () => {
      await rig?.dispose();
    });

    const waitingOn = (stepId: string) => (r: { steps: { userId: string; status: string }[] }) =>
      r.steps.some((s) => s.userId === stepId && s.status === 'waiting');

    void test('a wait is satisfied only by a matching later event (match and if)', async () => {
      const { ex, app, fn } = rig;
      const orderId = tag('order');
      const runId = await ex.runOf(await ex.send({ name: 'scn/wait', data: { orderId, timeout: '60s', reviewTimeout: '60s' } }), fn('wait'));

      const waiting = await ex.waitForRunState(runId, 'approval waiting', waitingOn('approval'));
      const approval = stepOf(waiting, 'approval');
      assert.equal(approval.kind, 'waitForEvent');
      assert.equal(approval.wait?.event, 'scn/approved');
      // An event for another order must not match; the matching one must.
      await ex.send({ name: 'scn/approved', data: { orderId: 'someone-else', by: 'mallory' } });
      await ex.send({ name: 'scn/approved', data: { orderId, by: 'ann' } });

      await ex.waitForRunState(runId, 'review waiting', waitingOn('review'));
      await ex.send({ name: 'scn/reviewed', data: { orderId, score: 2 } }); // `if` is false: score must be > 3
      await ex.send({ name: 'scn/reviewed', data: { orderId, score: 5 } });

      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { approvedBy: 'ann', reviewScore: 5, done: true });
      // A satisfied wait memoizes the raw event (PROTOCOL §3.4).
      const stored = stepOf(run, 'approval').output as { name: string; data: { by: string } };
      assert.equal(stored.name, 'scn/approved');
      assert.equal(stored.data.by, 'ann');
      assert.deepEqual(await app.countersOf(runId), { done: 1 });
    });

    void test('a wait times out to null, ignoring an event its `if` rejects', async () => {
      const { ex, app, fn } = rig;
      const orderId = tag('order');
      const started = Date.now();
      // The review wait lasts 6 s, long enough to be seen waiting even on a busy machine.
      const runId = await ex.runOf(await ex.send({ name: 'scn/wait', data: { orderId, timeout: '1s', reviewTimeout: '6s' } }), fn('wait'));
      await ex.waitForRunState(runId, 'review waiting', waitingOn('review'));
      await ex.send({ name: 'scn/reviewed', data: { orderId, score: 1 } });
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { approvedBy: null, reviewScore: null, done: true });
      assert.equal(stepOf(run, 'approval').output, null);
      assert.equal(stepOf(run, 'review').output, null);
      assert.ok(Date.now() - started >= 6900, `both waits (1 s + 6 s) timed out after only ${Date.now() - started} ms`);
      assert.deepEqual(await app.countersOf(runId), { done: 1 });
    });

    void test('an event that arrived before the wait began does not satisfy it', async () => {
      const { ex, fn } = rig;
      const orderId = tag('order');
      // Both in one request: the approval is stored before the run has even started waiting.
      const [waitEvent, earlyEvent] = await ex.send([
        { name: 'scn/wait', data: { orderId, timeout: '1s', reviewTimeout: '1s' } },
        { name: 'scn/approved', data: { orderId, by: 'too-early' } },
      ]);
      const run = await ex.waitForRun(await ex.runOf(waitEvent, fn('wait')));
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { approvedBy: null, reviewScore: null, done: true });
      // The wait says what it missed (the request/reply race users hit), naming that event.
      const approval = stepOf(run, 'approval');
      assert.equal(approval.wait?.earlier?.eventId, earlyEvent, JSON.stringify(approval.wait));
      assert.ok(approval.wait!.earlier!.msBefore >= 0);
      // Nothing matching arrived before the second wait: no hint there.
      assert.equal(stepOf(run, 'review').wait?.earlier, undefined);
    });

    void test('invoke returns a child result and surfaces a child error to the parent', async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/invoke', data: { n: 21 } }), fn('invoke-parent'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      const out = run.output as { result: unknown; childError: string | null };
      assert.deepEqual(out.result, { doubled: 42 });
      assert.match(String(out.childError), /child exploded/);
      assert.equal(stepOf(run, 'call-child').kind, 'invoke');
      assert.deepEqual(stepOf(run, 'call-child').output, { data: { doubled: 42 } });

      assert.equal(run.childRunIds.length, 2, `child runs: ${run.childRunIds.join(',')}`);
      const children = await Promise.all(run.childRunIds.map((id) => ex.waitForRun(id)));
      const ok = children.find((c) => c.functionId === fn('invoke-child'));
      const bad = children.find((c) => c.functionId === fn('invoke-failing-child'));
      assert.ok(ok && bad, `children: ${children.map((c) => c.functionId).join(',')}`);
      assert.equal(ok.status, 'Completed');
      assert.deepEqual(ok.output, { doubled: 42 });
      assert.equal(ok.parentRunId, runId);
      assert.equal(bad.status, 'Failed');
      assert.match(bad.error?.message ?? '', /child exploded/);
      assert.deepEqual(await app.countersOf(runId), { 'after-invoke': 1 });
      assert.deepEqual(await app.countersOf(ok.id), { double: 1 });
      assert.deepEqual(await app.countersOf(bad.id), { explode: 1 });
    });

    void test('an invoke whose child outlives its timeout throws a timeout error in the parent', async () => {
      const { ex, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/invoke-timeout', data: {} }), fn('invoke-timeout'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.match(String((run.output as { timedOut: string | null }).timedOut), /timed out/i);
      // Memoized as the InngestInvokeTimeoutError (PROTOCOL §3.4).
      assert.match(JSON.stringify(stepOf(run, 'call-slow-child').output), /"error":\{.*InngestInvokeTimeoutError/);
    });
  });
}
