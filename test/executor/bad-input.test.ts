// Bad input never crashes the executor and never loses work:
// - the event API rejects malformed JSON, non-object events, missing names and oversized payloads
//   with a 400 that says what is wrong, and stores nothing;
// - requests with a foreign Host or Origin are refused (DNS rebinding, cross-site posts);
// - an app answering HTML, garbage, a wrong status, resetting the connection, or down: the attempt
//   fails with the reason recorded on the run, is retried, and the run completes with each step once;
// - sync errors are kept on the app: unreachable, not an SDK, an app left in cloud mode.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { route, type AppInfo, type EventApiResponse, type V1Event, type V1List } from '../../runtime/api';
import { ExampleApp, Executor, SDKS, fnSlug, rawRequest, summarize, waitUntil, type Rig } from './harness';
import { FlakyProxy, type Misbehaviour } from './proxy';

void describe('event API validation and request origin checks', () => {
  let ex: Executor;
  before(async () => {
    ex = await Executor.start();
  });
  after(async () => {
    await ex?.dispose();
  });

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    rawRequest(ex.url + route('eventApi', { key: 'test' }), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  const storedNames = async () => (await ex.api<V1List<V1Event>>('GET', route('v1Events'))).data.map((e) => e.name);

  const cases: [string, string | Buffer, RegExp][] = [
    ['malformed JSON', '{"name": "bad/json", ', /json/i],
    ['a non-object event', '42', /object/i],
    ['a non-object in an array', '[{"name":"bad/array-ok"}, "nope"]', /object/i],
    ['a missing name', '{"data":{"x":1}}', /name/i],
    ['an empty name', '{"name":"","data":{}}', /name/i],
    ['non-object data', '{"name":"bad/data","data":[1,2]}', /data/i],
    ['an oversized event (600 KB)', JSON.stringify({ name: 'bad/huge', data: { blob: 'x'.repeat(600 * 1024) } }), /size|large|limit|KB|bytes/i],
  ];
  for (const [what, body, re] of cases) {
    void test(`${what} gets a 400 with a message, and nothing is stored`, async () => {
      const res = await post(body);
      assert.equal(res.status, 400, res.text.slice(0, 300));
      const parsed = res.json<EventApiResponse>();
      assert.equal(parsed.status, 400);
      assert.match(parsed.error ?? '', re);
      const names = await storedNames();
      assert.ok(!names.some((n) => n.startsWith('bad/')), `stored: ${names.join(',')}`);
    });
  }

  void test('a good event is accepted (the control for the cases above)', async () => {
    const res = await post(JSON.stringify([{ name: 'good/one', data: { a: 1 } }, { name: 'good/two' }]));
    assert.equal(res.status, 200, res.text);
    const parsed = res.json<EventApiResponse>();
    assert.equal(parsed.ids.length, 2);
    const names = await storedNames();
    assert.ok(names.includes('good/one') && names.includes('good/two'), `stored: ${names.join(',')}`);
  });

  void test('bound to 0.0.0.0 (apps in containers), SDK routes accept any Host; the API and panel still refuse it', async () => {
    const wide = await Executor.start({ extraArgs: ['--host', '0.0.0.0'] });
    try {
      const base = `http://127.0.0.1:${wide.port}`;
      const docker = { host: `host.docker.internal:${wide.port}` };
      const sent = await rawRequest(base + route('eventApi', { key: 'k' }), { method: 'POST', headers: { 'content-type': 'application/json', ...docker }, body: JSON.stringify({ name: 'docker/hello' }) });
      assert.equal(sent.status, 200, sent.text);
      const register = await rawRequest(base + route('register'), { method: 'POST', headers: { 'content-type': 'application/json', host: `steplens:${wide.port}` }, body: '{}' });
      assert.notEqual(register.status, 403, register.text);
      const api = await rawRequest(base + route('runs'), { headers: docker });
      assert.equal(api.status, 403, 'the panel API keeps the DNS-rebinding guard');
      const local = await rawRequest(base + route('v1Events'));
      assert.ok(local.json<V1List<V1Event>>().data.some((e) => e.name === 'docker/hello'));
    } finally {
      await wide.dispose();
    }
  });

  void test('a request whose Host is not local is refused', async () => {
    const evilGet = await rawRequest(ex.url + route('v1Events'), { headers: { host: 'evil.example' } });
    assert.ok(evilGet.status >= 400 && evilGet.status < 500, `GET with Host evil.example -> ${evilGet.status}`);
    const evilPost = await post(JSON.stringify({ name: 'evil/host' }), { host: `evil.example:${ex.port}` });
    assert.ok(evilPost.status >= 400 && evilPost.status < 500, `POST with Host evil.example -> ${evilPost.status}`);
    const okGet = await rawRequest(ex.url + route('v1Events'), { headers: { host: `localhost:${ex.port}` } });
    assert.equal(okGet.status, 200, 'Host localhost is accepted');
    assert.ok(!(await storedNames()).includes('evil/host'));
  });

  void test('a browser request from a foreign origin cannot change state', async () => {
    const res = await post(JSON.stringify({ name: 'evil/origin' }), { origin: 'http://evil.example' });
    assert.ok(res.status >= 400 && res.status < 500, `POST with Origin evil.example -> ${res.status}`);
    assert.ok(!(await storedNames()).includes('evil/origin'));
    const sync = await rawRequest(ex.url + route('appsSync'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/api/inngest' }),
    });
    assert.ok(sync.status >= 400 && sync.status < 500, `sync with Origin evil.example -> ${sync.status}`);
  });
});

for (const sdk of SDKS) {
  void describe(`an app that misbehaves (inngest ${sdk})`, () => {
    let rig: Pick<Rig, 'ex' | 'app' | 'fn'>;
    let proxy: FlakyProxy;
    before(async () => {
      const ex = await Executor.start();
      const app = await ExampleApp.start(sdk, ex);
      proxy = await FlakyProxy.start(app.origin);
      rig = { ex, app, fn: (f) => fnSlug(sdk, f) };
      // Synced through the proxy only: the SDK registers the URL its sync request arrived on.
      const synced = await ex.sync(proxy.url);
      assert.equal(synced.url, proxy.url);
    });
    after(async () => {
      await proxy?.dispose();
      await rig?.app.dispose();
      await rig?.ex.dispose();
    });

    const modes: Misbehaviour[] = ['html', 'garbage', 'status', 'reset'];
    for (const mode of modes) {
      void test(`an attempt answered with ${mode} fails with a reason on the run, is retried, and the run completes`, async () => {
        const { ex, app, fn } = rig;
        proxy.spoilNext(mode);
        const runId = await ex.runOf(await ex.send({ name: 'scn/seq', data: { mode } }), fn('seq'));
        const run = await ex.waitForRun(runId);
        assert.equal(proxy.pending(), 0, 'the spoiled answer was used');
        assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
        assert.deepEqual(run.output, { a: 1, b: 2, c: 3 });
        const failed = run.exchanges.filter((e) => e.error);
        assert.ok(failed.length >= 1, `a failed exchange is recorded: ${JSON.stringify(summarize(run))}`);
        assert.ok((failed[0].error?.message ?? '').length > 0, 'the failure has a reason');
        if (mode === 'status') assert.ok(failed[0].status === 502 || /502/.test(failed[0].error?.message ?? ''), JSON.stringify(failed[0]));
        if (mode === 'reset') assert.equal(failed[0].status, null);
        assert.deepEqual(await app.countersOf(runId), { a: 1, b: 1, c: 1 });
      });
    }

    void test('an app that is down: the run waits and retries, the app shows the error, and both recover', async () => {
      const { ex, app, fn } = rig;
      await proxy.close();
      const runId = await ex.runOf(await ex.send({ name: 'scn/seq', data: { down: true } }), fn('seq'));
      await ex.waitForRunState(runId, 'a failed attempt', (r) => r.exchanges.some((e) => e.error));
      // The first poll may see its kept-alive connection reset; while the port refuses connections,
      // the app must settle on `unreachable`.
      const down = await waitUntil('the app to show it is unreachable', async () => {
        const a = (await ex.apps()).find((x) => x.url === proxy.url);
        return a?.state === 'error' && a.error?.code === 'unreachable' ? a : undefined;
      }, 10_000).catch(async (err: unknown) => {
        throw new Error(`${(err as Error).message}; app now: ${JSON.stringify((await ex.apps()).find((x) => x.url === proxy.url))}`);
      });
      assert.ok(down.error?.message, 'the error says what happened');
      assert.notEqual((await ex.run(runId)).status, 'Failed', 'the run keeps waiting for the app');

      await proxy.reopen();
      const run = await ex.waitForRun(runId, 60_000);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(await app.countersOf(runId), { a: 1, b: 1, c: 1 });
      await waitUntil('the app to be synced again', async () => ((await ex.apps()).find((x) => x.url === proxy.url)?.state === 'synced' ? true : undefined));
    });
  });
}

void describe('sync errors are kept on the app', () => {
  let ex: Executor;
  let html: http.Server;
  let cloudApp: ExampleApp | undefined;
  before(async () => {
    ex = await Executor.start();
    html = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    });
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', () => r()));
  });
  after(async () => {
    await cloudApp?.dispose();
    await new Promise<void>((r) => html?.close(() => r()));
    await ex?.dispose();
  });

  const expectError = (app: AppInfo, code?: string) => {
    assert.equal(app.state, 'error', JSON.stringify(app));
    assert.ok(app.error && app.error.message.length > 0, JSON.stringify(app));
    if (code) assert.equal(app.error.code, code, JSON.stringify(app.error));
  };

  void test('an unreachable URL', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    expectError(await ex.trySync(`http://127.0.0.1:${port}/api/inngest`), 'unreachable');
  });

  void test('a server that is not an Inngest SDK', async () => {
    const port = (html.address() as AddressInfo).port;
    expectError(await ex.trySync(`http://127.0.0.1:${port}/api/inngest`));
  });

  void test('a v4 app left in cloud mode (no INNGEST_DEV): the error says what to do', async () => {
    cloudApp = await ExampleApp.start('v4', null, { env: { INNGEST_DEV: undefined, INNGEST_SIGNING_KEY: undefined } });
    const app = await ex.trySync(cloudApp.url);
    expectError(app);
    assert.match(`${app.error?.message} ${app.error?.hint ?? ''}`, /INNGEST_DEV/, JSON.stringify(app.error));
    const listed = (await ex.apps()).find((a) => a.url === cloudApp?.url);
    assert.equal(listed?.state, 'error', 'the error is kept on the app');
  });
});

void describe('with --signing-key, a v4 app in cloud mode works (PROTOCOL §10)', () => {
  const key = 'signkey-test-8ee2262a15e8d3c42d6a840db7af3de2aab08ef632b32a37a687f24b34dba3ff';
  let ex: Executor;
  let app: ExampleApp;
  before(async () => {
    ex = await Executor.start({ signingKey: key });
    app = await ExampleApp.start('v4', null, { env: { INNGEST_DEV: '0', INNGEST_SIGNING_KEY: key, INNGEST_BASE_URL: ex.url } });
  });
  after(async () => {
    await app?.dispose();
    await ex?.dispose();
  });

  void test('sync and a run complete with signed requests', async () => {
    await ex.sync(app.url);
    const runId = await ex.runOf(await ex.send({ name: 'scn/seq' }), fnSlug('v4', 'seq'));
    const run = await ex.waitForRun(runId);
    assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
    assert.deepEqual(run.output, { a: 1, b: 2, c: 3 });
    assert.deepEqual(await app.countersOf(runId), { a: 1, b: 1, c: 1 });
  });
});
