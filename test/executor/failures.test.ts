// Failure paths: retries that succeed on the third attempt, NonRetriableError (uncaught and caught),
// RetryAfterError, an error outside any step, and onFailure, against the v3 and v4 scenario apps.
// The executor runs with --retry-interval 0.05, so retries are quick.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunDetail } from '../../runtime/api';
import { SDKS, startRig, stepOf, summarize, waitUntil, type Rig } from './harness';

for (const sdk of SDKS) {
  void describe(`failures on inngest ${sdk}`, { concurrency: true }, () => {
    let rig: Rig;
    before(async () => {
      rig = await startRig(sdk);
    });
    after(async () => {
      await rig?.dispose();
    });

    void test('a step that fails twice succeeds on its third attempt, and later steps run once', async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/retry', data: { failTimes: 2 } }), fn('retry'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { succeededOnAttempt: 3 });
      assert.deepEqual(await app.countersOf(runId), { flaky: 3, 'after-flaky': 1 });
      const flaky = stepOf(run, 'flaky');
      assert.equal(flaky.status, 'completed');
      assert.equal(flaky.attempts.length, 3, `attempts: ${JSON.stringify(flaky.attempts)}`);
      assert.match(flaky.attempts[0].error?.message ?? '', /flaky failure 1 of 2/);
      assert.match(flaky.attempts[1].error?.message ?? '', /flaky failure 2 of 2/);
      assert.equal(flaky.attempts[2].error, undefined);
      // Each retry asked the SDK for the same step with the next attempt number.
      const stepCalls = run.exchanges.filter((e) => e.stepId === flaky.hashedId).map((e) => e.attempt);
      if (stepCalls.length) assert.deepEqual(stepCalls, stepCalls.map((_, i) => stepCalls[0] + i));
    });

    void test('a step that exhausts its retries fails the run with the step error', async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/retry', data: { failTimes: 99 } }), fn('retry'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Failed', JSON.stringify(summarize(run)));
      assert.match(run.error?.message ?? '', /flaky failure 5 of 99/);
      // retries: 4 means 5 attempts, then StepFailed, then the function fails without more attempts.
      assert.deepEqual(await app.countersOf(runId), { flaky: 5 });
      assert.equal(stepOf(run, 'flaky').status, 'failed');
    });

    void test('NonRetriableError fails the run after one attempt', async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/nonretriable', data: {} }), fn('nonretriable'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Failed', JSON.stringify(summarize(run)));
      assert.match(run.error?.message ?? '', /card declined/);
      assert.deepEqual(await app.countersOf(runId), { charge: 1 });
      const charge = stepOf(run, 'charge');
      assert.equal(charge.status, 'failed');
      assert.match(charge.error?.message ?? '', /card declined/);
    });

    void test('a NonRetriableError the function catches lets the run complete', async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/nonretriable', data: { catch: true } }), fn('nonretriable'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.match(String((run.output as { caught: string }).caught), /card declined/);
      assert.deepEqual(await app.countersOf(runId), { charge: 1 });
      // A failed step is memoized as {error} (PROTOCOL §3.4).
      assert.match(JSON.stringify(stepOf(run, 'charge').output), /"error":\{.*card declined/);
    });

    void test('RetryAfterError delays the retry by what the app asked, overriding --retry-interval', async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/retry-after', data: {} }), fn('retry-after'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { attempts: 2 });
      assert.deepEqual(await app.countersOf(runId), { 'rate-limited': 2 });
      assert.ok(run.exchanges.some((e) => e.retryAfter === '1'), `retryAfter on exchanges: ${run.exchanges.map((e) => e.retryAfter).join(',')}`);
      const [first, second] = stepOf(run, 'rate-limited').attempts;
      assert.ok(first?.endedAt && second, `attempts: ${JSON.stringify(stepOf(run, 'rate-limited').attempts)}`);
      assert.ok(second.startedAt - first.endedAt >= 900, `retried after ${second.startedAt - first.endedAt} ms, asked for 1 s`);
    });

    void test('an error outside any step is retried per the function retries, then fails; the step before it ran once', async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/fn-error', data: {} }), fn('fn-error'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Failed', JSON.stringify(summarize(run)));
      assert.match(run.error?.message ?? '', /boom outside any step/);
      // retries: 1 -> 2 attempts of the function body (v3 answers 500 both times: the executor must stop).
      assert.deepEqual(await app.countersOf(runId), { prep: 1, 'body-after-prep': 2 });
      // The executor sends ctx.max_attempts, so v4 knows its second attempt is the last one and
      // answers 400 + no-retry (PROTOCOL §4.5); v3 answers 500 both times.
      const failing = run.exchanges.filter((e) => e.error);
      assert.deepEqual(failing.map((e) => e.attempt), [0, 1], JSON.stringify(summarize(run)));
      assert.deepEqual(failing.map((e) => e.status), sdk === 'v4' ? [500, 400] : [500, 500]);
      if (sdk === 'v4') assert.equal(failing[1].noRetry, true);
    });

    void test('onFailure runs once with the error and the original event', async () => {
      const { ex, app, fn } = rig;
      const runId = await ex.runOf(await ex.send({ name: 'scn/onfailure', data: { order: 7 } }), fn('on-failure'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Failed', JSON.stringify(summarize(run)));
      assert.match(run.error?.message ?? '', /payment failed/);
      const handler = await waitUntil('the onFailure run', async () => {
        for (const r of await ex.runs({ functionId: fn('on-failure-failure') })) {
          const d = await ex.run(r.id);
          if ((d.event?.data as { run_id?: string }).run_id === runId) return d;
        }
        return undefined;
      });
      const done: RunDetail = await ex.waitForRun(handler.id);
      assert.equal(done.event?.name, 'inngest/function.failed');
      assert.equal(done.status, 'Completed', JSON.stringify(summarize(done)));
      const out = done.output as { notified: string; originalEvent: string };
      assert.match(out.notified, /payment failed/);
      assert.equal(out.originalEvent, 'scn/onfailure');
      assert.deepEqual(await app.countersOf(runId), { pay: 1 });
      assert.deepEqual(await app.countersOf(done.id), { notify: 1 });
    });
  });
}
