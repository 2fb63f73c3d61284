// Unit tests of the executor's pure parts: signing, durations/backoff, name patterns, the
// scheduler on a hand-driven clock, and the event bus.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EventBus } from '../../runtime/bus';
import { nameMatches, matches } from '../../runtime/cel';
import type { Clock } from '../../runtime/clock';
import { backoffMs, parseDuration } from '../../runtime/engine/backoff';
import { Scheduler } from '../../runtime/engine/scheduler';
import { classify, httpRequest } from '../../runtime/engine/sdk-client';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { QueueItem } from '../../runtime/model';
import { serializeBody, signBody } from '../../runtime/signing';

void test('signatures match the one the v4 SDK accepted (transcripts/signing-v4.json)', () => {
  const t = JSON.parse(readFileSync('/work/shared/protocol/transcripts/signing-v4.json', 'utf8')) as {
    signing_key: string;
    canonical_body_valid_sig: { request: { body: string; headers: Record<string, string> } };
  };
  const { body, headers } = t.canonical_body_valid_sig.request;
  const ts = Number(/t=(\d+)/.exec(headers['x-inngest-signature']!)![1]);
  assert.equal(signBody(body, t.signing_key, ts * 1000), headers['x-inngest-signature']);
  assert.equal(serializeBody(JSON.parse(body), true), body, 'canonical JSON round-trips the signed body');
  assert.equal(serializeBody({ b: 1, a: [2, { d: 1, c: 2 }] }, true), '{"a":[2,{"c":2,"d":1}],"b":1}');
});

void test('durations and the backoff table', () => {
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('2d'), 172_800_000);
  assert.equal(parseDuration('1w'), 604_800_000);
  assert.equal(parseDuration('soon'), null);
  assert.equal(parseDuration(''), null);
  assert.equal(backoffMs(0, {}, undefined, 0), 15_000);
  assert.equal(backoffMs(2, {}, undefined, 0), 60_000);
  assert.equal(backoffMs(50, {}, undefined, 0), 7_200_000);
  assert.equal(backoffMs(3, { fixedMs: 50 }, undefined, 0), 50);
  assert.equal(backoffMs(0, { fixedMs: 50 }, '30', 0), 30_000, 'retry-after wins');
  assert.equal(backoffMs(0, {}, '0', 0), 1000, 'clamped to 1 s');
  assert.equal(backoffMs(0, {}, new Date(90_000).toISOString(), 0), 90_000);
});

void test('event name patterns and trigger expressions', () => {
  assert.ok(nameMatches('app/user.signup', 'app/user.signup'));
  assert.ok(!nameMatches('app/user.signup', 'app/user.signupX'));
  assert.ok(nameMatches('app/*', 'app/user.signup'));
  assert.ok(nameMatches('app/user.*', 'app/user.deleted'));
  assert.ok(!nameMatches('app/user.*', 'other/user.deleted'));
  assert.ok(matches('event.data.ok == true', { event: { data: { ok: true } } }));
  assert.ok(!matches('event.data.ok == true', { event: { data: {} } }), 'a missing field does not match');
  assert.ok(!matches('event.data.ok ==', { event: { data: {} } }), 'a broken expression does not match');
  assert.ok(matches('event.data.id == async.data.id', { event: { data: { id: 'u1' } }, async: { data: { id: 'u1' } } }));
});

void test('responses are classified without throwing, whatever they hold', () => {
  const sdk = { 'x-inngest-sdk': 'inngest-js:v4.24.0', 'x-inngest-req-version': '2' };
  assert.equal(classify({ status: 200, headers: sdk, body: '{"a":1}' }).kind, 'complete');
  assert.equal(classify({ status: 206, headers: sdk, body: '[]' }).kind, 'ops');
  const single = classify({ status: 206, headers: sdk, body: '{"op":"StepRun","id":"x","data":1}' });
  assert.ok(single.kind === 'ops' && single.ops.length === 1, 'a single op object is accepted');
  for (const [status, headers, body] of [
    [200, {}, '<html></html>'],
    [206, sdk, 'garbage'],
    [206, sdk, '[{"nope":1}]'],
    [502, {}, 'Bad gateway'],
    [200, sdk, '{"unterminated'],
  ] as const) {
    const r = classify({ status, headers, body });
    assert.equal(r.kind, 'error', `${status} ${body}`);
    assert.ok(r.kind === 'error' && r.error.message.length > 0);
  }
  const nr = classify({ status: 400, headers: { ...sdk, 'x-inngest-no-retry': 'true' }, body: '{"name":"NonRetriableError","message":"no"}' });
  assert.ok(nr.kind === 'error' && nr.noRetry && nr.error.message === 'no');
  const ra = classify({ status: 500, headers: { ...sdk, 'retry-after': '30' }, body: '{"name":"Error","message":"later"}' });
  assert.ok(ra.kind === 'error' && ra.retryAfter === '30' && !ra.noRetry);
  const nf = classify({ status: 500, headers: sdk, body: '{"error":"Could not find step \\"abc\\" to run; timed out"}' });
  assert.ok(nf.kind === 'error' && nf.stepNotFound);
});

void test('framework answers name their cause: a body parser limit (413) and an HTML error page', () => {
  const tooBig = classify({ status: 413, headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><html><head><title>Error</title></head><body><pre>PayloadTooLargeError</pre></body></html>' }, 123456);
  assert.ok(tooBig.kind === 'error' && tooBig.error.name === 'RequestTooLarge', JSON.stringify(tooBig));
  assert.match(tooBig.kind === 'error' ? tooBig.error.message : '', /123,456 bytes.*express\.json\(\{ limit/);
  const page = classify({
    status: 500,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: '<!DOCTYPE html><html><head><meta charSet="utf-8"/><script>var x = 1;</script><title>Build Error: Unexpected token</title></head><body>...</body></html>',
  });
  assert.ok(page.kind === 'error' && page.error.name === 'AppErrorPage', JSON.stringify(page));
  assert.match(page.kind === 'error' ? page.error.message : '', /HTML error page.*app's console.*Build Error: Unexpected token/);
  assert.doesNotMatch(page.kind === 'error' ? page.error.message : '', /is the URL right/);
});

class FakeClock implements Clock {
  t = 1_000_000;
  private timers: { at: number; cb: () => void; live: boolean }[] = [];
  now(): number {
    return this.t;
  }
  setTimer(at: number, cb: () => void) {
    const tm = { at, cb, live: true };
    this.timers.push(tm);
    return { cancel: () => void (tm.live = false) };
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.live && x.at <= this.t);
    this.timers = this.timers.filter((x) => !due.includes(x));
    for (const d of due) d.cb();
  }
}

const tick = () => new Promise((r) => setImmediate(r));

void test('the scheduler runs items when due on the injected clock, in time order, and honours holds', async () => {
  const clock = new FakeClock();
  const ran: string[] = [];
  const s = new Scheduler(clock, async (i) => void ran.push(i.id));
  const item = (id: string, dt: number): QueueItem => ({ id, runId: 'r', kind: 'exec', stepId: 'step', attempt: 0, runAt: clock.now() + dt });
  s.add(item('later', 5000));
  s.add(item('soon', 1000));
  s.add(item('now', 0));
  await tick();
  assert.deepEqual(ran, ['now']);
  clock.advance(1000);
  await tick();
  assert.deepEqual(ran, ['now', 'soon']);
  s.gate = { check: (i) => (i.id === 'later' ? { rule: 'concurrency', detail: 'limit 1' } : null) };
  clock.advance(4000);
  await tick();
  assert.deepEqual(ran, ['now', 'soon'], 'held by the gate');
  assert.equal(s.heldItems()[0]?.hold.rule, 'concurrency');
  s.gate = undefined;
  s.release('later');
  await tick();
  await tick();
  assert.deepEqual(ran, ['now', 'soon', 'later']);
  s.add(item('gone', 0));
  s.remove('gone');
  await tick();
  assert.equal(ran.includes('gone'), false, 'removed items never run');
  await s.dispose();
});

void test('the bus numbers messages and replays what it still keeps', () => {
  const bus = new EventBus(3);
  const seen: number[] = [];
  bus.subscribe((m) => seen.push(m.seq));
  for (let i = 0; i < 5; i++) bus.emit({ type: 'resync' });
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.deepEqual(bus.since(3)?.map((m) => m.seq), [4, 5]);
  assert.equal(bus.since(0), null, 'too old: the client must resync');
  assert.deepEqual(bus.since(5), []);
});

void test('a kept-alive socket the app drops on reuse is retried once for idempotent calls only', async () => {
  const perSocket = new WeakMap<object, number>();
  let served = 0;
  const server = http.createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n > 1) {
      req.socket.destroy(); // like an app closing an idle connection just as it is reused
      return;
    }
    served++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const a = await httpRequest('PUT', url, { 'content-type': 'application/json' }, '{}', 5000, undefined, true);
    const b = await httpRequest('PUT', url, { 'content-type': 'application/json' }, '{}', 5000, undefined, true);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200, 'the second call succeeded after one transparent retry');
    assert.equal(served, 2);
    // Not for execution requests: those may have reached the app, so the failure is reported.
    await assert.rejects(httpRequest('POST', url, { 'content-type': 'application/json' }, '{}', 5000), /the app went away during the request/);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
