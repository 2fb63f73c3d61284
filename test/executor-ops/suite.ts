// The executor-performed ops against a real SDK app (test/executor-ops/apps/<sdk>.ts): step.fetch
// (Gateway), step.ai.infer (AIGateway), step.waitForSignal (WaitForSignal) with the signal API.
// One SDK per test file (v3.test.ts, v4.test.ts): both call `opsSuite`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { route, type RunDetail, type StepInfo } from '../../runtime/api';
import { ExampleApp, Executor, rawRequest, stepOf, summarize, tag, waitUntil, type Sdk } from '../executor/harness';
import { ANTHROPIC_KEY, OPENAI_KEY, Remote } from './remote';

/** The app file for an SDK, relative to examples/<sdk>/ (where ExampleApp.start looks). */
const appFile = (sdk: Sdk) => `../../test/executor-ops/apps/${sdk}.ts`;

interface Rig {
  ex: Executor;
  app: ExampleApp;
  remote: Remote;
  fn: (id: string) => string;
}

async function startRig(sdk: Sdk): Promise<Rig> {
  const remote = await Remote.start();
  const ex = await Executor.start();
  let app: ExampleApp | undefined;
  try {
    app = await ExampleApp.start(sdk, ex, { file: appFile(sdk) });
    await ex.sync(app.url);
  } catch (err) {
    await app?.dispose();
    await ex.dispose();
    await remote.dispose();
    throw err;
  }
  return { ex, app, remote, fn: (id) => `ops-${sdk}-${id}` };
}

async function disposeRig(rig: Rig | undefined): Promise<void> {
  await rig?.app.dispose();
  await rig?.ex.dispose();
  await rig?.remote.dispose();
}

const fetchSteps = (r: RunDetail) => r.steps.filter((s) => s.kind === 'fetch');
const waitingFor = (stepId: string) => (r: RunDetail) => r.steps.some((s) => s.userId === stepId && s.status === 'waiting');

async function runFor(rig: Rig, name: string, fnId: string, data: Record<string, unknown>): Promise<RunDetail> {
  const runId = await rig.ex.runOf(await rig.ex.send({ name, data }), rig.fn(fnId));
  return rig.ex.waitForRun(runId, 60_000);
}

export function opsSuite(sdk: Sdk): void {
  void describe(`executor-performed ops on inngest ${sdk}`, { concurrency: true }, () => {
    let rig: Rig;
    before(async () => {
      rig = await startRig(sdk);
    });
    after(async () => {
      await disposeRig(rig);
    });

    void test('step.fetch: the executor makes the call; the function gets status, headers and body; 404 is a result', async () => {
      const t = tag('fetch');
      const run = await runFor(rig, 'ops/fetch', 'fetch', { base: rig.remote.base, tag: t });
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, {
        status: 201,
        echoed: { method: 'POST', tag: t, xTag: t, received: { tag: t, n: 1 } },
        remoteHeader: 'yes',
        missingStatus: 404,
        missingText: `nothing here for ${t}`,
        after: 'done',
      });
      // Each call was made exactly once, by the executor, with the method, headers and body asked for.
      const echo = rig.remote.to('/api/echo', t);
      assert.equal(echo.length, 1);
      assert.equal(echo[0]!.method, 'POST');
      assert.equal(echo[0]!.headers['x-tag'], t);
      assert.equal(echo[0]!.headers['content-type'], 'application/json');
      assert.equal(rig.remote.to('/api/missing', t).length, 1);
      // Memoized as {data: {url, headers, body, status_code}} (what the SDK rebuilds its Response from).
      const steps = fetchSteps(run);
      assert.equal(steps.length, 2, JSON.stringify(summarize(run)));
      assert.ok(steps.every((s) => s.status === 'completed' && s.attempts.length === 1));
      const first = steps.find((s) => (s.index ?? 0) === 0)!.output as { data: { status_code: number; url: string; headers: Record<string, string>; body: string } };
      assert.equal(first.data.status_code, 201);
      assert.equal(first.data.url, `${rig.remote.base}/api/echo?tag=${t}`);
      assert.equal(first.data.headers['x-remote'], 'yes');
      assert.deepEqual(JSON.parse(first.data.body), run.output && (run.output as { echoed: unknown }).echoed);
      assert.deepEqual(await rig.app.countersOf(run.id), { after: 1 });
      // Requests at the protocol minimum: one per async op, then the step and completion
      // (v4 runs `after` inline and checkpoints it; v3 needs one more discovery).
      assert.equal(run.requestCount, sdk === 'v4' ? 3 : 4, JSON.stringify(summarize(run)));
    });

    void test('step.fetch: a failed connection is retried per the function policy, then succeeds', async () => {
      const t = tag('flaky');
      const run = await runFor(rig, 'ops/fetch-flaky', 'fetch-flaky', { base: rig.remote.base, tag: t, failTimes: 2 });
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { ok: true, status: 200, text: 'ok on call 3' });
      assert.equal(rig.remote.to('/api/flaky', t).length, 3);
      const [s] = fetchSteps(run);
      assert.equal(s?.status, 'completed');
      assert.deepEqual(s?.attempts.map((a) => a.error?.name ?? null), ['GatewayError', 'GatewayError', null]);
      assert.match(s!.attempts[0]!.error!.message, /Error making gateway request: GET http:\/\/127\.0\.0\.1:\d+\/api\/flaky/);
    });

    void test('step.fetch: when the retries are used up the function gets the error', async () => {
      const t = tag('down');
      const run = await runFor(rig, 'ops/fetch-flaky', 'fetch-flaky', { base: rig.remote.base, tag: t, failTimes: 99 });
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      const out = run.output as { ok: boolean; message: string };
      assert.equal(out.ok, false, JSON.stringify(out));
      assert.match(out.message, /Error making gateway request/);
      // retries: 2 -> 3 attempts, no more.
      assert.equal(rig.remote.to('/api/flaky', t).length, 3);
      const [s] = fetchSteps(run);
      assert.equal(s?.status, 'failed');
      assert.equal(s?.attempts.length, 3);
      assert.equal((s?.output as { error: { name: string } }).error.name, 'GatewayError');
    });

    void test('step.fetch in parallel: a failed call retries the item; the call that succeeded is not made again', async () => {
      const t = tag('par');
      const run = await runFor(rig, 'ops/fetch-par', 'fetch-par', { base: rig.remote.base, tag: t });
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { a: 'plain text', b: 'ok on call 2' });
      assert.equal(rig.remote.to('/api/echo', t).length, 1);
      assert.equal(rig.remote.to('/api/echo', t)[0]!.body, 'plain text');
      assert.equal(rig.remote.to('/api/flaky', t).length, 2);
      const steps = fetchSteps(run);
      assert.deepEqual(steps.map((s) => s.attempts.length).sort(), [1, 2]);
      // v2 (v4): the two calls, the retried discovery, the final one. v3 (v1) asks for a discovery
      // after each result, so its count depends on which call settles first.
      if (sdk === 'v4') assert.equal(run.requestCount, 3, JSON.stringify(summarize(run)));
    });

    void test('step.ai.infer (OpenAI format): Bearer key, JSON body, the provider JSON memoized; no key in the history', async () => {
      const t = tag('oai');
      const run = await runFor(rig, 'ops/ai-openai', 'ai-openai', { base: rig.remote.base, tag: t });
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { ok: true, content: `echo: hello ${t}`, id: `chatcmpl-${t}-1` });
      const calls = rig.remote.to(`/openai/${t}/`, t);
      assert.equal(calls.length, 1);
      assert.equal(calls[0]!.path, `/openai/${t}/0/v1/chat/completions`);
      assert.equal(calls[0]!.headers.authorization, `Bearer ${OPENAI_KEY}`);
      assert.equal(calls[0]!.headers['content-type'], 'application/json');
      const body = JSON.parse(calls[0]!.body) as { model: string; messages: unknown[] };
      assert.equal(body.model, 'gpt-test');
      assert.deepEqual(body.messages, [{ role: 'user', content: `hello ${t}` }]);
      const s = stepOf(run, 'ask');
      assert.equal(s.kind, 'ai');
      assert.equal((s.output as { data: { object: string } }).data.object, 'chat.completion');
      assert.equal(run.requestCount, 2, JSON.stringify(summarize(run)));
      // The API key is in the op; the stored run history must not keep it.
      assert.ok(!JSON.stringify(run).includes(OPENAI_KEY), 'the run detail leaks the API key');
      const op = run.exchanges.flatMap((e) => e.ops).find((o) => o.op === 'AIGateway');
      assert.equal(op?.opts?.auth_key, '[redacted]');
    });

    void test('step.ai.infer: a 500 from the model is an AIGatewayError, retried like a step error', async () => {
      const t = tag('oai500');
      const run = await runFor(rig, 'ops/ai-openai', 'ai-openai', { base: rig.remote.base, tag: t, failTimes: 1 });
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { ok: true, content: `echo: hello ${t}`, id: `chatcmpl-${t}-2` });
      assert.equal(rig.remote.to(`/openai/${t}/`, t).length, 2);
      const s = stepOf(run, 'ask');
      assert.equal(s.attempts.length, 2);
      assert.equal(s.attempts[0]!.error?.name, 'AIGatewayError');
      assert.match(s.attempts[0]!.error!.message, /unsuccessful status code: 500/);
      assert.match(String(s.attempts[0]!.error!.stack), /overloaded \(call 1\)/);
    });

    void test('step.ai.infer: a model that keeps failing gives the function an error after the retries', async () => {
      const t = tag('oaidown');
      const run = await runFor(rig, 'ops/ai-openai', 'ai-openai', { base: rig.remote.base, tag: t, failTimes: 99 });
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      const out = run.output as { ok: boolean; message: string };
      assert.equal(out.ok, false, JSON.stringify(out));
      assert.match(out.message, /unsuccessful status code: 500/);
      assert.equal(rig.remote.to(`/openai/${t}/`, t).length, 3);
      assert.equal(stepOf(run, 'ask').status, 'failed');
    });

    void test('step.ai.infer (Anthropic format): x-api-key and anthropic-version headers', async () => {
      const t = tag('ant');
      const run = await runFor(rig, 'ops/ai-anthropic', 'ai-anthropic', { base: rig.remote.base, tag: t });
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { text: `echo: hi ${t} (max 64)`, model: 'claude-test' });
      const calls = rig.remote.to('/anthropic/v1/messages', t);
      assert.equal(calls.length, 1);
      assert.equal(calls[0]!.headers['x-api-key'], ANTHROPIC_KEY);
      assert.equal(calls[0]!.headers['anthropic-version'], '2023-06-01');
      assert.equal(calls[0]!.headers.authorization, undefined);
      assert.ok(!JSON.stringify(run).includes(ANTHROPIC_KEY), 'the run detail leaks the API key');
    });

    for (const via of ['step.sendSignal', 'the client sendSignal'] as const) {
      void test(`waitForSignal: a signal sent with ${via} before the timeout resumes the run with its data`, async () => {
        const { ex, fn } = rig;
        const signal = tag('sig');
        const waiterId = await ex.runOf(await ex.send({ name: 'ops/signal-wait', data: { signal, timeout: '60s' } }), fn('signal-wait'));
        const waiting = await ex.waitForRunState(waiterId, 'waiting for the signal', waitingFor('wait-signal'));
        const s = stepOf(waiting, 'wait-signal');
        assert.equal(s.kind, 'signal');
        assert.equal(s.signal?.name, signal);
        assert.ok(s.signal!.expiresAt > Date.now() + 30_000);

        const payload = { hello: signal, n: [1, 2] };
        const sender = await runFor(rig, 'ops/signal-send', 'signal-send', { signal, payload, viaClient: via !== 'step.sendSignal' });
        assert.equal(sender.status, 'Completed', JSON.stringify(summarize(sender)));
        assert.deepEqual(sender.output, { runId: waiterId });

        const run = await ex.waitForRun(waiterId);
        assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
        assert.deepEqual(run.output, { got: { signal, data: payload } });
        assert.deepEqual(stepOf(run, 'wait-signal').output, { data: { signal, data: payload } });
        assert.equal(run.requestCount, 2, JSON.stringify(summarize(run)));
      });
    }

    void test('waitForSignal resolved by hand (the panel\'s Resolve): the run gets the data as if the signal had been sent', async () => {
      const { ex, fn } = rig;
      const signal = tag('by-hand');
      const runId = await ex.runOf(await ex.send({ name: 'ops/signal-wait', data: { signal, timeout: '60s' } }), fn('signal-wait'));
      const waiting = await ex.waitForRunState(runId, 'waiting for the signal', waitingFor('wait-signal'));
      const step = stepOf(waiting, 'wait-signal');
      const data = { approved: true };
      await ex.api('POST', route('stepResolveWait', { id: runId, stepId: step.hashedId }), { event: { data } });
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { got: { signal, data } });
    });

    void test('waitForSignal: a timeout resumes with null; a late signal finds nobody (404, runId null)', async () => {
      const { ex, fn } = rig;
      const signal = tag('late');
      const started = Date.now();
      const runId = await ex.runOf(await ex.send({ name: 'ops/signal-wait', data: { signal, timeout: '1s' } }), fn('signal-wait'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { got: null });
      assert.ok(Date.now() - started >= 1000, 'resumed before its timeout');
      assert.equal(stepOf(run, 'wait-signal').output, null);
      assert.equal(run.requestCount, 2);

      const res = await rawRequest(ex.url + route('signals'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ signal, data: 1 }) });
      assert.equal(res.status, 404);
      assert.equal(res.json<{ status: number }>().status, 404);
      const sender = await runFor(rig, 'ops/signal-send', 'signal-send', { signal, payload: 1 });
      assert.equal(sender.status, 'Completed', JSON.stringify(summarize(sender)));
      assert.deepEqual(sender.output, { runId: null });
    });

    void test('waitForSignal: a second wait on the same signal fails its run, unless it replaces the first', async () => {
      const { ex, fn } = rig;
      const signal = tag('dup');
      const firstId = await ex.runOf(await ex.send({ name: 'ops/signal-wait', data: { signal, timeout: '2s' } }), fn('signal-wait'));
      await ex.waitForRunState(firstId, 'first waiting', waitingFor('wait-signal'));

      const conflicted = await runFor(rig, 'ops/signal-wait', 'signal-wait', { signal, timeout: '60s' });
      assert.equal(conflicted.status, 'Failed', JSON.stringify(summarize(conflicted)));
      assert.equal(conflicted.error?.name, 'SignalConflictError');
      assert.match(conflicted.error!.message, new RegExp(`already awaited by run ${firstId}`));

      const replacerId = await ex.runOf(await ex.send({ name: 'ops/signal-wait', data: { signal, timeout: '60s', onConflict: 'replace' } }), fn('signal-wait'));
      await ex.waitForRunState(replacerId, 'replacer waiting', waitingFor('wait-signal'));
      const res = await rawRequest(ex.url + route('signals'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ signal, data: 'x' }) });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json<{ data: { run_id: string } }>().data.run_id, replacerId);
      assert.deepEqual((await ex.waitForRun(replacerId)).output, { got: { signal, data: 'x' } });
      // The replaced wait no longer gets the signal: it times out.
      assert.deepEqual((await ex.waitForRun(firstId)).output, { got: null });
    });

    void test('signal route: the same Host/Origin guards as other state-changing routes; bad bodies are 400', async () => {
      const { ex } = rig;
      const url = ex.url + route('signals');
      const body = JSON.stringify({ signal: 'x', data: 1 });
      const foreign = await rawRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body });
      assert.equal(foreign.status, 403);
      const rebound = await rawRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', host: 'evil.example' }, body });
      assert.equal(rebound.status, 403);
      for (const bad of ['{', '[]', '{"data":1}', '{"signal":""}', '{"signal":3}']) {
        const res = await rawRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bad });
        assert.equal(res.status, 400, `${bad} -> ${res.status} ${res.text}`);
        assert.equal(res.json<{ status: number }>().status, 400);
      }
    });
  });

  void describe(`step.fetch and waitForSignal survive a kill -9 on inngest ${sdk}`, () => {
    let rig: Rig | undefined;
    before(async () => {
      rig = await startRig(sdk);
    });
    after(async () => {
      await disposeRig(rig);
    });

    void test('a step.fetch in flight when the executor is killed is made again after the restart', async () => {
      const { ex, remote } = rig!;
      const t = tag('hold');
      const runId = await ex.runOf(await ex.send({ name: 'ops/fetch-hold', data: { base: remote.base, tag: t } }), rig!.fn('fetch-hold'));
      await waitUntil('the held call to reach the remote', async () => (remote.to('/api/hold', t).length === 1 ? true : undefined));
      await ex.restart();
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { text: 'answered call 2' });
      assert.equal(remote.to('/api/hold', t).length, 2);
    });

    void test('a run waiting for a signal when the executor is killed resumes with the signal after the restart', async () => {
      const { ex, fn } = rig!;
      const signal = tag('restart');
      const runId = await ex.runOf(await ex.send({ name: 'ops/signal-wait', data: { signal, timeout: '60s' } }), fn('signal-wait'));
      await ex.waitForRunState(runId, 'waiting for the signal', waitingFor('wait-signal'));
      await ex.restart();
      const again: StepInfo = stepOf(await ex.run(runId), 'wait-signal');
      assert.equal(again.status, 'waiting');
      const res = await rawRequest(ex.url + route('signals'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ signal, data: { after: 'restart' } }) });
      assert.equal(res.status, 200, res.text);
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { got: { signal, data: { after: 'restart' } } });
    });
  });
}
