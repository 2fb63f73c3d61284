// functions(), events(), file(), literalAt(), eventReferences(), stepLocation(), invokeTargetAt():
// slugs, triggers, steps with ranges, event schemas as JSON Schema with examples, v3 and v4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uri, workspace } from './fixture';

void test('v3: functions with slugs, triggers, steps and ranges; client imported through a re-export', () => {
  const { index, fx } = workspace({
    'src/inngest/client.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'my-app' });`,
    'src/inngest/index.ts': `export * from './client';`,
    'src/functions.ts': `import { inngest } from './inngest';
export const hello = «inngest.createFunction(
  { id: «'hello-world'», name: 'Hello', onFailure: async ({ step }) => { await step.run('cleanup', () => 1); } },
  [«{ event: 'app/hello' }», «{ cron: 'TZ=UTC 0 9 * * *' }»],
  async ({ event, step: s }) => {
    await «s.run(«'first'», () => event.data)»;
    await «s.sleep(«'nap'», '1m')»;
    return «s.ai.infer(«'ask'», { model: {} as never, body: {} })»;
  },
)»;`,
  });
  const [fn] = index.functions();
  assert.ok(fn);
  const r = fx['src/functions.ts']!.ranges;
  assert.equal(fn.id, 'hello-world');
  assert.equal(fn.appId, 'my-app');
  assert.equal(fn.slug, 'my-app-hello-world');
  assert.equal(fn.name, 'Hello');
  assert.equal(fn.sdkMajor, 3);
  assert.equal(fn.uri, uri('src/functions.ts'));
  assert.equal(fn.hasOnFailure, true);
  assert.deepEqual(fn.range, r[0]);
  assert.deepEqual(fn.idRange, r[1]);
  assert.deepEqual(fn.triggers.map((t) => t.kind), ['event', 'cron']);
  const [ev, cr] = fn.triggers;
  assert.ok(ev?.kind === 'event' && ev.event === 'app/hello');
  assert.ok(cr?.kind === 'cron' && cr.cron === 'TZ=UTC 0 9 * * *' && /09:00/.test(cr.description ?? ''));
  assert.deepEqual(
    fn.steps.map((s) => [s.id, s.tool]),
    [['first', 'run'], ['nap', 'sleep'], ['ask', 'ai.infer']],
  );
  assert.deepEqual(fn.steps.map((s) => s.range), [r[4], r[6], r[8]]);
  assert.deepEqual(fn.steps.map((s) => s.idRange), [r[5], r[7], r[9]]);
  assert.deepEqual(index.stepLocation('my-app-hello-world', 'nap'), { uri: uri('src/functions.ts'), range: r[7] });
  assert.deepEqual(index.stepLocation('my-app-hello-world', 'first:1'), { uri: uri('src/functions.ts'), range: r[5] });
  assert.equal(index.stepLocation('my-app-hello-world-failure', 'cleanup')?.range.start.line, 2);
  assert.equal(index.stepLocation('my-app-hello-world', 'missing'), null);
  assert.equal(index.findFunction('hello-world')?.slug, 'my-app-hello-world');
});

void test('v4: triggers from eventType in another file, cron(), invoke(); invoke target resolution', () => {
  const { index, fx } = workspace({
    'events.ts': `import { eventType } from 'inngest-v4';
import { z } from 'zod';
export const signup = eventType(«'app/user.signup'», { schema: z.object({ userId: z.string(), email: z.string().email() }) });`,
    'fns.ts': `import { Inngest, cron, invoke } from 'inngest-v4';
import { z } from 'zod';
import * as events from './events';
const inngest = new Inngest({ id: 'v4' });
export const child = inngest.createFunction({ id: 'child', triggers: [invoke(z.object({ n: z.number() }))] }, async ({ event }) => event.data.n);
export const parent = inngest.createFunction({ id: 'parent', triggers: [«events.signup», cron('0 * * * *')] }, async ({ step }) => {
  return step.invoke('call', { function: «child», data: { n: 1 } });
});`,
  });
  const fns = index.functions();
  assert.deepEqual(fns.map((f) => f.slug), ['v4-child', 'v4-parent']);
  assert.deepEqual(fns.map((f) => f.sdkMajor), [4, 4]);
  assert.deepEqual(fns[0]!.triggers.map((t) => t.kind), ['invoke']);
  const p = fns[1]!;
  const r = fx['fns.ts']!.ranges;
  assert.deepEqual(p.triggers[0], { kind: 'event', event: 'app/user.signup', expression: undefined, range: r[0] });
  assert.equal(p.triggers[1]!.kind, 'cron');
  assert.equal(index.invokeTargetAt(uri('fns.ts'), r[1]!.start)?.slug, 'v4-child');
  const ev = index.event('app/user.signup')!;
  assert.deepEqual(ev.declaration, { uri: uri('events.ts'), range: fx['events.ts']!.ranges[0] });
  assert.deepEqual(ev.listeners, ['v4-parent']);
  assert.deepEqual(ev.dataSchema, {
    type: 'object',
    properties: { userId: { type: 'string' }, email: { type: 'string', format: 'email' } },
    required: ['userId', 'email'],
    additionalProperties: false,
  });
  assert.deepEqual(ev.example, { userId: 'user_12345', email: 'jane.doe@example.com' });
  assert.deepEqual(index.eventReferences('app/user.signup').map((l) => l.uri).sort(), [uri('events.ts'), uri('fns.ts')]);
});

void test('v3 schemas: fromRecord with interfaces, optional fields, arrays, unions, nested objects across files', () => {
  const { index } = workspace({
    'types/user.ts': `export interface Address { city: string; zip?: string }
export interface User { id: string; email: string; tags: string[]; address: Address; role: 'admin' | 'member'; age?: number; createdAt: Date }`,
    'types/index.ts': `export type { User } from './user';`,
    'client.ts': `import { Inngest, EventSchemas } from 'inngest';
import type { User } from './types';
type Events = { 'app/user.created': { data: { user: User; url: string; count: number; active: boolean; note: string | null } } };
export const inngest = new Inngest({ id: 'x', schemas: new EventSchemas().fromRecord<Events>() });`,
  });
  const ev = index.event('app/user.created')!;
  const schema = ev.dataSchema as { properties: Record<string, any>; required: string[] };
  assert.deepEqual(schema.required, ['user', 'url', 'count', 'active', 'note']);
  const user = schema.properties.user;
  assert.deepEqual(user.required, ['id', 'email', 'tags', 'address', 'role', 'createdAt']);
  assert.deepEqual(user.properties.tags, { type: 'array', items: { type: 'string' } });
  assert.deepEqual(user.properties.role, { enum: ['admin', 'member'] });
  assert.deepEqual(user.properties.address.required, ['city']);
  assert.deepEqual(user.properties.createdAt, { type: 'string', format: 'date-time' });
  assert.deepEqual(schema.properties.note, { anyOf: [{ type: 'string' }, { type: 'null' }] });
  const ex = ev.example as any;
  assert.equal(ex.user.email, 'jane.doe@example.com');
  assert.equal(ex.user.id, 'item_12345');
  assert.equal(ex.url, 'https://example.com');
  assert.equal(ex.user.role, 'admin');
  assert.equal(typeof ex.count, 'number');
  assert.equal(ex.active, true);
  assert.deepEqual(ex.user.tags.length, 1);
});

void test('file(): located literals with roles, expressions linked to their events, step calls', () => {
  const { index, fx } = workspace({
    'fn.ts': `import { Inngest, EventSchemas } from 'inngest';
type Events = { 'a/start': { data: { id: string } }; 'a/done': { data: { id: string } } };
const inngest = new Inngest({ id: 'app', schemas: new EventSchemas().fromRecord<Events>() });
export const f = inngest.createFunction({ id: 'f', cancelOn: [{ event: «'a/done'», if: «'async.data.id == event.data.id'» }], throttle: { limit: 1, period: «'1m'» } }, { event: «'a/start'», if: «'event.data.id != ""'» }, async ({ event, step }) => {
  const id = «event.data.id»;
  await step.waitForEvent('w', { event: «'a/done'», timeout: «'1h'», match: «'data.id'» });
  await step.sendEvent('s', { name: «'a/done'», data: { id } });
  await inngest.send({ name: «'a/start'», data: { id } });
});`,
  });
  const m = index.file(uri('fn.ts'))!;
  const r = fx['fn.ts']!.ranges;
  const lits = m.literals.slice().sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const describe = lits.map((l) => [l.kind, l.kind === 'event-name' ? l.role : l.kind === 'expression' ? l.role : l.kind === 'duration' ? l.role : '']);
  assert.deepEqual(describe, [
    ['event-name', 'schema-declaration'],
    ['event-name', 'schema-declaration'],
    ['event-name', 'cancelOn'],
    ['expression', 'cancelOn-if'],
    ['duration', 'throttle-period'],
    ['event-name', 'trigger'],
    ['expression', 'trigger-if'],
    ['event-name', 'waitForEvent'],
    ['duration', 'waitForEvent-timeout'],
    ['expression', 'waitForEvent-match'],
    ['event-name', 'sendEvent'],
    ['event-name', 'send'],
  ]);
  const nonDecl = lits.filter((l) => !(l.kind === 'event-name' && l.role === 'schema-declaration'));
  assert.deepEqual(nonDecl.map((l) => l.range), r.filter((_, i) => i !== 5));
  const cancelIf = lits.find((l) => l.kind === 'expression' && l.role === 'cancelOn-if');
  assert.ok(cancelIf?.kind === 'expression');
  assert.deepEqual(cancelIf.eventNames, ['a/start']);
  assert.equal(cancelIf.asyncEventName, 'a/done');
  assert.deepEqual(m.eventDataAccesses.map((a) => [a.path, a.range]), [[['id'], r[5]]]);
  assert.equal(m.steps.length, 2);
  const atWait = index.literalAt(uri('fn.ts'), { line: r[6]!.start.line, character: r[6]!.start.character + 2 });
  assert.ok(atWait?.kind === 'event-name' && atWait.role === 'waitForEvent' && atWait.name === 'a/done');
  assert.equal(index.literalAt(uri('fn.ts'), { line: 0, character: 0 }), undefined);
  const ev = index.event('a/done')!;
  assert.deepEqual(ev.senders.map((s) => s.range), [r[9]]);
  assert.equal(m.functions[0]!.clientKey, `${uri('fn.ts')}#inngest`);
  assert.equal(m.clients[0]!.id, 'app');
});

void test('events(): names from schemas, triggers and sends; listeners include wildcard triggers', () => {
  const { index } = workspace({
    'fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const all = inngest.createFunction({ id: 'all' }, { event: 'shop/*' }, async () => {});
export const one = inngest.createFunction({ id: 'one' }, { event: 'shop/order.paid' }, async () => {});
export async function go() { await inngest.send({ name: 'shop/order.paid', data: { id: 1 } }); await inngest.send({ name: 'shop/refund', data: {} }); }`,
  });
  const events = index.events();
  assert.deepEqual(events.map((e) => e.name), ['shop/order.paid', 'shop/refund']);
  assert.deepEqual(events[0]!.listeners, ['app-one', 'app-all']);
  assert.deepEqual(events[1]!.listeners, ['app-all']);
  assert.equal(events[0]!.dataSchema, null);
  assert.equal(events[0]!.senders.length, 1);
});

void test('module resolution: path aliases, workspace packages by name, .js specifiers', () => {
  const { index } = workspace({
    'apps/web/package.json': '{ "name": "web", "dependencies": { "inngest": "^3.40.0", "@acme/events": "*" } }',
    'apps/web/src/lib/inngest.ts': `import { Inngest, EventSchemas } from 'inngest';
import type { Events } from '@acme/events';
export const inngest = new Inngest({ id: 'web', schemas: new EventSchemas().fromRecord<Events>() });`,
    'apps/web/src/app/api/fn.ts': `import { inngest } from '@/lib/inngest';
export const f = inngest.createFunction({ id: 'f' }, { event: 'acme/thing.happend' }, async () => {});`,
    'apps/web/src/other.ts': `import { inngest } from '~/lib/inngest.js';
export const g = inngest.createFunction({ id: 'g' }, { event: 'acme/thing.happened' }, async () => {});`,
    'packages/events/package.json': '{ "name": "@acme/events" }',
    'packages/events/src/index.ts': `export type { Events } from './events.js';`,
    'packages/events/src/events.ts': `export type Events = { 'acme/thing.happened': { data: { id: string } } };`,
  });
  assert.deepEqual(index.functions().map((f) => f.slug).sort(), ['web-f', 'web-g']);
  const d = index.diagnostics(uri('apps/web/src/app/api/fn.ts'));
  assert.deepEqual(d.map((x) => x.code), ['unknown-event']);
  assert.match(d[0]!.message, /Did you mean "acme\/thing\.happened"/);
  assert.deepEqual(index.diagnostics(uri('apps/web/src/other.ts')), []);
});

void test('step.invoke with referenceFunction: the function id is an invoke-target literal that resolves', () => {
  const { index, fx } = workspace({
    'fn.ts': `import { Inngest, referenceFunction } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const target = inngest.createFunction({ id: 'target' }, { event: 'a/t' }, async () => 1);
export const caller = inngest.createFunction({ id: 'caller' }, { event: 'a/c' }, async ({ step }) => {
  await step.invoke('call', { function: referenceFunction({ functionId: «'app-target'» }), data: {} });
});`,
  });
  const r = fx['fn.ts']!.ranges[0]!;
  const lit = index.literalAt(uri('fn.ts'), { line: r.start.line, character: r.start.character + 3 });
  assert.ok(lit?.kind === 'event-name' && lit.role === 'invoke-target' && lit.name === 'app-target');
  assert.equal(index.invokeTargetAt(uri('fn.ts'), { line: r.start.line, character: r.start.character + 3 })?.id, 'target');
  assert.deepEqual(index.diagnostics(uri('fn.ts')), []);
});

void test('event names kept in constants (plain or in an object) count as triggers and listeners', () => {
  const { index } = workspace({
    'names.ts': `export const USER_SIGNUP = 'app/user.signup';
export const Events = { ORDER_PAID: 'shop/order.paid' } as const;`,
    'fn.ts': `import { Inngest } from 'inngest';
import { USER_SIGNUP, Events } from './names';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a' }, [{ event: USER_SIGNUP }, { event: Events.ORDER_PAID }], async () => {});
export async function go() { await inngest.send({ name: USER_SIGNUP, data: {} }); }`,
  });
  const [fn] = index.functions();
  assert.deepEqual(fn!.triggers.map((t) => (t.kind === 'event' ? t.event : t.kind)), ['app/user.signup', 'shop/order.paid']);
  assert.deepEqual(index.event('app/user.signup')!.listeners, ['app-a']);
  assert.equal(index.event('app/user.signup')!.senders.length, 1);
  assert.deepEqual(index.diagnostics(uri('fn.ts')), []);
});

void test('v4 eventTypes grouped in an object are declarations and resolve as triggers', () => {
  const { index } = workspace({
    'events.ts': `import { eventType, staticSchema } from 'inngest';
export const events = {
  signup: eventType('app/user.signup', { schema: staticSchema<{ userId: string }>() }),
  deleted: eventType('app/user.deleted'),
};`,
    'fn.ts': `import { Inngest } from 'inngest';
import { events } from './events';
const inngest = new Inngest({ id: 'app' });
export const f = inngest.createFunction({ id: 'f', triggers: [events.signup], cancelOn: [{ event: events.deleted, match: 'data.userId' }] }, async ({ step }) => {
  await step.sendEvent('s', events.signup.create({ userId: 'u' }));
  await inngest.send({ name: 'app/user.sigup', data: {} });
});`,
  });
  assert.deepEqual(index.functions()[0]!.triggers.map((t) => (t.kind === 'event' ? t.event : t.kind)), ['app/user.signup']);
  assert.ok(index.event('app/user.signup')!.dataSchema);
  assert.deepEqual(index.diagnostics(uri('fn.ts')).map((d) => d.code), ['unknown-event']);
});

void test('CommonJS: require, module.exports and exports.x between files (plain JS apps)', () => {
  const { index } = workspace({
    'src/client.js': `const { Inngest, EventSchemas } = require('inngest');
const inngest = new Inngest({ id: 'cjs-app' });
module.exports = { inngest };`,
    'src/other-client.js': `const { Inngest } = require('inngest');
module.exports = new Inngest({ id: 'default-export-app' });`,
    'src/functions.js': `const { inngest } = require('./client');
const other = require('./other-client');
exports.hello = inngest.createFunction({ id: 'hello' }, { event: 'app/hello' }, async ({ step }) => {
  await step.sleep('nap', '1 fortnight');
  return step.invoke('call', { function: exports.bye ?? bye, data: {} });
});
const bye = other.createFunction({ id: 'bye' }, { event: 'app/bye' }, async () => 'bye');
module.exports.bye = bye;`,
  });
  assert.deepEqual(index.functions().map((f) => f.slug).sort(), ['cjs-app-hello', 'default-export-app-bye']);
  assert.deepEqual(index.diagnostics(uri('src/functions.js')).map((d) => d.code), ['invalid-duration']);
});

void test('events(): events a function waits for or is cancelled by are listed too', () => {
  const { index } = workspace({
    'fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const f = inngest.createFunction({ id: 'f', cancelOn: [{ event: 'app/cancelled' }] }, { event: 'app/start' }, async ({ step }) => {
  await step.waitForEvent('w', { event: 'app/approved', timeout: '1h' });
});`,
  });
  assert.deepEqual(index.events().map((e) => e.name), ['app/approved', 'app/cancelled', 'app/start']);
  assert.deepEqual(index.event('app/approved')!.listeners, []);
});

void test('findFunction/stepLocation accept the executor slug when the client could not be resolved', () => {
  const { index } = workspace({
    'fn.ts': `import { makeClient } from './factory';
const inngest = makeClient();
export const f = inngest.createFunction({ id: 'charge' }, { event: 'a/b' }, async ({ step }) => {
  await step.run('card', () => 1);
});`,
  });
  assert.equal(index.findFunction('billing-app-charge')?.id, 'charge');
  assert.equal(index.stepLocation('billing-app-charge', 'card')?.range.start.line, 3);
});

void test('module resolution: tsconfig-style aliases (@modules/...) and baseUrl imports (src/...) by path suffix', () => {
  const { index } = workspace({
    'a/package.json': '{ "name": "a" }',
    'a/src/modules/common/inngest/client.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'app-a' });`,
    'a/src/modules/jobs/hello.ts': `import { inngest } from '@modules/common/inngest/client';
import { Logger } from '@nestjs/common';
export const hello = inngest.createFunction({ id: 'hello', triggers: [{ event: 'job/hello' }] }, async () => {});`,
    'a/src/other.ts': `import { inngest } from 'src/modules/common/inngest/client';
export const other = inngest.createFunction({ id: 'other', triggers: [{ event: 'job/other' }] }, async () => {});`,
    'b/package.json': '{ "name": "b" }',
    'b/src/modules/common/inngest/client.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'app-b' });`,
    'b/src/modules/jobs/hello.ts': `import { inngest } from '@modules/common/inngest/client';
export const hello = inngest.createFunction({ id: 'hello', triggers: [{ event: 'job/hello' }] }, async () => {});`,
  });
  assert.deepEqual(index.functions().map((f) => `${f.uri.slice('file:///ws/'.length, 'file:///ws/'.length + 1)}:${f.slug}`).sort(), ['a:app-a-hello', 'a:app-a-other', 'b:app-b-hello']);
});
