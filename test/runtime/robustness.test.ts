// The executor never falls over on what it receives: every route gets malformed JSON, wrong
// types, odd path parameters and wrong methods; every answer is a status with a JSON body (or
// the panel), and the executor still serves and still runs things afterwards.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Routes, type RouteName } from '../../runtime/api';
import { FakeSdk, op } from './fake-sdk';
import { api, finishedRuns, sendEvent, startExecutor, syncApp, type Harness } from './helpers';

let h: Harness;
let sdk: FakeSdk;

before(async () => {
  h = await startExecutor();
  sdk = await FakeSdk.start(h.url);
  sdk.functions = [{ id: 'fake-app-ok', triggers: [{ event: 'rb/ok' }] }];
  await syncApp(h.url, sdk.url);
});

after(async () => {
  await sdk.close();
  await h.close();
});

const BODIES = ['', '{', 'null', '42', '"str"', '[]', '[null]', '{"steps":"x"}', '{"steps":[{"op":"StepRun"}]}', '{"url":5}', '{"event":{"name":7}}', '{"functions":[{"id":""}],"appName":"x"}', JSON.stringify({ deep: JSON.parse('['.repeat(2000) + ']'.repeat(2000)) })];
const PARAMS = ['x', '..%2F..', '%00', 'a'.repeat(3000), '%E0%A4%A'];

void test('garbage on every route gets an answer, never a crash', async () => {
  for (const name of Object.keys(Routes) as RouteName[]) {
    if (name === 'stream') continue;
    for (const p of PARAMS) {
      const path = Routes[name].replace(/:([A-Za-z]+)/g, p);
      for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
        const bodies = method === 'GET' || method === 'DELETE' ? [undefined] : BODIES;
        for (const body of bodies) {
          const res = await fetch(h.url + path, { method, headers: { 'content-type': 'application/json' }, body });
          const text = await res.text();
          assert.ok(res.status >= 200 && res.status < 600, `${method} ${path}`);
          if (res.status >= 400) assert.doesNotThrow(() => JSON.parse(text), `${method} ${path} ${body?.slice(0, 30)} -> ${res.status} ${text.slice(0, 80)}`);
        }
      }
    }
  }
  const health = await api<{ ok: boolean }>(h.url, Routes.health);
  assert.equal(health.body.ok, true);
});

void test('an app that answers ops with odd shapes fails attempts, not the executor', async () => {
  const odd = [
    [op({ id: 'a', op: 'Sleep', name: 'forever and a day' })],
    [op({ id: 'b', op: 'WaitForEvent', name: 'x/y', opts: { if: 'event.data.a ==' } })],
    [op({ id: 'c', op: 'StepRun', timing: 'soon', userland: 'nope', opts: 'x' })],
    [op({ id: 'd', op: 'MadeUpOp' })],
    [op({ id: 'e', op: 'InvokeFunction', opts: { function_id: 'does-not-exist' } })],
  ];
  sdk.script = (r) => {
    const step = odd[(r.body.event as { data: { i: number } }).data.i]!;
    return Object.keys(r.body.steps).length >= 1 ? { status: 200, body: r.body.steps } : { status: 206, body: step };
  };
  for (let i = 0; i < odd.length; i++) {
    const [id] = await sendEvent(h.url, { name: 'rb/ok', data: { i } });
    const [run] = await finishedRuns(h.url, id!);
    assert.ok(run!.status === 'Completed' || run!.status === 'Failed', `${run!.status} for ${JSON.stringify(odd[i])}`);
  }
  const health = await api<{ ok: boolean }>(h.url, Routes.health);
  assert.equal(health.body.ok, true);
});
