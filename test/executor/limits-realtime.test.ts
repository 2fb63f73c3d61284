// Inngest's limits (PROTOCOL §14), enforced so that code that would fail once deployed fails here
// first, with a message naming the limit: a step output above 4 MB, more than 1000 steps in a run.
// And the other side of fidelity: what works in production (a realtime publish) works here.
// v4 only (checkpointed: one request runs the whole loop, so a 1001-step run takes seconds); the
// classic path goes through the same checks in engine/ops.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, stepOf, summarize, type Rig } from './harness';

void describe('Inngest limits and realtime on inngest v4', { concurrency: true }, () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig('v4');
  });
  after(async () => {
    await rig?.dispose();
  });

  void test('a step output above 4 MB fails the step (and the run that does not catch it) with StepOutputTooLarge', async () => {
    const { ex, fn } = rig;
    const runId = await ex.runOf(await ex.send({ name: 'scn/limit-output' }), fn('limit-output'));
    const run = await ex.waitForRun(runId, 60_000);
    assert.equal(run.status, 'Failed', JSON.stringify(summarize(run)));
    const huge = stepOf(run, 'huge');
    assert.equal(huge.status, 'failed');
    assert.equal(huge.error?.name, 'StepOutputTooLarge');
    assert.match(huge.error?.message ?? '', /5\.0 MB.*4 MB/);
  });

  void test('a run passing 1000 steps fails with InngestErrFunctionOverflowed, after its 1000th step', async () => {
    const { ex, fn } = rig;
    const runId = await ex.runOf(await ex.send({ name: 'scn/limit-steps' }), fn('limit-steps'));
    const run = await ex.waitForRun(runId, 90_000);
    assert.equal(run.status, 'Failed', JSON.stringify(summarize(run)).slice(0, 500));
    assert.equal(run.error?.name, 'InngestErrFunctionOverflowed');
    assert.equal(run.stepCount, 1000);
  });

  void test('step.realtime.publish is accepted: the function goes on and completes', async () => {
    const { ex, app, fn } = rig;
    const runId = await ex.runOf(await ex.send({ name: 'scn/realtime' }), fn('realtime-progress'));
    const run = await ex.waitForRun(runId, 30_000);
    assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
    assert.equal(run.output, 42);
    assert.deepEqual(await app.countersOf(runId), { work: 1 });
  });
});
