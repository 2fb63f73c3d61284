// A planned step that a later discovery no longer reports (its code was renamed mid-run) is
// superseded: its queue item (a retry waiting for its backoff included) is dropped, it is never
// requested again, and a request for it that was already out can neither retry it, fail the run,
// nor ask for another discovery. Request version 1 (v3): a discovery follows every completed step
// and lists every unmemoized step the code reached (PROTOCOL §6, §4.1, §17.11).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunDetail } from '../../runtime/api';
import { FakeSdk, op, type ExecRequest, type ExecReply } from './fake-sdk';
import { finishedRuns, sendEvent, startExecutor, syncApp, type Harness } from './helpers';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const V1 = { 'x-inngest-req-version': '1', 'x-inngest-no-retry': 'false' };

let h: Harness;
let sdk: FakeSdk;

before(async () => {
  // Retries wait 300 ms: long enough for the discovery to answer first, short enough that a retry
  // nobody dropped would be sent while the run is still going.
  h = await startExecutor({ retryIntervalMs: 300 });
  sdk = await FakeSdk.start(h.url);
  sdk.functions = [
    { id: 'fake-app-queued', triggers: [{ event: 'sup/queued' }], retries: 2 },
    { id: 'fake-app-inflight', triggers: [{ event: 'sup/inflight' }], retries: 2 },
  ];
  await syncApp(h.url, sdk.url);
});

after(async () => {
  await sdk.close();
  await h.close();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const plan = (id: string) => op({ id, op: 'StepPlanned', name: id.slice(0, 1), displayName: id.slice(0, 1), userland: { id: id.slice(0, 1) } });
const ran = (id: string, data: unknown) => op({ id, op: 'StepRun', name: id.slice(0, 1), data, userland: { id: id.slice(0, 1) } });
const reply = (status: number, body: unknown): ExecReply => ({ status, body, headers: V1 });

/** A function `Promise.all([a, b])` whose `b` becomes `c` in code once `b` has run once. */
function script(onB: (req: ExecRequest, n: number) => Promise<ExecReply>, onC: () => Promise<void>) {
  let bCalls = 0;
  return async (r: ExecRequest): Promise<ExecReply> => {
    const memo = Object.keys(r.body.steps);
    if (r.stepId === 'step') {
      if (memo.length === 0) return reply(206, [plan(A), plan(B)]);
      // The renamed code: b is gone, c took its place.
      if (!memo.includes(C)) return reply(206, [plan(C)]);
      return reply(200, { a: r.body.steps[A], c: r.body.steps[C] });
    }
    if (r.stepId === A) return reply(206, [ran(A, 1)]);
    if (r.stepId === B) return onB(r, bCalls++);
    if (r.stepId === C) {
      await onC();
      return reply(206, [ran(C, 3)]);
    }
    return reply(500, { name: 'Error', message: `unexpected step ${r.stepId}` });
  };
}

const requestsOf = (runId: string) => sdk.requests.filter((r) => r.body.ctx.run_id === runId);
const summary = (run: RunDetail) => JSON.stringify({ status: run.status, error: run.error, exchanges: run.exchanges.map((e) => `${e.stepId.slice(0, 4)}#${e.attempt} ${e.status}`) });

void test('a retry waiting for its backoff is dropped when a discovery no longer reports its step', async () => {
  sdk.script = script(
    async (_r, n) => (n === 0 ? reply(206, [op({ id: B, op: 'StepError', name: 'b', error: { name: 'Error', message: 'renamed' } })]) : reply(500, { error: `Could not find step "${B}" to run; timed out` })),
    // c finishes after the 300 ms retry would have fired.
    () => sleep(800),
  );
  const [eventId] = await sendEvent(h.url, { name: 'sup/queued', data: {} });
  const [run] = await finishedRuns(h.url, eventId!, 1, 20_000);
  assert.equal(run!.status, 'Completed', summary(run!));
  assert.deepEqual(run!.output, { a: { data: 1 }, c: { data: 3 } });
  await sleep(400);
  const reqs = requestsOf(run!.id);
  assert.equal(reqs.filter((r) => r.stepId === B).length, 1, `b is asked for once: ${summary(run!)}`);
  assert.equal(reqs.filter((r) => r.stepId === 'step').length, 3, `three discoveries, no duplicate: ${summary(run!)}`);
  const b = run!.steps.find((s) => s.hashedId === B);
  assert.equal(b?.status, 'cancelled');
  assert.equal(b?.error?.name, 'StepSuperseded');
});

void test('a request out when its step was superseded neither retries it nor fails the run', async () => {
  let discovered!: () => void;
  const rediscovered = new Promise<void>((r) => (discovered = r));
  let bAnswered!: () => void;
  const bDone = new Promise<void>((r) => (bAnswered = r));
  const base = script(
    async () => {
      // b's request is still out while the discovery after a finds the renamed code.
      await rediscovered;
      await sleep(150);
      setTimeout(bAnswered, 150);
      return reply(500, { name: 'Error', message: 'function-level failure after the rename' });
    },
    () => bDone.then(() => sleep(500)),
  );
  sdk.script = async (r) => {
    const out = await base(r);
    if (r.stepId === 'step' && Object.keys(r.body.steps).length === 1) discovered();
    return out;
  };
  const [eventId] = await sendEvent(h.url, { name: 'sup/inflight', data: {} });
  const [run] = await finishedRuns(h.url, eventId!, 1, 20_000);
  assert.equal(run!.status, 'Completed', summary(run!));
  await sleep(400);
  const reqs = requestsOf(run!.id);
  assert.equal(reqs.filter((r) => r.stepId === B).length, 1, `b is not retried: ${summary(run!)}`);
  assert.equal(reqs.filter((r) => r.stepId === 'step').length, 3, `three discoveries, no duplicate: ${summary(run!)}`);
  assert.ok(run!.exchanges.some((e) => e.stepId === B && e.status === 500), `b's late answer is recorded: ${summary(run!)}`);
});
