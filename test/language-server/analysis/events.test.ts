// unknown-event (with quick-fix data), invalid-event-payload, event-without-listener and
// duplicate-function-id, v3 and v4 styles, across files, with negative cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangesOf, uri, workspace } from './fixture';

const EVENTS_V3 = `export type Events = {
  'app/user.signup': { data: { userId: string; email: string } };
  'app/order.placed': { data: { orderId: string; amount: number; note?: string; meta: { source: string } } };
};`;
const CLIENT_V3 = `import { Inngest, EventSchemas } from 'inngest';
import type { Events } from './events';
export const inngest = new Inngest({ id: 'shop', schemas: new EventSchemas().fromRecord<Events>() });`;

void test('unknown-event: v3 fromRecord in another file, every place an event name is written', () => {
  const { index, fx } = workspace({
    'events.ts': EVENTS_V3,
    'client.ts': CLIENT_V3,
    'fn.ts': `import { inngest } from './client';
export const a = inngest.createFunction({ id: 'a', cancelOn: [{ event: «'app/user.deleted'», match: 'data.userId' }] }, { event: «'app/user.singup'» }, async ({ step }) => {
  await step.waitForEvent('w', { event: «'app/order.plcaed'», timeout: '1h' });
  await step.sendEvent('s', { name: «'app/nope'», data: {} });
  await step.sendEvent('ok', { name: 'app/user.signup', data: { userId: 'u', email: 'e' } });
});
export async function later() {
  await inngest.send({ name: «'app/user.signpu'», data: { userId: 'u', email: 'e' } });
}`,
  });
  const diags = index.diagnostics(uri('fn.ts'));
  assert.deepEqual(rangesOf(diags, 'unknown-event'), fx['fn.ts']!.ranges);
  const typo = diags.find((d) => d.code === 'unknown-event' && d.message.includes('singup'))!;
  assert.ok(typo.message.startsWith('Unknown event "app/user.singup". Did you mean "app/user.signup"?'));
  const fixes = typo.data!.fixes;
  const replace = fixes.find((f) => f.kind === 'replace-event-name')!;
  assert.equal(replace.edits[0]!.newText, 'app/user.signup');
  assert.equal(replace.edits[0]!.uri, uri('fn.ts'));
  const marked = fx['fn.ts']!.ranges[1]!;
  assert.deepEqual(replace.edits[0]!.range, { start: { line: 1, character: marked.start.character + 1 }, end: { line: 1, character: marked.end.character - 1 } });
  const add = fixes.find((f) => f.kind === 'add-event-to-schema')!;
  assert.equal(add.edits[0]!.uri, uri('events.ts'));
  assert.deepEqual(add.edits[0]!.range.start, { line: 3, character: 0 });
  assert.equal(add.edits[0]!.newText, `  "app/user.singup": { data: Record<string, unknown> };\n`);
  // "app/nope" has no close match: no replace fix, but the add fix
  const nope = diags.find((d) => d.message.includes('app/nope'))!;
  assert.ok(!nope.message.includes('Did you mean'));
  assert.deepEqual(nope.data!.fixes.map((f) => f.kind), ['add-event-to-schema']);
});

void test('unknown-event: v3 fromUnion and fromZod chained, client re-exported through an index', () => {
  const { index, fx } = workspace({
    'lib/types.ts': `export type A = { name: 'app/a'; data: { x: string } };
export type B = { name: 'app/b'; data: { y: number } };
export type AB = A | B;`,
    'lib/client.ts': `import { Inngest, EventSchemas } from 'inngest';
import { z } from 'zod';
import type { AB } from './types.js';
const zodEvents = { 'app/z': { data: z.object({ id: z.string() }) } };
const schemas = new EventSchemas().fromUnion<AB>().fromZod(zodEvents);
export const inngest = new Inngest({ id: 'mixed', schemas });`,
    'lib/index.ts': `export { inngest as client } from './client';`,
    'fn.ts': `import { client } from './lib';
export const f = client.createFunction({ id: 'f' }, [{ event: 'app/a' }, { event: 'app/b' }, { event: 'app/z' }, { event: «'app/c'» }], async () => {});`,
  });
  assert.deepEqual(rangesOf(index.diagnostics(uri('fn.ts')), 'unknown-event'), fx['fn.ts']!.ranges);
  assert.deepEqual(index.functions().map((f) => f.slug), ['mixed-f']);
});

void test('unknown-event: v4 eventType declarations of the same package (trigger, wait, send)', () => {
  const { index, fx } = workspace({
    'pkg/package.json': '{ "dependencies": { "inngest": "^4.0.0" } }',
    'pkg/events.ts': `import { eventType, staticSchema } from 'inngest';
export const signup = eventType('app/user.signup', { schema: staticSchema<{ userId: string }>() });
export const deleted = eventType('app/user.deleted');`,
    'pkg/fn.ts': `import { Inngest } from 'inngest';
import { signup } from './events';
const inngest = new Inngest({ id: 'v4app' });
export const f = inngest.createFunction({ id: 'f', triggers: [signup, { event: «'app/user.sigup'» }], cancelOn: [{ event: 'app/user.deleted' }] }, async ({ step }) => {
  // v4 allows untyped events, also in a declared namespace: only near misses are typos
  await step.waitForEvent('w', { event: 'app/user.verified', timeout: '1d' });
  await inngest.send({ name: «'app/user.delted'» });
});`,
    'other/package.json': '{ "dependencies": { "inngest": "^4.0.0" } }',
    'other/fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'other' });
export const g = inngest.createFunction({ id: 'g', triggers: [{ event: 'anything/goes' }] }, async () => {});`,
    // a monorepo app naming, as a string, an event its shared events package declares
    'third/package.json': '{ "dependencies": { "inngest": "^4.0.0" } }',
    'third/events.ts': `import { eventType } from 'inngest';
export const shipped = eventType('app/user.signups');`,
    'third/fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'third' });
export const h = inngest.createFunction({ id: 'h', triggers: [{ event: 'app/user.signup' }] }, async () => {});`,
  });
  const diags = index.diagnostics(uri('pkg/fn.ts'));
  assert.deepEqual(rangesOf(diags, 'unknown-event'), fx['pkg/fn.ts']!.ranges);
  assert.match(diags.find((d) => d.message.includes('delted'))!.message, /Did you mean "app\/user\.deleted"\?/);
  assert.deepEqual(rangesOf(index.diagnostics(uri('other/fn.ts')), 'unknown-event'), []);
  assert.deepEqual(rangesOf(index.diagnostics(uri('third/fn.ts')), 'unknown-event'), [], 'declared by another package of the workspace');
});

void test('unknown-event: none without schemas, for internal events, wildcards, or unreadable schemas', () => {
  const { index } = workspace({
    'a.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'no-schemas' });
export const f = inngest.createFunction({ id: 'f' }, { event: 'whatever/happens' }, async ({ step }) => {
  await step.waitForEvent('w', { event: 'also/fine', timeout: '1h' });
});`,
    'b.ts': `import { Inngest, EventSchemas } from 'inngest';
type Events = { 'app/x': { data: {} } };
const inngest = new Inngest({ id: 'typed', schemas: new EventSchemas().fromRecord<Events>() });
export const f = inngest.createFunction({ id: 'f' }, [{ event: 'app/x' }, { event: 'app/*' }, { event: 'inngest/function.failed' }], async () => {});`,
    'c.ts': `import { Inngest, EventSchemas } from 'inngest';
import type { Generated } from '@acme/generated-events';
const inngest = new Inngest({ id: 'opaque', schemas: new EventSchemas().fromRecord<Generated>() });
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/not-in-view' }, async () => {});`,
    'd.ts': `import { Inngest, EventSchemas } from 'inngest';
type Events = Record<string, { data: any }>;
const inngest = new Inngest({ id: 'open', schemas: new EventSchemas().fromRecord<Events>() });
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/free' }, async () => {});`,
    'v4/package.json': '{ "dependencies": { "inngest": "^4.0.0" } }',
    'v4/events.ts': `import { eventType } from 'inngest';
export const signup = eventType('app/user.signup');`,
    'v4/fn.ts': `import { Inngest } from 'inngest';
import { signup } from './events';
const inngest = new Inngest({ id: 'v4' });
// v4 allows untyped events next to eventType declarations: other namespaces are not typos
export const f = inngest.createFunction({ id: 'f', triggers: [signup, { event: 'billing/invoice.paid' }] }, async ({ step }) => {
  await step.waitForEvent('w', { event: 'crm/contact.synced', timeout: '1h' });
  await inngest.send({ name: 'audit/logged', data: {} });
});`,
  });
  for (const f of ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'v4/fn.ts']) assert.deepEqual(rangesOf(index.diagnostics(uri(f)), 'unknown-event'), [], f);
});

void test('invalid-event-payload: missing required fields and wrong primitive types (v3 and v4)', () => {
  const { index, fx } = workspace({
    'events.ts': EVENTS_V3,
    'client.ts': CLIENT_V3,
    'v4events.ts': `import { eventType } from 'inngest';
import { z } from 'zod';
export const paid = eventType('app/invoice.paid', { schema: z.object({ invoiceId: z.string(), cents: z.number().int(), late: z.boolean().optional() }) });`,
    'fn.ts': `import { inngest } from './client';
import { paid } from './v4events';
export const a = inngest.createFunction({ id: 'a' }, { event: 'app/user.signup' }, async ({ step }) => {
  await step.sendEvent('s', «{ name: 'app/user.signup' }»);
  await step.sendEvent('t', { name: 'app/order.placed', data: { orderId: «42», amount: 10, meta: { source: «false» } } });
  await inngest.send([{ name: 'app/order.placed', data: «{ orderId: 'o', meta: «{}» }» }]);
  await inngest.send(paid.create({ invoiceId: 'i', cents: «'100'», late: «'no'» }));
});`,
  });
  assert.deepEqual(rangesOf(index.diagnostics(uri('fn.ts')), 'invalid-event-payload'), fx['fn.ts']!.ranges);
});

void test('invalid-event-payload: none for complete payloads, spreads, variables and unknown schemas', () => {
  const { index } = workspace({
    'events.ts': EVENTS_V3,
    'client.ts': CLIENT_V3,
    'fn.ts': `import { inngest } from './client';
export const a = inngest.createFunction({ id: 'a' }, { event: 'app/user.signup' }, async ({ event, step }) => {
  await step.sendEvent('s', { name: 'app/user.signup', data: { userId: event.data.userId, email: \`x@\${1}\` } });
  await step.sendEvent('t', { name: 'app/order.placed', data: { ...event.data, orderId: 'o', amount: 1 } });
  const data = { orderId: 'o', amount: 2, meta: { source: 's' } };
  await inngest.send({ name: 'app/order.placed', data });
  await inngest.send({ name: 'app/order.placed', data: { orderId: 'o', amount: -1, note: undefined, meta: { source: 's' } } });
});
export const b = inngest.createFunction({ id: 'b' }, { event: 'app/order.placed' }, async () => {});`,
  });
  assert.deepEqual(rangesOf(index.diagnostics(uri('fn.ts')), 'invalid-event-payload'), []);
});

void test('event-without-listener: sends nobody listens to (hint), wildcard and wait listeners count', () => {
  const { index, fx } = workspace({
    'fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a' }, { event: 'billing/*' }, async ({ step }) => {
  await step.waitForEvent('w', { event: 'app/approved', timeout: '1h' });
  await step.sendEvent('s', [{ name: 'billing/charged', data: {} }, { name: «'app/audit.logged'», data: {} }]);
});
export const b = inngest.createFunction({ id: 'b', triggers: [{ event: 'app/start' }] }, async () => {});
export async function api() {
  await inngest.send({ name: 'app/approved', data: {} });
  await inngest.send({ name: 'app/start', data: {} });
  await inngest.send({ name: 'inngest/scheduled.timer', data: {} });
  await inngest.send({ name: «'app/orphan'», data: {} });
}`,
    'other.ts': `declare const res: { send(x: unknown): void };
res.send({ name: 'not/an-event', data: {} });`,
  });
  const diags = index.diagnostics(uri('fn.ts'));
  assert.deepEqual(rangesOf(diags, 'event-without-listener'), fx['fn.ts']!.ranges);
  assert.ok(diags.filter((d) => d.code === 'event-without-listener').every((d) => d.severity === 'hint'));
  assert.deepEqual(index.diagnostics(uri('other.ts')), []);
});

void test('duplicate-function-id: same id twice in one app across files; none across apps', () => {
  const { index, fx } = workspace({
    'client.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'shop' });
export const other = new Inngest({ id: 'admin' });`,
    'a.ts': `import { inngest, other } from './client';
export const a = inngest.createFunction({ id: «'send-email'» }, { event: 'a/x' }, async () => {});
export const b = other.createFunction({ id: 'send-email' }, { event: 'a/x' }, async () => {});`,
    'b.ts': `import { inngest } from './client';
export const c = inngest.createFunction({ id: «'send-email'», triggers: [{ event: 'a/y' }] }, async () => {});
export const d = inngest.createFunction({ id: 'unique' }, { event: 'a/y' }, async () => {});`,
  });
  const da = index.diagnostics(uri('a.ts'));
  assert.deepEqual(rangesOf(da, 'duplicate-function-id'), fx['a.ts']!.ranges);
  assert.deepEqual(rangesOf(index.diagnostics(uri('b.ts')), 'duplicate-function-id'), fx['b.ts']!.ranges);
  const d = da.find((x) => x.code === 'duplicate-function-id')!;
  assert.match(d.message, /Duplicate function ID "send-email" in app "shop"/);
  assert.equal(d.relatedInformation![0]!.location.uri, uri('b.ts'));
});

void test('unknown-event quick fix on a one-line fromRecord type adds a separator; empty data stays open', () => {
  const { index } = workspace({
    'fn.ts': `import { Inngest, EventSchemas } from 'inngest';
const inngest = new Inngest({ id: 'app', schemas: new EventSchemas().fromRecord<{ 'app/a': { data: {} } }>() });
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/a', if: 'event.data.anything == 1' }, async () => {});
export const g = inngest.createFunction({ id: 'g' }, { event: 'app/b' }, async () => {});`,
  });
  const diags = index.diagnostics(uri('fn.ts'));
  assert.deepEqual(diags.map((d) => d.code), ['unknown-event']);
  const add = diags[0]!.data!.fixes.find((f) => f.kind === 'add-event-to-schema')!;
  const line = `const inngest = new Inngest({ id: 'app', schemas: new EventSchemas().fromRecord<{ 'app/a': { data: {} } }>() });`;
  const at = add.edits[0]!.range.start;
  assert.equal(at.line, 1);
  const patched = line.slice(0, at.character) + add.edits[0]!.newText + line.slice(at.character);
  assert.equal(patched, `const inngest = new Inngest({ id: 'app', schemas: new EventSchemas().fromRecord<{ 'app/a': { data: {} } ; "app/b": { data: Record<string, unknown> }; }>() });`);
});

void test('duplicate-function-id: v4 style in one file; none across packages, unresolved clients, or distinct ids', () => {
  const { index, fx } = workspace({
    'a/package.json': '{ "name": "a" }',
    'a/fns.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'same-app-id' });
export const x = inngest.createFunction({ id: «'sync'», triggers: [{ event: 'a/x' }] }, async () => {});
export const y = inngest.createFunction({ id: «'sync'», triggers: [{ cron: '0 * * * *' }] }, async () => {});
export const z = inngest.createFunction({ id: 'other', triggers: [{ event: 'a/z' }] }, async () => {});`,
    'b/package.json': '{ "name": "b" }',
    'b/fns.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'same-app-id' });
export const x = inngest.createFunction({ id: 'sync', triggers: [{ event: 'b/x' }] }, async () => {});`,
    'c/package.json': '{ "name": "c" }',
    'c/fns.ts': `import { makeClient } from './factory';
const inngest = makeClient();
export const x = inngest.createFunction({ id: 'dup' }, { event: 'c/x' }, async () => {});
export const y = inngest.createFunction({ id: 'dup' }, { event: 'c/y' }, async () => {});`,
  });
  assert.deepEqual(rangesOf(index.diagnostics(uri('a/fns.ts')), 'duplicate-function-id'), fx['a/fns.ts']!.ranges);
  assert.deepEqual(rangesOf(index.diagnostics(uri('b/fns.ts')), 'duplicate-function-id'), []);
  assert.deepEqual(rangesOf(index.diagnostics(uri('c/fns.ts')), 'duplicate-function-id'), []);
});

void test('event-without-listener: v4 eventType sends; eventType triggers count as listeners; no hint without functions', () => {
  const { index, fx } = workspace({
    'app/events.ts': `import { eventType } from 'inngest';
export const placed = eventType('shop/order.placed');
export const audited = eventType('shop/order.audited');`,
    'app/fn.ts': `import { Inngest } from 'inngest';
import { placed, audited } from './events';
const inngest = new Inngest({ id: 'shop' });
export const f = inngest.createFunction({ id: 'f', triggers: [placed] }, async ({ step }) => {
  await step.sendEvent('audit', «audited».create({}));
});
export async function checkout() {
  await inngest.send(placed.create({}));
}`,
  });
  const diags = index.diagnostics(uri('app/fn.ts'));
  assert.deepEqual(rangesOf(diags, 'event-without-listener'), fx['app/fn.ts']!.ranges);
  const alone = workspace({
    'sender.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'sender-only' });
export const go = () => inngest.send({ name: 'elsewhere/handled', data: {} });`,
  });
  assert.deepEqual(alone.index.diagnostics(uri('sender.ts')), []);
});

void test('unknown-event: fromZod with an array of event schemas held in a variable in another file', () => {
  const { index, fx } = workspace({
    'schemas.ts': `import { z } from 'zod';
export const events = [
  z.object({ name: z.literal('app/a'), data: z.object({ id: z.string() }) }),
  z.object({ name: z.literal('app/b'), data: z.object({}) }),
];`,
    'fn.ts': `import { Inngest, EventSchemas } from 'inngest';
import { events } from './schemas';
const inngest = new Inngest({ id: 'z', schemas: new EventSchemas().fromZod(events) });
export const f = inngest.createFunction({ id: 'f' }, [{ event: 'app/a', if: 'event.data.«ID» == "x"' }, { event: 'app/b' }], async () => {});
export const g = inngest.createFunction({ id: 'g' }, { event: «'app/c'» }, async () => {});`,
  });
  const diags = index.diagnostics(uri('fn.ts'));
  const [field, unknown] = fx['fn.ts']!.ranges;
  assert.deepEqual(rangesOf(diags, 'unknown-event-field'), [field]);
  assert.deepEqual(rangesOf(diags, 'unknown-event'), [unknown]);
});

void test('unknown-event (v4): numbered siblings are not typos of each other', () => {
  const { index } = workspace({
    'fn.ts': `import { Inngest, eventType } from 'inngest';
const one = eventType('event-1');
const inngest = new Inngest({ id: 'app' });
export const f = inngest.createFunction({ id: 'f', triggers: [one, { event: 'event-2' }] }, async () => {});`,
  });
  assert.deepEqual(rangesOf(index.diagnostics(uri('fn.ts')), 'unknown-event'), []);
});

void test('event-without-listener: a waitForEvent in a workflow helper outside any handler counts as a listener', () => {
  const { index } = workspace({
    'actions.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'cms' });
export const publish = inngest.createFunction({ id: 'publish' }, { event: 'post.publish' }, async () => {});
export async function approve(id: string) { await inngest.send({ name: 'post.approved', data: { id } }); }`,
    'handlers.ts': `export const actions = [{
  kind: 'approval',
  handler: async ({ step }: { step: any }) => {
    await step.waitForEvent('wait-approval', { event: 'post.approved', timeout: '1d', match: 'data.id' });
  },
}];`,
  });
  assert.deepEqual(rangesOf(index.diagnostics(uri('actions.ts')), 'event-without-listener'), []);
});
