// Triggers and event names written by name (real-world audit P10): members of string enums (same
// file or imported, `const enum` too), trigger lists held in constants passed as the trigger argument,
// spread into it, or as v4 `triggers:`, single trigger objects in constants; enum members as the event
// of waitForEvent, cancelOn and step.sendEvent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FunctionEntry, TriggerEntry } from '../../../language-server/protocol';
import { uri, workspace } from './fixture';

const CLIENT = `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'app' });`;

function triggerText(t: TriggerEntry): string {
  if (t.kind === 'event') return t.expression ? `${t.event} if ${t.expression}` : t.event;
  return t.kind === 'cron' ? `cron ${t.cron}` : 'invoke';
}

function triggersById(fns: FunctionEntry[]): Record<string, string[]> {
  return Object.fromEntries(fns.map((f) => [f.id, f.triggers.map(triggerText)]));
}

const ENUMS = `export enum Events {
  Done = 'app/sync.done',
  Started = "app/sync.started",
  Count = 3,
}
export const enum Billing { Paid = 'billing/paid' }`;

void test('P10: enum members as triggers and as waitForEvent / cancelOn / sendEvent / send names (v3)', () => {
  const { index, fx } = workspace({
    'client.ts': CLIENT,
    'ids.ts': ENUMS,
    'fn.ts': `import { inngest } from './client';
import { Events, Billing } from './ids';
enum Local { Tick = 'app/tick' }
export const g = inngest.createFunction(
  { id: 'g', cancelOn: [{ event: Events.Started, match: 'data.id' }] },
  { event: «Events.Done» },
  async ({ step }) => {
    await step.waitForEvent('wait', { event: Events.Started, timeout: '1h' });
    await step.sendEvent('emit', { name: Billing.Paid, data: {} });
  },
);
export const h = inngest.createFunction({ id: 'h' }, [{ event: Local.Tick }, { event: Billing.Paid }], async () => 1);
export async function kick() { await inngest.send({ name: Events.Done, data: {} }); }`,
  });
  const t = triggersById(index.functions());
  assert.deepEqual(t, { g: ['app/sync.done'], h: ['app/tick', 'billing/paid'] });
  const g = index.functions().find((f) => f.id === 'g')!;
  assert.deepEqual(g.triggers[0]!.range, fx['fn.ts']!.ranges[0]);
  assert.deepEqual(index.event('app/sync.done')?.listeners, ['app-g']);
  assert.deepEqual(index.event('billing/paid')?.listeners, ['app-h']);
  assert.equal(index.event('billing/paid')?.senders.length, 1);
  assert.equal(index.event('app/sync.done')?.senders.length, 1);
  // waited for and cancelled on: a known event
  assert.ok(index.event('app/sync.started'));
  // no event-without-listener: every name resolves to a listened event
  assert.deepEqual(index.diagnostics(uri('fn.ts')), []);
  // hover / definition source: the enum member names its event
  assert.equal(index.eventNameAt(uri('fn.ts'), fx['fn.ts']!.ranges[0]!.start)?.name, 'app/sync.done');
});

void test('P10: enum members against a v3 EventSchemas catalogue give no unknown-event (negative)', () => {
  const { index } = workspace({
    'client.ts': `import { EventSchemas, Inngest } from 'inngest';
type Ev = { 'app/sync.done': { data: { id: string } }; 'app/sync.started': { data: { id: string } } };
export const inngest = new Inngest({ id: 'app', schemas: new EventSchemas().fromRecord<Ev>() });`,
    'ids.ts': ENUMS,
    'fn.ts': `import { inngest } from './client';
import { Events } from './ids';
export const g = inngest.createFunction({ id: 'g' }, { event: Events.Done, if: 'event.data.id != ""' }, async ({ step }) => {
  await step.waitForEvent('wait', { event: Events.Started, timeout: '1h', if: 'async.data.id == event.data.id' });
});`,
  });
  assert.deepEqual(triggersById(index.functions()), { g: ['app/sync.done if event.data.id != ""'] });
  assert.deepEqual(index.diagnostics(uri('fn.ts')), []);
});

const TRIGGERS = `import { cron } from 'inngest';
import { Events } from './ids';
export const SHARED = [{ event: Events.Done }, { cron: '0 * * * *' }] as const;
export const WITH_IF = [{ event: 'app/if', if: 'event.data.ok == true' }] satisfies { event: string; if?: string }[];
export const V4_CRON = [cron('TZ=Europe/Paris 0 9 * * *')];
export const ONE = { event: Events.Started };`;

void test('P10: trigger lists in constants: direct, spread, imported, v3 and v4 style', () => {
  const { index } = workspace({
    'client.ts': CLIENT,
    'ids.ts': ENUMS,
    'triggers.ts': TRIGGERS,
    'v3.ts': `import { inngest } from './client';
import { SHARED, WITH_IF, ONE } from './triggers';
const TRIGGERS = [{ event: 'app/a' }, { event: 'app/b' }] as const;
const SINGLE = { event: 'app/single', if: 'event.data.n > 1' };
export const a = inngest.createFunction({ id: 'a' }, TRIGGERS, async () => 1);
export const b = inngest.createFunction({ id: 'b' }, [...TRIGGERS], async () => 1);
export const c = inngest.createFunction({ id: 'c' }, [...TRIGGERS, { event: 'app/c' }, ...SHARED], async () => 1);
export const d = inngest.createFunction({ id: 'd' }, WITH_IF, async () => 1);
export const e = inngest.createFunction({ id: 'e' }, SINGLE, async () => 1);
export const f = inngest.createFunction({ id: 'f' }, ONE, async () => 1);`,
    'v4.ts': `import { eventType } from 'inngest';
import { inngest } from './client';
import { SHARED, V4_CRON } from './triggers';
const TRIGGERS = [{ event: 'app/a' }, { event: 'app/b' }] as const;
export const signup = eventType('user/signup');
export const login = eventType('user/login');
const USER_EVENTS = [signup, login];
export const g = inngest.createFunction({ id: 'g', triggers: TRIGGERS }, async () => 1);
export const h = inngest.createFunction({ id: 'h', triggers: [...SHARED, ...V4_CRON] }, async () => 1);
export const i = inngest.createFunction({ id: 'i', triggers: USER_EVENTS }, async () => 1);
export const j = inngest.createFunction({ id: 'j', triggers: [...USER_EVENTS, { event: 'app/j' }] }, async () => 1);`,
    'send.ts': `import { inngest } from './client';
export async function go() { await inngest.send([{ name: 'app/a' }, { name: 'app/b' }, { name: 'app/c' }, { name: 'user/login' }]); }`,
  });
  assert.deepEqual(triggersById(index.functions()), {
    a: ['app/a', 'app/b'],
    b: ['app/a', 'app/b'],
    c: ['app/a', 'app/b', 'app/c', 'app/sync.done', 'cron 0 * * * *'],
    d: ['app/if if event.data.ok == true'],
    e: ['app/single if event.data.n > 1'],
    f: ['app/sync.started'],
    g: ['app/a', 'app/b'],
    h: ['app/sync.done', 'cron 0 * * * *', 'cron TZ=Europe/Paris 0 9 * * *'],
    i: ['user/signup', 'user/login'],
    j: ['user/signup', 'user/login', 'app/j'],
  });
  assert.deepEqual(index.event('app/a')?.listeners.sort(), ['app-a', 'app-b', 'app-c', 'app-g']);
  // the cron of a list held in a constant is described like a written one
  const h = index.functions().find((x) => x.id === 'h')!;
  assert.ok(h.triggers.some((t) => t.kind === 'cron' && t.cron === '0 * * * *' && !!t.description));
  // every sent event has a listener now: no event-without-listener hints
  assert.deepEqual(index.diagnostics(uri('send.ts')), []);
  assert.deepEqual(index.diagnostics(uri('v3.ts')), []);
  assert.deepEqual(index.diagnostics(uri('v4.ts')), []);
});

void test('P10: names that are not triggers stay unresolved (no invented triggers, no diagnostics)', () => {
  const { index } = workspace({
    'client.ts': CLIENT,
    'fn.ts': `import { inngest } from './client';
const NAMES = ['app/a', 'app/b'];
const OPTS = { retries: 3 };
enum Num { A = 1 }
export const a = inngest.createFunction({ id: 'a' }, NAMES, async () => 1);
export const b = inngest.createFunction({ id: 'b' }, OPTS, async () => 1);
export const c = inngest.createFunction({ id: 'c' }, { event: Num.A }, async () => 1);
export const d = inngest.createFunction({ id: 'd', triggers: UNKNOWN }, async () => 1);`,
  });
  assert.deepEqual(triggersById(index.functions()), { a: [], b: [], c: [], d: [] });
  assert.deepEqual(index.diagnostics(uri('fn.ts')), []);
});

void test('P10: an enum member or const-object member used as an event name points at its string (definition target)', () => {
  const { index, fx } = workspace({
    'client.ts': CLIENT,
    'ids.ts': `export enum Events { Done = «'app/done'» }
export const EV = { started: «'app/started'» } as const;`,
    'fn.ts': `import { inngest } from './client';
import { Events, EV } from './ids';
export const g = inngest.createFunction({ id: 'g' }, [{ event: Events.Done }, { event: EV.started }], async () => 1);
export async function kick() {
  await inngest.send({ name: «Events.Done» });
  await inngest.send({ name: «EV.started» });
}`,
  });
  const [done, started] = fx['ids.ts']!.ranges;
  const [sendDone, sendStarted] = fx['fn.ts']!.ranges;
  const a = index.eventNameAt(uri('fn.ts'), sendDone!.start);
  assert.equal(a?.name, 'app/done');
  assert.deepEqual(a?.constLoc, { uri: uri('ids.ts'), range: done });
  const b = index.eventNameAt(uri('fn.ts'), sendStarted!.start);
  assert.equal(b?.name, 'app/started');
  assert.deepEqual(b?.constLoc, { uri: uri('ids.ts'), range: started });
});

void test('P10: members of nested const objects (also through a namespace import) and eventType groups with .name', () => {
  const { index } = workspace({
    'client.ts': CLIENT,
    'events.ts': `import { eventType } from 'inngest';
export const EVENTS = { user: { created: 'user/created', deleted: 'user/deleted' }, billing: { invoice: { paid: 'billing/invoice.paid' } } } as const;
export const groups = { signup: eventType('user/signup') };`,
    'fn.ts': `import { inngest } from './client';
import { EVENTS, groups } from './events';
import * as ev from './events';
export const a = inngest.createFunction({ id: 'a' }, { event: EVENTS.user.created }, async ({ step }) => {
  await step.waitForEvent('w', { event: ev.EVENTS.user.deleted, timeout: '1h' });
});
export const b = inngest.createFunction({ id: 'b', triggers: [{ event: ev.EVENTS.billing.invoice.paid }, { event: groups.signup.name }] }, async () => 1);
export async function go() { await inngest.send({ name: EVENTS.user.deleted }); }`,
  });
  assert.deepEqual(triggersById(index.functions()), { a: ['user/created'], b: ['billing/invoice.paid', 'user/signup'] });
  // the nested member is waited for: sending it has a listener
  assert.deepEqual(index.diagnostics(uri('fn.ts')), []);
  assert.ok(index.event('user/deleted'));
});

void test('P10: names, ids and crons in static class fields; eventType named by a constant, inline in a trigger', () => {
  const { index } = workspace({
    'client.ts': CLIENT,
    'events.ts': `export class AccountSignedUpEvent {
  static readonly _NAME = 'account/signed.up';
  constructor(readonly payload: unknown) {}
}
export class BackupJob {
  static readonly KEY = 'storage/backup-database';
  static readonly CRON_EXPRESSION = '0 3 * * *';
}`,
    'fns.ts': `import { eventType } from 'inngest';
import { z } from 'zod';
import { inngest } from './client';
import { AccountSignedUpEvent, BackupJob } from './events';
export const accountSignedUp = eventType(AccountSignedUpEvent._NAME, { schema: z.object({ accountId: z.string() }) });
export const a = inngest.createFunction({ id: 'unlock', triggers: { event: eventType(AccountSignedUpEvent._NAME, { schema: z.object({ id: z.string() }) }) } }, async () => 1);
export const b = inngest.createFunction({ id: BackupJob.KEY }, { cron: BackupJob.CRON_EXPRESSION }, async () => 1);
export const c = inngest.createFunction({ id: 'welcome', triggers: [accountSignedUp] }, async () => 1);
export const d = inngest.createFunction({ id: 'first', triggers: [{ event: AccountSignedUpEvent._NAME }] }, async () => 1);`,
  });
  assert.deepEqual(triggersById(index.functions()), {
    unlock: ['account/signed.up'],
    'storage/backup-database': ['cron 0 3 * * *'],
    welcome: ['account/signed.up'],
    first: ['account/signed.up'],
  });
  assert.deepEqual(index.event('account/signed.up')?.listeners.sort(), ['app-first', 'app-unlock', 'app-welcome']);
  assert.ok(index.event('account/signed.up')?.dataSchema);
  assert.deepEqual(index.diagnostics(uri('fns.ts')), []);
});
