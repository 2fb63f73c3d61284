// Test app on inngest 4.x for the executor-performed ops: step.fetch (Gateway), step.ai.infer
// (AIGateway), step.waitForSignal (WaitForSignal) and both ways to send a signal (step.sendSignal
// and the client's sendSignal). Its twin is ./v3.ts (same function ids and events). The remote API
// and the model endpoints are the test's local server, passed in the event (`data.base`).
//
// Run by test/executor-ops/*.test.ts through the executor harness (ExampleApp.start with `file`).
import { Inngest } from 'inngest-v4';
import { serve } from 'inngest-v4/node';
import { Counters, startAppServer } from '../../../examples/shared/app-server';

const inngest = new Inngest({ id: 'ops-v4' });
const counters = new Counters();

type Data = Record<string, any>;

// --- step.fetch: a POST with headers and body, then a 404 (a result, not an error), then a step --
const fetchFn = inngest.createFunction({ id: 'fetch', triggers: [{ event: 'ops/fetch' }] }, async ({ event, step, runId }) => {
  const data = event.data as Data;
  const res = await step.fetch(`${data.base}/api/echo?tag=${data.tag}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tag': data.tag },
    body: JSON.stringify({ tag: data.tag, n: 1 }),
  });
  const echoed = await res.json();
  const missing = await step.fetch(`${data.base}/api/missing?tag=${data.tag}`);
  const after = await step.run('after', () => (counters.hit(runId, 'after'), 'done'));
  return {
    status: res.status,
    echoed,
    remoteHeader: res.headers.get('x-remote'),
    missingStatus: missing.status,
    missingText: await missing.text(),
    after,
  };
});

// --- step.fetch whose connection fails `data.failTimes` times (retries: retries: 2) -----
const fetchFlaky = inngest.createFunction({ id: 'fetch-flaky', retries: 2, triggers: [{ event: 'ops/fetch-flaky' }] }, async ({ event, step }) => {
  const data = event.data as Data;
  try {
    const res = await step.fetch(`${data.base}/api/flaky?tag=${data.tag}&fail=${data.failTimes}`);
    return { ok: true, status: res.status, text: await res.text() };
  } catch (err) {
    return { ok: false, name: (err as Error).name, message: (err as Error).message };
  }
});

// --- two step.fetch calls in parallel, one of them flaky: the other is not made twice -------------
const fetchPar = inngest.createFunction({ id: 'fetch-par', retries: 2, triggers: [{ event: 'ops/fetch-par' }] }, async ({ event, step }) => {
  const data = event.data as Data;
  const [a, b] = await Promise.all([
    step.fetch(`${data.base}/api/echo?tag=${data.tag}`, { method: 'POST', body: 'plain text' }),
    step.fetch(`${data.base}/api/flaky?tag=${data.tag}&fail=1`),
  ]);
  return { a: ((await a.json()) as { received: unknown }).received, b: await b.text() };
});

// --- a step.fetch the remote holds (the test restarts the executor meanwhile) ---------------------
const fetchHold = inngest.createFunction({ id: 'fetch-hold', triggers: [{ event: 'ops/fetch-hold' }] }, async ({ event, step }) => {
  const data = event.data as Data;
  const res = await step.fetch(`${data.base}/api/hold?tag=${data.tag}`);
  return { text: await res.text() };
});

// --- step.ai.infer against an OpenAI-compatible endpoint -----------------------------------------
const aiOpenAi = inngest.createFunction({ id: 'ai-openai', retries: 2, triggers: [{ event: 'ops/ai-openai' }] }, async ({ event, step }) => {
  const data = event.data as Data;
  const model = step.ai.models.openai({ model: 'gpt-test', apiKey: 'sk-test-key', baseUrl: `${data.base}/openai/${data.tag}/${data.failTimes ?? 0}/v1/` });
  try {
    const out = await step.ai.infer('ask', { model, body: { messages: [{ role: 'user', content: `hello ${data.tag}` }] } });
    return { ok: true, content: out.choices[0]?.message?.content ?? null, id: out.id };
  } catch (err) {
    return { ok: false, name: (err as Error).name, message: (err as Error).message };
  }
});

// --- step.ai.infer against an Anthropic-compatible endpoint --------------------------------------
const aiAnthropic = inngest.createFunction({ id: 'ai-anthropic', triggers: [{ event: 'ops/ai-anthropic' }] }, async ({ event, step }) => {
  const data = event.data as Data;
  const model = step.ai.models.anthropic({
    model: 'claude-test',
    apiKey: 'ak-test-key',
    baseUrl: `${data.base}/anthropic/v1/`,
    defaultParameters: { max_tokens: 64 },
  });
  const out = await step.ai.infer('ask', { model, body: { messages: [{ role: 'user', content: `hi ${data.tag}` }] } });
  const first = out.content[0];
  return { text: first && first.type === 'text' ? first.text : null, model: out.model };
});

// --- step.waitForSignal ------------------------------------------------------------------------------
const signalWait = inngest.createFunction({ id: 'signal-wait', triggers: [{ event: 'ops/signal-wait' }] }, async ({ event, step }) => {
  const data = event.data as Data;
  const got = await step.waitForSignal('wait-signal', { signal: data.signal, timeout: data.timeout ?? '60s', onConflict: data.onConflict });
  return { got };
});

// --- sending signals: the step tool and the client method ------------------------------------------
const signalSend = inngest.createFunction({ id: 'signal-send', triggers: [{ event: 'ops/signal-send' }] }, async ({ event, step }) => {
  const data = event.data as Data;
  if (data.viaClient) {
    const res = await step.run('send-with-client', () => inngest.sendSignal({ signal: data.signal, data: data.payload }));
    return { runId: res.runId ?? null };
  }
  const res = await step.sendSignal('send-signal', { signal: data.signal, data: data.payload });
  return { runId: res.runId ?? null };
});

const functions = [fetchFn, fetchFlaky, fetchPar, fetchHold, aiOpenAi, aiAnthropic, signalWait, signalSend];

startAppServer(serve({ client: inngest, functions }), counters).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
