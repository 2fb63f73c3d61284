// Protocol details the executor must get exactly right (PROTOCOL §3-8), checked against a
// scripted fake SDK: request fields, version pinning, parallel coalescing and the
// disable_immediate_execution reset, StepError retries, step-not-found fallback, re-sync.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AppInfo, FunctionInfo, RunDetail } from '../../runtime/api';
import { FakeSdk, op } from './fake-sdk';
import { api, finishedRuns, sendEvent, startExecutor, syncApp, type Harness } from './helpers';

let h: Harness;
let sdk: FakeSdk;

before(async () => {
  h = await startExecutor();
  sdk = await FakeSdk.start(h.url);
  sdk.functions = ALL;
  await syncApp(h.url, sdk.url);
});
const ALL = [
    { id: 'fake-app-par', triggers: [{ event: 'fake/par' }] },
    { id: 'fake-app-retry', triggers: [{ event: 'fake/retry' }], retries: 2 },
    { id: 'fake-app-renamed', triggers: [{ event: 'fake/renamed' }] },
    { id: 'fake-app-v1', triggers: [{ event: 'fake/v1' }] },
    { id: 'fake-app-wait', triggers: [{ event: 'fake/wait' }] },
    { id: 'fake-app-many', triggers: [{ event: 'fake/many' }] },
    { id: 'fake-app-ckpt', triggers: [{ event: 'fake/ckpt' }] },
];

after(async () => {
  await sdk.close();
  await h.close();
});

const P = ['p1', 'p2', 'p3'];

void test('parallel (v2): one coalesced discovery after all planned steps, with disable_immediate_execution reset', async () => {
  sdk.requests.length = 0;
  sdk.script = (r) => {
    const done = Object.keys(r.body.steps);
    if (r.stepId === 'step') {
      if (done.length === 0) return { status: 206, body: P.map((id) => op({ id, op: 'StepPlanned', name: id, displayName: id, userland: { id } })) };
      if (done.length === 3) return { status: 206, body: [op({ id: 'last', op: 'StepRun', name: 'last', data: 'L', userland: { id: 'last' } })] };
      return { status: 200, body: { steps: done } };
    }
    return { status: 206, body: [op({ id: r.stepId, op: 'StepRun', name: r.stepId, data: r.stepId.toUpperCase(), userland: { id: r.stepId } })] };
  };
  const [id] = await sendEvent(h.url, { name: 'fake/par', data: { x: 1 } });
  const [run] = await finishedRuns(h.url, id!);
  assert.equal(run!.status, 'Completed', JSON.stringify(run!.error));
  const seq = sdk.requests.map((r) => `${r.stepId}:${r.body.ctx.disable_immediate_execution}`);
  assert.deepEqual(seq.slice(0, 1), ['step:false']);
  assert.deepEqual(seq.slice(1, 4).sort(), ['p1:true', 'p2:true', 'p3:true']);
  assert.deepEqual(seq.slice(4), ['step:false', 'step:false'], 'one discovery after all three, flag reset');
  const first = sdk.requests[0]!;
  assert.equal(first.body.version, -1, 'the first request does not pin a version');
  assert.equal(first.headers['x-inngest-req-version'], '-1');
  assert.equal(sdk.requests[1]!.body.version, 2, 'pinned to the response header after the first 206');
  assert.equal(first.body.ctx.max_attempts, 5, 'default retries 4 -> 5 attempts, always sent');
  assert.ok(first.body.ctx.fn_id && first.body.ctx.qi_id, 'fn_id and qi_id are sent (v4 checkpointing)');
  assert.equal((first.body.event as { name: string }).name, 'fake/par');
  assert.deepEqual((first.body.event as { user: unknown }).user, {});
  const last = sdk.requests.at(-1)!;
  assert.deepEqual(last.body.ctx.stack.stack.slice(-1), ['last'], 'the stack is in completion order');
  assert.deepEqual(last.body.steps.p1, { data: 'P1' }, 'StepRun results are stored as {data}');
  assert.deepEqual(Object.keys(last.body.steps), last.body.ctx.stack.stack);
  assert.equal(run!.requestCount, 6);
});

void test('StepError is retried as the same item with attempt+1 until max_attempts, then fails the step', async () => {
  sdk.requests.length = 0;
  sdk.script = (r) => {
    if (r.stepId === 'step' && !('s' in r.body.steps)) {
      return { status: 206, body: [op({ id: 's', op: 'StepError', name: 's', error: { name: 'Error', message: `boom ${r.body.ctx.attempt}` } })], headers: { 'x-inngest-no-retry': 'false' } };
    }
    return { status: 400, body: { name: 'Error', message: 'uncaught step failure' }, headers: { 'x-inngest-no-retry': 'true' } };
  };
  const [id] = await sendEvent(h.url, { name: 'fake/retry' });
  const [run] = await finishedRuns(h.url, id!);
  assert.equal(run!.status, 'Failed');
  const attempts = sdk.requests.map((r) => `${r.stepId}:${r.body.ctx.attempt}/${r.body.ctx.max_attempts}`);
  assert.deepEqual(attempts, ['step:0/3', 'step:1/3', 'step:2/3', 'step:0/3']);
  assert.deepEqual((sdk.requests.at(-1)!.body.steps.s as { error: { message: string } }).error.message, 'boom 2', 'the last error is stored as {error}');
  const step = (run as RunDetail).steps.find((s) => s.hashedId === 's')!;
  assert.equal(step.status, 'failed');
  assert.equal(step.attempts.length, 3);
  assert.deepEqual(run!.error, { name: 'Error', message: 'uncaught step failure' });
});

void test('a planned step the SDK no longer finds falls back to discovery', async () => {
  sdk.requests.length = 0;
  sdk.script = (r) => {
    if (r.stepId === 'step' && sdk.requests.length === 1) return { status: 206, body: [op({ id: 'old', op: 'StepPlanned', name: 'old' }), op({ id: 'other', op: 'StepPlanned', name: 'other' })] };
    if (r.stepId === 'old') return { status: 500, body: { error: 'Could not find step "old" to run; timed out. Found new steps: new', requestedStep: 'old', foundSteps: [] }, headers: { 'x-inngest-no-retry': 'false' } };
    if (r.stepId === 'other') return { status: 206, body: [op({ id: 'other', op: 'StepRun', name: 'other', data: 1 })] };
    return { status: 200, body: { done: true } };
  };
  const [id] = await sendEvent(h.url, { name: 'fake/renamed' });
  const [run] = await finishedRuns(h.url, id!);
  assert.equal(run!.status, 'Completed', JSON.stringify(run!.error));
  assert.equal(sdk.requests.filter((r) => r.stepId === 'old').length, 1, 'not retried as the same step');
  assert.equal(sdk.requests.at(-1)!.stepId, 'step');
});

void test('re-sync picks up added, changed and removed functions; bad registrations are reported', async () => {
  sdk.functions = [
    { id: 'fake-app-par', triggers: [{ event: 'fake/par2' }] },
    { id: 'fake-app-new', triggers: [{ cron: 'TZ=UTC */5 * * * *' }] },
  ];
  await syncApp(h.url, sdk.url);
  const fns = (await api<{ data: FunctionInfo[] }>(h.url, '/api/functions')).body.data.map((f) => `${f.id}:${JSON.stringify(f.triggers)}`).sort();
  assert.deepEqual(fns, ['fake-app-new:[{"cron":"TZ=UTC */5 * * * *"}]', 'fake-app-par:[{"event":"fake/par2"}]']);
  sdk.appName = '';
  const bad = await api<AppInfo>(h.url, '/api/apps/sync', { method: 'POST', body: { url: sdk.url } });
  assert.equal(bad.status, 200);
  assert.equal(bad.body.state, 'error');
  assert.equal(bad.body.error?.code, 'bad_payload');
  sdk.appName = 'fake-app';
  const reg = await api(h.url, '/fn/register', { method: 'POST', body: sdk.registration(), headers: { 'x-inngest-expected-server-kind': 'cloud' } });
  assert.equal(reg.status, 400);
  sdk.syncReply = { status: 401, body: { message: 'Unauthorized' }, register: false };
  const cloud = await api<AppInfo>(h.url, '/api/apps/sync', { method: 'POST', body: { url: sdk.url } });
  assert.equal(cloud.body.error?.code, 'unauthorized');
  // Not on 8288: `INNGEST_DEV=1` would point the app elsewhere, so the hint names this executor's URL.
  assert.match(cloud.body.error?.hint ?? '', /INNGEST_DEV=http:\/\/127\.0\.0\.1:\d+/);
  sdk.syncReply = undefined;
  sdk.functions = ALL;
  await syncApp(h.url, sdk.url);
});

void test('parallel (v1): a discovery after every completion, and disable_immediate_execution stays set', async () => {
  sdk.requests.length = 0;
  sdk.script = (r) => {
    const v1 = { 'x-inngest-req-version': '1' };
    const done = Object.keys(r.body.steps);
    if (r.stepId === 'step') {
      const left = ['a', 'b'].filter((x) => !done.includes(x));
      if (left.length > 0) return { status: 206, headers: v1, body: left.map((id) => op({ id, op: 'StepPlanned', name: id })) };
      return { status: 200, headers: v1, body: done };
    }
    return { status: 206, headers: v1, body: [op({ id: r.stepId, op: 'StepRun', name: r.stepId, data: 1 })] };
  };
  const [id] = await sendEvent(h.url, { name: 'fake/v1' });
  const [run] = await finishedRuns(h.url, id!);
  assert.equal(run!.status, 'Completed', JSON.stringify(run!.error));
  const discoveries = sdk.requests.filter((r) => r.stepId === 'step');
  // One per completion, except that two completions landing together share one queued discovery.
  assert.ok(discoveries.length >= 2 && discoveries.length <= 3, `${discoveries.length} discoveries`);
  assert.ok(discoveries.slice(1).every((r) => r.body.ctx.disable_immediate_execution), 'the flag stays set on v1');
  assert.equal(sdk.requests.filter((r) => r.stepId === 'a').length, 1, 're-reported plans are deduped');
  assert.equal(sdk.requests.filter((r) => r.stepId === 'b').length, 1);
});

void test('waitForEvent: event.* refers to the trigger, only later events match, and the raw event is stored', async () => {
  sdk.requests.length = 0;
  sdk.script = (r) => {
    if (!('w' in r.body.steps)) return { status: 206, body: [op({ id: 'w', op: 'WaitForEvent', name: 'fake/approved', opts: { timeout: '1h', if: 'event.data.user == async.data.user' } })] };
    return { status: 200, body: { got: r.body.steps.w } };
  };
  const [id] = await sendEvent(h.url, { name: 'fake/wait', data: { user: 'u1' } });
  const waiting = async () => (await api<{ data: { id: string }[] }>(h.url, `/api/runs?eventId=${id}`)).body.data[0];
  let runId = '';
  for (let i = 0; i < 200 && !runId; i++) {
    const r = await waiting();
    const d = r ? (await api<RunDetail>(h.url, `/api/runs/${r.id}`)).body : undefined;
    if (d?.steps.some((s) => s.status === 'waiting')) runId = d.id;
    else await new Promise((res) => setTimeout(res, 20));
  }
  assert.ok(runId, 'the run waits');
  await sendEvent(h.url, { name: 'fake/approved', data: { user: 'someone-else' } });
  const [approvedId] = await sendEvent(h.url, { name: 'fake/approved', data: { user: 'u1' } });
  const [run] = await finishedRuns(h.url, id!);
  assert.equal(run!.status, 'Completed');
  const got = (run!.output as { got: { name: string; data: unknown; id: string } }).got;
  assert.equal(got.name, 'fake/approved');
  assert.deepEqual(got.data, { user: 'u1' });
  assert.equal(got.id, approvedId, 'the event is stored raw, not wrapped in {data}');
});

void test('the checkpoint endpoint refuses unknown runs (409) and ops that cannot be checkpointed (400)', async () => {
  const unknown = await api(h.url, '/v1/checkpoint/nope/async', { method: 'POST', body: { steps: [] } });
  assert.equal(unknown.status, 409);
  const garbage = await api(h.url, '/v1/checkpoint/nope/async', { method: 'POST', body: '{"steps": [' });
  assert.equal(garbage.status, 400);
});

void test('finished runs leave nothing behind in memory (memory follows active runs, not history)', async () => {
  sdk.script = (r) => (Object.keys(r.body.steps).length === 0 ? { status: 206, body: [op({ id: 'only', op: 'StepRun', name: 'only', data: 1 })] } : { status: 200, body: 'ok' });
  const ids = await sendEvent(h.url, Array.from({ length: 150 }, (_, i) => ({ name: 'fake/many', data: { i } })));
  for (const id of ids) await finishedRuns(h.url, id, 1, 30_000);
  const { engine } = h.ex;
  assert.equal(engine.activeCount, 0, 'no run kept in memory');
  assert.equal(engine.scheduler.size, 0, 'no queue item left');
  assert.equal(engine.pauses.size, 0, 'no pause left');
  const page = await api<{ data: unknown[]; nextCursor?: string }>(h.url, '/api/runs?functionId=fake-app-many&limit=100');
  assert.equal(page.body.data.length, 100);
  assert.ok(page.body.nextCursor, 'paged');
  const rest = await api<{ data: unknown[]; nextCursor?: string }>(h.url, `/api/runs?functionId=fake-app-many&limit=100&cursor=${page.body.nextCursor}`);
  assert.equal(rest.body.data.length, 50);
  assert.equal(rest.body.nextCursor, undefined);
});

void test('checkpoints are accepted only from the dispatch in flight (stale ones get 409) and are durable before the 200', async () => {
  const seen: number[] = [];
  sdk.script = async (r) => {
    if (Object.keys(r.body.steps).length > 0) return { status: 200, body: r.body.steps };
    const post = (requestId: string) =>
      fetch(`${h.url}/v1/checkpoint/${r.body.ctx.run_id}/async`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ run_id: r.body.ctx.run_id, fn_id: r.body.ctx.fn_id, qi_id: r.body.ctx.qi_id, request_id: requestId, steps: [op({ id: 'c1', op: 'StepRun', name: 'c1', data: { n: 1 } })] }),
      }).then((x) => x.status);
    seen.push(await post('not-the-current-request'));
    seen.push(await post(String(r.headers['x-request-id'])));
    const detail = (await api<RunDetail>(h.url, `/api/runs/${r.body.ctx.run_id}`)).body;
    seen.push(detail.steps.find((s) => s.hashedId === 'c1')?.status === 'completed' ? 1 : 0);
    return { status: 206, body: [op({ id: 'RunComplete', op: 'RunComplete', data: 'done' })] };
  };
  const [id] = await sendEvent(h.url, { name: 'fake/ckpt' });
  const [run] = await finishedRuns(h.url, id!);
  assert.deepEqual(seen, [409, 200, 1]);
  assert.equal(run!.status, 'Completed');
  assert.equal(run!.output, 'done');
  assert.ok(run!.exchanges[0]!.ops.some((o) => o.checkpointed && o.hashedId === 'c1'), 'the exchange lists the checkpointed op');
});
