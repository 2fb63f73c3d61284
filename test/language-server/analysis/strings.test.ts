// invalid-cron, invalid-duration, invalid-expression and unknown-event-field, v3 and v4 styles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangesOf, uri, workspace } from './fixture';

function diagsOf(files: Record<string, string>, file = 'fn.ts') {
  const { index, fx } = workspace(files);
  return { diags: index.diagnostics(uri(file)), ranges: fx[file]!.ranges, index };
}

const V3 = `import { Inngest, EventSchemas } from 'inngest';
type Events = {
  'shop/order.placed': { data: { orderId: string; customer: { id: string; email?: string }; tags: string[] } };
  'shop/order.paid': { data: { orderId: string; amount: number } };
  'shop/anything': { data: Record<string, unknown> };
};
const inngest = new Inngest({ id: 'shop', schemas: new EventSchemas().fromRecord<Events>() });
`;

void test('invalid-cron: bad fields, unknown time zone, wrong field count (v3 and v4 cron())', () => {
  const { diags, ranges } = diagsOf({
    'fn.ts': `import { Inngest, cron } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a' }, { cron: «'61 * * * *'» }, async () => {});
export const b = inngest.createFunction({ id: 'b' }, [{ cron: «'TZ=Mars/Olympus 0 9 * * *'» }, { cron: «'0 9 * *'» }], async () => {});
export const c = inngest.createFunction({ id: 'c', triggers: [cron(«'every day'»)] }, async () => {});
export const d = inngest.createFunction({ id: 'd', triggers: { cron: «'@fortnightly'» } }, async () => {});
// Inngest validates crons with a five-field parser: no descriptors, no seconds, no L/W/#, Sunday is 0.
export const e = inngest.createFunction({ id: 'e', triggers: [cron(«'@daily'»), { cron: «'0 */5 * * * *'» }, { cron: «'0 0 L * *'» }, { cron: «'0 12 ? * 1#2'» }, { cron: «'0 9 * * 7'» }] }, async () => {});`,
  });
  assert.deepEqual(rangesOf(diags, 'invalid-cron'), ranges);
  assert.match(diags.find((d) => d.code === 'invalid-cron' && d.message.includes('Mars'))!.message, /time zone/);
});

void test('invalid-cron: none for valid lines, time zones, names, lists, ranges and steps', () => {
  const { diags, index } = diagsOf({
    'fn.ts': `import { Inngest, cron } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a' }, [{ cron: '0 9 * * 1-5' }, { cron: 'TZ=Europe/Paris 30 8 * * *' }, { cron: '*/15 * * * *' }], async () => {});
export const b = inngest.createFunction({ id: 'b', triggers: [cron('CRON_TZ=America/New_York 0 0 1 * *'), cron('0 0 * * *'), { cron: '0 */5 * * *' }] }, async () => {});
export const c = inngest.createFunction({ id: 'c', triggers: [cron('0 12 * * MON'), cron('0 9 ? JAN-MAR mon-fri'), cron('5,35 8-18/2 1,15 */3 0')] }, async () => {});`,
  });
  assert.deepEqual(rangesOf(diags, 'invalid-cron'), []);
  const fa = index.findFunction('app-a')!;
  const t = fa.triggers[1]!;
  assert.equal(t.kind, 'cron');
  assert.match(t.kind === 'cron' ? t.description ?? '' : '', /08:30.*Europe\/Paris/);
});

void test('invalid-duration: step.sleep, waits, invoke and flow-control periods', () => {
  const { diags, ranges } = diagsOf({
    'fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a', throttle: { limit: 1, period: «'one hour'» }, debounce: { period: «'5 mins please'» }, timeouts: { finish: «'forever'» } }, { event: 'a/b' }, async ({ step }) => {
  await step.sleep('s1', «'1 fortnight'»);
  await step.sleep('s2', «'1h30m'»);
  await step.waitForEvent('w', { event: 'a/c', timeout: «'-5m'» });
});
export const b = inngest.createFunction({ id: 'b', triggers: [{ event: 'a/b' }], cancelOn: [{ event: 'a/x', timeout: «'tomorrow'» }] }, async ({ step }) => {
  await step.invoke('i', { function: a, data: {}, timeout: «'2 dayz'» });
});`,
  });
  assert.deepEqual(rangesOf(diags, 'invalid-duration'), ranges);
  assert.match(diags.find((d) => d.code === 'invalid-duration')!.message, /30s/);
});

void test('invalid-duration: none for every form the SDK and server accept', () => {
  const { diags } = diagsOf({
    'fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a', throttle: { limit: 1, period: '1h30m', key: 'event.data.id' }, rateLimit: { limit: 1, period: '24h' }, debounce: { period: '5m', timeout: '10m' }, batchEvents: { maxSize: 10, timeout: '5s' }, timeouts: { start: '10s', finish: '2h' } }, { event: 'a/b' }, async ({ step }) => {
  await step.sleep('a', '30s');
  await step.sleep('b', '2 hours');
  await step.sleep('c', '1.5d');
  await step.sleep('d', 1000);
  await step.sleep('e', '1w');
  await step.sleep('f', \`\${3}m\`);
  await step.waitForEvent('w', { event: 'a/c', timeout: '7d' });
  await step.sleepUntil('u', '2030-01-01T00:00:00Z');
});`,
  });
  assert.deepEqual(rangesOf(diags, 'invalid-duration'), []);
});

void test('invalid-expression: CEL syntax errors in if, match, cancelOn, keys and priority (v3 and v4)', () => {
  const { diags, ranges } = diagsOf({
    'fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a', concurrency: { limit: 1, key: 'event.data.id +«»' }, priority: { run: 'event.data.vip ? 100 :«»' } }, { event: 'a/b', if: 'event.data.x == «=» 3' }, async ({ step }) => {
  await step.waitForEvent('w', { event: 'a/c', timeout: '1h', match: «'data.user id'» });
  await step.waitForEvent('w2', { event: 'a/c', timeout: '1h', if: 'async.data.id == «)»' });
});
export const b = inngest.createFunction({ id: 'b', triggers: [{ event: 'a/b' }], cancelOn: [{ event: 'a/x', if: 'event.data.id == async.data.id &&«»' }], idempotency: 'event.data.«!»id' }, async () => {});`,
  });
  const got = rangesOf(diags, 'invalid-expression');
  assert.equal(got.length, ranges.length, JSON.stringify(diags));
  // each error sits on the marked spot (start line and character)
  for (let i = 0; i < ranges.length; i++) assert.deepEqual(got[i]!.start, ranges[i]!.start);
});

void test('invalid-expression: none for valid CEL and match paths', () => {
  const { diags } = diagsOf({
    'fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a', concurrency: [{ limit: 1, key: 'event.data.id' }, { limit: 5, key: '"tenant-" + event.data.tenant', scope: 'account' }], priority: { run: 'event.data.vip ? 100 : 0' }, singleton: { key: 'event.data.id', mode: 'skip' }, batchEvents: { maxSize: 5, timeout: '1s', key: 'event.data.k', if: 'event.data.n > 2' } }, { event: 'a/b', if: "event.data.plan == 'pro' && size(event.data.items) > 0" }, async ({ step }) => {
  await step.waitForEvent('w', { event: 'a/c', timeout: '1h', match: 'data.userId' });
  await step.waitForEvent('w2', { event: 'a/c', timeout: '1h', if: 'async.data.id == event.data.id && has(async.data.extra)' });
});`,
  });
  assert.deepEqual(rangesOf(diags, 'invalid-expression'), []);
});

void test('unknown-event-field: paths the schema lacks, in if/match/keys/cancelOn (v3 fromRecord)', () => {
  const { diags, ranges } = diagsOf({
    'fn.ts': `${V3}
export const a = inngest.createFunction({ id: 'a', concurrency: { limit: 1, key: 'event.data.«customerId»' }, cancelOn: [{ event: 'shop/order.paid', if: 'async.data.«amout» > 0' }] }, { event: 'shop/order.placed', if: 'event.data.customer.«mail» != ""' }, async ({ step }) => {
  await step.waitForEvent('w', { event: 'shop/order.paid', timeout: '1h', if: 'async.data.orderId == event.data.orderId && async.data.«total» > 1' });
  await step.waitForEvent('w2', { event: 'shop/order.paid', timeout: '1h', match: 'data.«customer»' });
});`,
  });
  assert.deepEqual(rangesOf(diags, 'unknown-event-field'), ranges);
  assert.match(diags.find((d) => d.message.includes('amout'))!.message, /Did you mean "amount"/);
});

void test('unknown-event-field: v4 zod eventType declared in another file, async and event sides', () => {
  const { diags, ranges } = diagsOf({
    'events.ts': `import { eventType } from 'inngest';
import { z } from 'zod';
export const signup = eventType('app/user.signup', { schema: z.object({ userId: z.string(), profile: z.object({ name: z.string() }).optional() }) });
export const verified = eventType('app/user.verified', { schema: z.object({ userId: z.string() }) });`,
    'fn.ts': `import { Inngest } from 'inngest';
import { signup, verified } from './events';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a', triggers: [signup] }, async ({ step }) => {
  await step.waitForEvent('w', { event: verified, timeout: '1d', if: 'async.data.userId == event.data.profile.«nam»' });
  await step.waitForEvent('w2', { event: 'app/user.verified', timeout: '1d', if: 'async.data.«user» == event.data.userId' });
});`,
  });
  assert.deepEqual(rangesOf(diags, 'unknown-event-field'), ranges);
});

void test('unknown-event-field: none for existing fields, open schemas, unknown events and untyped events', () => {
  const { diags } = diagsOf({
    'fn.ts': `${V3}
import { eventType } from 'inngest';
export const a = inngest.createFunction({ id: 'a', concurrency: { limit: 1, key: 'event.data.customer.id' } }, { event: 'shop/order.placed', if: 'size(event.data.tags) > 0' }, async ({ step }) => {
  await step.waitForEvent('w', { event: 'shop/order.paid', timeout: '1h', match: 'data.orderId' });
  await step.waitForEvent('w2', { event: 'shop/anything', timeout: '1h', if: 'async.data.whatever == event.data.customer.email' });
});
export const b = inngest.createFunction({ id: 'b' }, [{ event: 'shop/order.placed' }, { event: 'shop/anything' }], async ({ step }) => {
  await step.waitForEvent('w', { event: 'shop/order.paid', timeout: '1h', if: 'event.data.free_form == async.data.orderId' });
});
export const c = inngest.createFunction({ id: 'c' }, { event: 'shop/*' }, async ({ step }) => {
  await step.waitForEvent('w', { event: 'shop/order.paid', timeout: '1h', if: 'event.data.anything == "x"' });
});`,
  });
  assert.deepEqual(rangesOf(diags, 'unknown-event-field'), []);
});

void test('unknown-event-field: v4 trigger with an inline schema (`{ event, schema }`)', () => {
  const { diags, ranges, index } = diagsOf({
    'fn.ts': `import { Inngest } from 'inngest';
import { z } from 'zod';
const inngest = new Inngest({ id: 'app' });
export const f = inngest.createFunction({ id: 'f', triggers: [{ event: 'app/ping', schema: z.object({ host: z.string() }), if: 'event.data.«hots» != ""' }] }, async () => {});`,
  });
  assert.deepEqual(rangesOf(diags, 'unknown-event-field'), ranges);
  assert.deepEqual(index.event('app/ping')!.example, { host: 'example-host' });
});
