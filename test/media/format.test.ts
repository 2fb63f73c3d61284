// Pure helpers of the panel in plain Node: formatting, the user's frame in a stack, how the
// timeline groups parallel steps, and how the stepper names what came back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunDetail, SdkExchange, StepInfo } from '../../runtime/api';
import { deadline, duration, pauseText, relative, retriesOf, unwrapOutput, userFrame } from '../../media/format';
import { timelineItems } from '../../media/views/timeline';
import { opHeadline } from '../../media/views/stepper';

void test('durations and relative times read like VS Code', () => {
  assert.equal(duration(850), '850 ms');
  assert.equal(duration(1234), '1.2 s');
  assert.equal(duration(184_000), '3 m 04 s');
  assert.equal(duration(7_500_000), '2 h 05 m');
  assert.equal(duration(3 * 86_400_000 + 4 * 3_600_000), '3 d 4 h');
  assert.equal(relative(1000, 2000), 'just now');
  assert.equal(relative(0, 12_000), '12s ago');
  assert.equal(relative(86_400_000 - 3_600_000, 0), 'in 23h');
});

void test('a deadline names its date unless it is today, and how far off it is', () => {
  const now = new Date(2026, 10, 30, 9, 0, 0).getTime();
  assert.equal(deadline(new Date(2026, 10, 30, 16, 32, 25).getTime(), now), '16:32:25 (in 8h)');
  assert.equal(deadline(new Date(2026, 11, 7, 16, 32, 25).getTime(), now), '2026-12-07 16:32:25 (in 7d)');
  assert.equal(deadline(new Date(2026, 10, 29, 23, 0, 0).getTime(), now), '2026-11-29 23:00:00 (10h ago)');
});

void test('a paused run says what it waits on', () => {
  const now = new Date(2026, 10, 30, 9, 0, 0).getTime();
  assert.equal(pauseText({ kind: 'sleep', step: 'nap', until: now + 23 * 3600_000 }, now), 'sleeping, wakes in 23h');
  assert.equal(pauseText({ kind: 'waitForEvent', step: 'approval', until: now + 2 * 3600_000, on: 'app/order.placed' }, now), 'waiting for app/order.placed until 11:00:00 (in 2h)');
  assert.equal(pauseText({ kind: 'invoke', step: 'child', on: 'app-child' }, now), 'waiting for app-child');
  assert.equal(pauseText({ kind: 'signal', step: 's', until: now + 8 * 86_400_000, on: 'approve' }, now), 'waiting for signal approve until 2026-12-08 09:00:00 (in 8d)');
});

void test('retries count attempts after the first, over steps the run executed itself', () => {
  const a = (...n: number[]) => n.map((attempt) => ({ attempt }));
  assert.equal(retriesOf([]), 0);
  // one try each (a cut-off request and its resend share attempt 0)
  assert.equal(retriesOf([{ attempts: a(0) }, { attempts: a(0, 0) }]), 0);
  assert.equal(retriesOf([{ attempts: a(0, 1, 2) }, { attempts: a(0, 1) }]), 3);
  // memoized from the original run: its attempts were that run's
  assert.equal(retriesOf([{ memoizedFrom: 'r1', attempts: a(0, 1, 2) }, { attempts: a(0) }]), 0);
});

void test('stored step values are shown as the step returned them', () => {
  assert.deepEqual(unwrapOutput({ data: { a: 1 } }), { a: 1 });
  assert.equal(unwrapOutput({ type: 'data', data: null }), null);
  assert.deepEqual(unwrapOutput({ data: 1, other: 2 }), { data: 1, other: 2 });
  assert.equal(unwrapOutput(null), null);
});

void test("the user's own frame is found in an SDK stack", () => {
  const stack = 'Error: card declined\n    at <anonymous> (/app/src/checkout.ts:31:25)\n    at Object.fn (/app/node_modules/inngest/components/InngestStepTools.js:455:38)';
  assert.deepEqual(userFrame(stack), { file: '/app/src/checkout.ts', line: 31, column: 25 });
  assert.deepEqual(userFrame('Error\n    at x (node:internal/timers:1:1)\n    at file:///w/fns.ts:9:2'), { file: '/w/fns.ts', line: 9, column: 2 });
  assert.equal(userFrame('Error: only node_modules\n    at f (/a/node_modules/b.js:1:1)'), null);
});

const step = (userId: string, startedAt: number): StepInfo => ({ hashedId: `h-${userId}`, userId, displayName: userId, kind: 'run', status: 'completed', startedAt, endedAt: startedAt + 5, attempts: [] });
const ex = (ops: [string, string][]): SdkExchange => ({
  seq: 0, stepId: 'step', attempt: 0, startedAt: 0, durationMs: 1, stackSize: 0, disableImmediateExecution: false, requestVersion: 2, status: 206,
  ops: ops.map(([op, id]) => ({ op, hashedId: `h-${id}`, userId: id, label: `${op} ${id}` })),
});

void test('steps planned together form one parallel group, placed where its first member started', () => {
  const run = {
    steps: [step('reserve', 1), step('shipping', 12), step('tax', 10), step('charge', 20)],
    exchanges: [ex([['StepRun', 'reserve'], ['StepPlanned', 'tax'], ['StepPlanned', 'shipping']]), ex([['StepFailed', 'charge']])],
  } as unknown as RunDetail;
  assert.deepEqual(timelineItems(run).map((i) => `${i.step.userId}${i.group ? `@${i.group}` : ''}`), ['reserve', 'tax@1', 'shipping@1', 'charge']);
});

void test('the stepper names what came back: repeated ops are counted', () => {
  assert.equal(opHeadline(ex([['StepPlanned', 'a'], ['StepPlanned', 'b'], ['StepPlanned', 'c']])), 'StepPlanned x3');
  assert.equal(opHeadline(ex([['StepRun', 'charge']])), 'StepRun charge');
  assert.equal(opHeadline({ ...ex([]), status: 200 }), 'returned');
});
