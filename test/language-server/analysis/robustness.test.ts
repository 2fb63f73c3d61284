// The analysis never throws: syntax errors, huge files, pathological nesting, mutated sources.
// It stays incremental: edits and removals in one file update what other files see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkspaceIndex, type LogLevel } from '../../../language-server/analysis/index';
import { rangesOf, uri, workspace } from './fixture';

const FN = `import { Inngest, EventSchemas } from 'inngest';
type Events = { 'app/a': { data: { id: string } } };
const inngest = new Inngest({ id: 'app', schemas: new EventSchemas().fromRecord<Events>() });
export const f = inngest.createFunction({ id: 'f', concurrency: { limit: 1, key: 'event.data.id' } }, { event: 'app/a' }, async ({ event, step }) => {
  await step.run('one', () => event.data.id);
  await step.sleep('two', '1h');
  await step.waitForEvent('three', { event: 'app/a', timeout: '1d', if: 'async.data.id == event.data.id' });
  await step.sendEvent('four', { name: 'app/a', data: { id: 'x' } });
});
`;

function logs() {
  const lines: { level: LogLevel; message: string }[] = [];
  return { lines, logger: { log: (level: LogLevel, message: string) => void lines.push({ level, message }) } };
}

void test('syntax errors: the recovered tree is still analysed, nothing throws', () => {
  const { index } = workspace({
    'fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const f = inngest.createFunction({ id: 'f' }, { cron: '61 * * * *' }, async ({ step }) => {
  await step.run('a', () => {
  step.sleep('b', '1h'
`,
  });
  const m = index.file(uri('fn.ts'))!;
  assert.equal(m.hasSyntaxErrors, true);
  assert.deepEqual(index.functions().map((f) => f.slug), ['app-f']);
  assert.ok(index.diagnostics(uri('fn.ts')).some((d) => d.code === 'invalid-cron'));
});

void test('files above maxDeepAnalysisBytes get a shallow read and one log line', () => {
  const { lines, logger } = logs();
  const index = new WorkspaceIndex({ maxDeepAnalysisBytes: 2000, logger });
  const big = FN + '\n' + 'export const filler = 1;\n'.repeat(200);
  index.setFile(uri('big1.ts'), big);
  index.setFile(uri('big2.ts'), big.replace("id: 'f'", "id: 'g'"));
  index.setFile(uri('small.ts'), FN.replace("id: 'f'", "id: 'h'"));
  assert.equal(index.file(uri('big1.ts'))!.shallow, true);
  assert.deepEqual(index.diagnostics(uri('big1.ts')), []);
  assert.deepEqual(index.functions().map((f) => f.id), ['h']);
  assert.equal(lines.filter((l) => l.message.includes('Skipping deep analysis')).length, 1);
});

void test('pathological nesting is caught per file and logged; the previous model is kept', () => {
  const { lines, logger } = logs();
  const index = new WorkspaceIndex({ logger });
  index.setFile(uri('fn.ts'), FN);
  assert.equal(index.functions().length, 1);
  const deep = FN.replace("() => event.data.id", `() => ${'('.repeat(30000)}1${')'.repeat(30000)}`);
  assert.doesNotThrow(() => index.setFile(uri('fn.ts'), deep));
  assert.equal(index.functions().length, 1, 'previous model kept');
  assert.ok(Array.isArray(index.diagnostics(uri('fn.ts'))));
  assert.doesNotThrow(() => index.setFile(uri('arrays.ts'), `export const x = ${'['.repeat(30000)}${']'.repeat(30000)};`));
  assert.equal(index.has(uri('arrays.ts')), true);
  assert.ok(Array.isArray(index.diagnostics(uri('arrays.ts'))));
  void lines;
});

void test('mutated sources (deterministic fuzz): every query answers, nothing throws', () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const index = new WorkspaceIndex();
  const pieces = ['(', ')', '{', '}', "'", '`', '${', 'step.run(', 'await ', ',', 'createFunction(', '[', '"', '/*', '\n'];
  for (let i = 0; i < 150; i++) {
    let text = FN;
    for (let k = 0; k < 1 + rand(6); k++) {
      const at = rand(text.length);
      const op = rand(3);
      if (op === 0) text = text.slice(0, at) + text.slice(at + 1 + rand(20));
      else if (op === 1) text = text.slice(0, at) + pieces[rand(pieces.length)] + text.slice(at);
      else text = text.slice(0, at) + text.slice(rand(text.length));
    }
    const u = uri(`m${i % 7}.ts`);
    assert.doesNotThrow(() => {
      index.setFile(u, text);
      index.diagnostics(u);
      index.functions();
      index.events();
      index.file(u);
      index.literalAt(u, { line: rand(10), character: rand(80) });
      index.eventReferences('app/a');
    }, text);
  }
});

void test('incremental: an edit in the schema file updates diagnostics of the function file', () => {
  const { index } = workspace({
    'events.ts': `export type Events = { 'app/a': { data: { id: string } } };`,
    'client.ts': `import { Inngest, EventSchemas } from 'inngest';
import type { Events } from './events';
export const inngest = new Inngest({ id: 'app', schemas: new EventSchemas().fromRecord<Events>() });`,
    'fn.ts': `import { inngest } from './client';
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/b' }, async () => {});`,
  });
  const v0 = index.version;
  assert.equal(rangesOf(index.diagnostics(uri('fn.ts')), 'unknown-event').length, 1);
  index.setFile(uri('events.ts'), `export type Events = { 'app/a': { data: { id: string } }; 'app/b': { data: {} } };`);
  assert.ok(index.version > v0);
  assert.equal(rangesOf(index.diagnostics(uri('fn.ts')), 'unknown-event').length, 0);
  index.removeFile(uri('fn.ts'));
  assert.equal(index.has(uri('fn.ts')), false);
  assert.deepEqual(index.functions(), []);
  assert.deepEqual(index.diagnostics(uri('fn.ts')), []);
});

void test('correct v3 and v4 code produces no diagnostic at all', () => {
  const { index } = workspace({
    'v3.ts': FN,
    'v4/package.json': '{}',
    'v4/events.ts': `import { eventType, staticSchema } from 'inngest';
import { z } from 'zod';
export const placed = eventType('shop/order.placed', { schema: z.object({ orderId: z.string(), total: z.number() }) });
export const paid = eventType('shop/order.paid', { schema: staticSchema<{ orderId: string }>() });`,
    'v4/fns.ts': `import { Inngest, cron } from 'inngest';
import { placed, paid } from './events';
export const inngest = new Inngest({ id: 'shop' });
export const onPlaced = inngest.createFunction(
  { id: 'on-placed', triggers: [placed], concurrency: { limit: 5, key: 'event.data.orderId' }, cancelOn: [{ event: paid, match: 'data.orderId' }], retries: 3 },
  async ({ event, step }) => {
    const order = await step.run('load', async () => ({ id: event.data.orderId }));
    const got = await step.waitForEvent('wait-paid', { event: paid, timeout: '3d', if: 'async.data.orderId == event.data.orderId' });
    if (!got) {
      await step.sendEvent('remind', paid.create({ orderId: order.id }));
      return 'reminded';
    }
    await Promise.all([step.run('a', () => 1), step.run('b', () => 2)]);
    return 'ok';
  },
);
export const onPaid = inngest.createFunction({ id: 'on-paid', triggers: [paid] }, async ({ step }) => {
  await step.sleep('cool-off', '10m');
});
export const nightly = inngest.createFunction({ id: 'nightly', triggers: [cron('TZ=Europe/Berlin 0 3 * * *')] }, async ({ step }) => {
  await inngest.send({ name: 'shop/order.placed', data: { orderId: 'o1', total: 10 } });
  await step.run('sweep', () => 0);
});`,
  });
  for (const f of ['v3.ts', 'v4/events.ts', 'v4/fns.ts']) assert.deepEqual(index.diagnostics(uri(f)), [], f);
  assert.equal(index.functions().length, 4);
});

void test('documentation-style code (every option, fromZod/fromUnion/fromRecord chained) produces no diagnostic', () => {
  const { index } = workspace({
    'inngest/client.ts': `import { EventSchemas, Inngest } from 'inngest';
import { z } from 'zod';
type DemoEventSent = { data: { message: string } };
type AppPostCreated = { name: 'app/post.created'; data: { id: string } };
type AppPostDeleted = { name: 'app/post.deleted'; data: { id: string } };
type Events = {
  'app/user.signup': { data: { userId: string; account_id: string; account_type: 'free' | 'enterprise'; cart_id: string } };
  'app/user.deleted': { data: { userId: string } };
  'app/onboarding.completed': { data: { userId: string } };
  'app/user.activated': { data: { userId: string } };
  'app/square': { data: { number: number } };
};
export const inngest = new Inngest({
  id: 'my-app',
  schemas: new EventSchemas()
    .fromRecord<Events>()
    .fromRecord<{ 'demo/event.sent': DemoEventSent }>()
    .fromUnion<AppPostCreated | AppPostDeleted>()
    .fromZod({ 'app/account.created': { data: z.object({ userId: z.string() }) } })
    .fromZod([z.object({ name: z.literal('app/account.closed'), data: z.object({ userId: z.string(), reason: z.string().optional() }) })]),
});`,
    'inngest/functions.ts': `import { inngest } from './client';
export const computeSquare = inngest.createFunction({ id: 'compute-square' }, { event: 'app/square' }, async ({ event }) => {
  return { result: event.data.number * event.data.number };
});
export const userOnboarding = inngest.createFunction(
  {
    id: 'user-onboarding',
    concurrency: { limit: 10, key: 'event.data.account_id' },
    throttle: { limit: 1, period: '5s', key: 'event.data.userId' },
    debounce: { period: '5m', key: 'event.data.account_id', timeout: '10m' },
    rateLimit: { limit: 1, period: '4h', key: 'event.data.account_id' },
    priority: { run: "event.data.account_type == 'enterprise' ? 120 : 0" },
    idempotency: 'event.data.cart_id',
    cancelOn: [{ event: 'app/user.deleted', if: 'async.data.userId == event.data.userId' }],
    timeouts: { start: '1m', finish: '1h' },
    retries: 5,
    onFailure: async ({ error, step }) => {
      await step.run('report', () => String(error));
    },
  },
  { event: 'app/user.signup' },
  async ({ event, step }) => {
    await step.sleepUntil('wait-for-iso-string', '2023-04-01T12:30:00');
    const square = await step.invoke('compute-square', { function: computeSquare, data: { number: 4 } });
    const items = [{ id: 1 }, { id: 2 }];
    const results = await Promise.all(items.map((item) => step.run(\`process-\${item.id}\`, () => item.id * 2)));
    const evt = await step.waitForEvent('wait-for-onboarding', { event: 'app/onboarding.completed', timeout: '3d', match: 'data.userId' });
    if (!evt) return { square, results };
    await step.sendEvent('send-activation', { name: 'app/user.activated', data: { userId: event.data.userId } });
    return { square, results };
  },
);
export const onActivated = inngest.createFunction({ id: 'on-activated' }, [{ event: 'app/user.activated' }, { event: 'app/post.*' }, { cron: 'TZ=Europe/Paris 0 12 * * 5' }], async ({ step }) => {
  await step.run('noop', () => null);
});
export const onAccount = inngest.createFunction({ id: 'on-account', batchEvents: { maxSize: 100, timeout: '5s' } }, [{ event: 'app/account.created' }, { event: 'app/account.closed', if: "event.data.reason != 'fraud'" }, { event: 'demo/event.sent' }], async ({ events, step }) => {
  await step.run('count', () => events.length);
});
export async function signupRoute(userId: string) {
  await inngest.send({ name: 'app/user.signup', data: { userId, account_id: 'a', account_type: 'free', cart_id: 'c' } });
  await inngest.send({ name: 'app/square', data: { number: 3 } });
}`,
  });
  for (const f of ['inngest/client.ts', 'inngest/functions.ts']) assert.deepEqual(index.diagnostics(uri(f)), [], f);
  assert.equal(index.events().filter((e) => e.dataSchema !== null).length, 10);
  assert.deepEqual(index.event('app/account.closed')!.dataSchema, {
    type: 'object',
    properties: { userId: { type: 'string' }, reason: { type: 'string' } },
    required: ['userId'],
    additionalProperties: false,
  });
});

void test('incremental: cached schemas follow edits to files they were read from, new files and removals', () => {
  const { index } = workspace({
    'types/a.ts': `export interface AData { id: string }`,
    'types/index.ts': `export * from './a';`,
    'events.ts': `import type { AData } from './types';
export type Events = { 'app/a': { data: AData } };`,
    'client.ts': `import { Inngest, EventSchemas } from 'inngest';
import type { Events } from './events';
export const inngest = new Inngest({ id: 'app', schemas: new EventSchemas().fromRecord<Events>() });`,
    'fn.ts': `import { inngest } from './client';
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/a', if: 'event.data.name != ""' }, async () => {});`,
  });
  const fieldDiags = () => index.diagnostics(uri('fn.ts')).filter((d) => d.code === 'unknown-event-field').length;
  assert.equal(fieldDiags(), 1);
  // an edit in the function file itself reuses the cached schema
  index.setFile(uri('fn.ts'), `import { inngest } from './client';
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/a', if: 'event.data.id != ""' }, async () => {});`);
  assert.equal(fieldDiags(), 0);
  index.setFile(uri('fn.ts'), `import { inngest } from './client';
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/a', if: 'event.data.name != ""' }, async () => {});`);
  assert.equal(fieldDiags(), 1);
  // an edit two re-exports away is seen
  index.setFile(uri('types/a.ts'), `export interface AData { id: string; name: string }`);
  assert.equal(fieldDiags(), 0);
  // removing the type file makes the schema unreadable: nothing is reported
  index.removeFile(uri('types/a.ts'));
  assert.equal(fieldDiags(), 0);
  assert.equal(index.event('app/a')!.dataSchema, null);
  // a new file that satisfies the import again
  index.setFile(uri('types/a.ts'), `export interface AData { id: string }`);
  assert.equal(fieldDiags(), 1);
});

void test('setting a file again with the same text changes nothing (no version bump)', () => {
  const index = new WorkspaceIndex();
  index.setFile(uri('a.ts'), FN);
  const v = index.version;
  index.setFile(uri('a.ts'), FN);
  assert.equal(index.version, v);
  index.setFile(uri('a.ts'), FN + '\n');
  assert.equal(index.version, v + 1);
  index.removeFile(uri('a.ts'));
  index.setFile(uri('a.ts'), FN + '\n');
  assert.equal(index.functions().length, 1);
});
