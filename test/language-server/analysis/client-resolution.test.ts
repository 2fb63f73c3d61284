// Clients the analysis resolves beyond `const inngest = new Inngest({ id: 'literal' })` (real-world
// audit P9): a client held in a class field (initialised there or in the constructor), the SDK
// imported from Deno / edge specifiers, a client made by a factory function (same file, another file,
// another workspace package), an id held in a constant. A function whose app id stays unknown is
// marked `appIdUnresolved` (its slug is then only the function id).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FunctionEntry } from '../../../language-server/protocol';
import { uri, workspace } from './fixture';

function byId(fns: FunctionEntry[]): Map<string, FunctionEntry> {
  return new Map(fns.map((f) => [f.id, f]));
}

function assertApp(f: FunctionEntry | undefined, appId: string): void {
  assert.ok(f, `function for app ${appId} not found`);
  assert.equal(f.appId, appId);
  assert.equal(f.slug, `${appId}-${f.id}`);
  assert.equal(f.appIdUnresolved, undefined);
}

void test('P9: a client in a class field (v3) and assigned in the constructor (v4), one client per class', () => {
  const { index } = workspace({
    'jobs.ts': `import { Inngest } from 'inngest';
export class Jobs {
  private inngest = new Inngest({ id: 'nest-app' });
  readonly sync = this.inngest.createFunction({ id: 'sync' }, { event: 'app/sync' }, async ({ step }) => {
    await step.run('load', () => 1);
  });
}
export class Other {
  private readonly inngest = new Inngest({ id: 'other-app' });
  readonly fn = this.inngest.createFunction({ id: 'other' }, { event: 'app/other' }, async () => 1);
}`,
    'worker.ts': `import { Inngest } from 'inngest';
export class Worker {
  private readonly client: Inngest;
  readonly fn;
  constructor() {
    this.client = new Inngest({ id: 'worker-app' });
    this.fn = this.client.createFunction({ id: 'work', triggers: [{ event: 'app/work' }] }, async ({ step }) => {
      await step.run('do', () => 1);
    });
  }
  async kick(): Promise<void> {
    await this.client.send({ name: 'app/work', data: {} });
  }
}`,
  });
  const fns = byId(index.functions());
  assertApp(fns.get('sync'), 'nest-app');
  assert.deepEqual(fns.get('sync')!.steps.map((s) => s.id), ['load']);
  assertApp(fns.get('other'), 'other-app');
  assertApp(fns.get('work'), 'worker-app');
  assert.equal(fns.get('work')!.sdkMajor, 4);
  // `this.client.send(...)` is a send of the client: the event knows its sender
  assert.equal(index.event('app/work')?.senders.length, 1);
  assert.deepEqual(index.event('app/work')?.listeners, ['worker-app-work']);
  assert.equal(index.findFunction('nest-app-sync')?.uri, uri('jobs.ts'));
  assert.deepEqual(index.diagnostics(uri('jobs.ts')), []);
  assert.deepEqual(index.diagnostics(uri('worker.ts')), []);
});

void test('P9: the SDK imported from Deno / edge specifiers (npm:, esm.sh URLs)', () => {
  const { index } = workspace({
    'deno/a.ts': `import { Inngest } from 'npm:inngest@3';
const inngest = new Inngest({ id: 'deno-app' });
export const f = inngest.createFunction({ id: 'deno-fn' }, { event: 'app/deno' }, async ({ step }) => { await step.run('s', () => 1); });`,
    'deno/b.ts': `import { Inngest } from "npm:inngest";
export const inngest = new Inngest({ id: 'deno-plain' });
export const f = inngest.createFunction({ id: 'plain-fn', triggers: [{ event: 'app/plain' }] }, async () => 1);`,
    'edge/c.ts': `import { Inngest } from 'https://esm.sh/inngest@3.54.2';
import { serve } from 'https://esm.sh/inngest@3.54.2/deno/fresh';
const inngest = new Inngest({ id: 'esm-app' });
export const f = inngest.createFunction({ id: 'esm-fn' }, { cron: '0 * * * *' }, async () => 1);
export const handler = serve({ client: inngest, functions: [f] });`,
    'edge/d.ts': `import * as I from 'https://esm.sh/inngest';
const inngest = new I.Inngest({ id: 'esm-ns' });
export const f = inngest.createFunction({ id: 'ns-fn' }, { event: 'app/ns' }, async () => 1);`,
    'edge/e.ts': `import { Inngest } from 'npm:inngest@^4.1.0/components/Inngest';
const inngest = new Inngest({ id: 'npm-sub' });
export const f = inngest.createFunction({ id: 'sub-fn', triggers: { event: 'app/sub' } }, async () => 1);`,
  });
  const fns = byId(index.functions());
  assertApp(fns.get('deno-fn'), 'deno-app');
  assert.deepEqual(fns.get('deno-fn')!.steps.map((s) => s.id), ['s']);
  assertApp(fns.get('plain-fn'), 'deno-plain');
  assertApp(fns.get('esm-fn'), 'esm-app');
  assertApp(fns.get('ns-fn'), 'esm-ns');
  assertApp(fns.get('sub-fn'), 'npm-sub');
});

void test('P9: lookalike specifiers are not the SDK', () => {
  const { index } = workspace({
    'x.ts': `import { Inngest } from 'npm:inngestish@1';
const inngest = new Inngest({ id: 'not-sdk' });
export const f = inngest.createFunction({ id: 'f1' }, { event: 'app/x' }, async () => 1);`,
    'y.ts': `import { Inngest } from 'https://esm.sh/not-inngest@1';
const inngest = new Inngest({ id: 'not-sdk-2' });
export const f = inngest.createFunction({ id: 'f2' }, { event: 'app/y' }, async () => 1);`,
  });
  const fns = byId(index.functions());
  for (const id of ['f1', 'f2']) {
    assert.equal(fns.get(id)?.appId, null, id);
    assert.equal(fns.get(id)?.appIdUnresolved, true, id);
  }
});

const FACTORIES = `import { Inngest } from 'inngest';
export function createInngestClient(appId: string) {
  return new Inngest({ id: appId });
}
export const createClient = (config: { id: string; eventKey?: string }) => {
  if (!config.eventKey) throw new Error('an event key is required');
  return new Inngest({ id: config.id, eventKey: config.eventKey });
};
export const makeClient = ({ name }: { name: string }) => new Inngest({ id: \`\${name}-svc\` });
export function fixedClient() {
  const client = new Inngest({ id: 'fixed' });
  return client;
}
export function fallbackClient(id?: string) {
  return new Inngest({ id: id ?? 'fallback-app' });
}
export function spreadClient(options: { id: string }) {
  return new Inngest({ ...options, logger: console });
}`;

void test('P9: clients made by factory functions, id from a literal, a const, an object argument, a default', () => {
  const { index } = workspace({
    'lib/client.ts': FACTORIES,
    'lib/names.ts': `export const SERVICE = 'billing';
export const CONFIG = { id: 'from-config', eventKey: 'k' } as const;`,
    'a.ts': `import { createInngestClient } from './lib/client';
const inngest = createInngestClient('order-service');
export const f = inngest.createFunction({ id: 'a' }, { event: 'app/a' }, async ({ step }) => { await step.run('x', () => 1); });
export async function notify() { await inngest.send({ name: 'app/a', data: {} }); }`,
    'b.ts': `import { createInngestClient, createClient } from './lib/client';
import { SERVICE, CONFIG } from './lib/names';
export const billing = createInngestClient(SERVICE);
export const fromConfig = createClient(CONFIG);
export const f = billing.createFunction({ id: 'b', triggers: [{ event: 'app/b' }] }, async () => 1);
export const g = fromConfig.createFunction({ id: 'g', triggers: [{ event: 'app/g' }] }, async () => 1);`,
    'c.ts': `import * as clients from './lib/client';
const inngest = clients.createClient({ id: 'cfg-app', eventKey: process.env.KEY });
export const f = inngest.createFunction({ id: 'c' }, { event: 'app/c' }, async () => 1);`,
    'd.ts': `import { makeClient, fixedClient, fallbackClient, spreadClient } from './lib/client';
const orders = makeClient({ name: 'orders' });
const fixed = fixedClient();
const dflt = fallbackClient();
const given = fallbackClient('given-app');
const spread = spreadClient({ id: 'spread-app' });
export const d1 = orders.createFunction({ id: 'd1' }, { event: 'app/d' }, async () => 1);
export const d2 = fixed.createFunction({ id: 'd2' }, { event: 'app/d' }, async () => 1);
export const d3 = dflt.createFunction({ id: 'd3' }, { event: 'app/d' }, async () => 1);
export const d4 = given.createFunction({ id: 'd4' }, { event: 'app/d' }, async () => 1);
export const d5 = spread.createFunction({ id: 'd5' }, { event: 'app/d' }, async () => 1);`,
    'local.ts': `import { Inngest } from 'inngest';
const make = (id: string) => new Inngest({ id });
const inngest = make('local-app');
export const f = inngest.createFunction({ id: 'local' }, { event: 'app/local' }, async () => 1);`,
  });
  const fns = byId(index.functions());
  assertApp(fns.get('a'), 'order-service');
  assert.deepEqual(fns.get('a')!.steps.map((s) => s.id), ['x']);
  assertApp(fns.get('b'), 'billing');
  assertApp(fns.get('g'), 'from-config');
  assertApp(fns.get('c'), 'cfg-app');
  assertApp(fns.get('d1'), 'orders-svc');
  assertApp(fns.get('d2'), 'fixed');
  assertApp(fns.get('d3'), 'fallback-app');
  assertApp(fns.get('d4'), 'given-app');
  assertApp(fns.get('d5'), 'spread-app');
  assertApp(fns.get('local'), 'local-app');
  // sends through a factory-made client are the client's sends
  assert.deepEqual(index.event('app/a')?.senders.map((s) => s.uri), [uri('a.ts')]);
  assert.equal(index.findFunction('order-service-a')?.uri, uri('a.ts'));
  for (const f of ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'local.ts']) assert.deepEqual(index.diagnostics(uri(f)), [], f);
});

void test('P9: a factory in another workspace package (monorepo), and duplicate ids per factory-made client', () => {
  const { index } = workspace({
    'packages/shared/package.json': JSON.stringify({ name: '@org/shared', dependencies: { inngest: '^4.0.0' } }),
    'packages/shared/src/index.ts': `export * from './client';`,
    'packages/shared/src/client.ts': `import { Inngest } from 'inngest';
export type InngestClientConfig = { eventKey?: string };
export function createInngestClient(appId: string, config: InngestClientConfig = {}) {
  return new Inngest({ id: appId, eventKey: config.eventKey });
}`,
    'apps/orders/package.json': JSON.stringify({ name: 'orders', dependencies: { '@org/shared': 'workspace:*', inngest: '^4.0.0' } }),
    'apps/orders/src/inngest.ts': `import { createInngestClient } from '@org/shared';
export const inngest = createInngestClient('order-service');`,
    'apps/orders/src/fn.ts': `import { inngest } from './inngest';
export const a = inngest.createFunction({ id: 'place', triggers: [{ event: 'order/placed' }] }, async () => 1);
export const b = inngest.createFunction({ id: «'place'», triggers: [{ event: 'order/placed.v2' }] }, async () => 1);`,
  });
  const fns = index.functions();
  assert.equal(fns.length, 2);
  for (const f of fns) assertApp(f, 'order-service');
  const dup = index.diagnostics(uri('apps/orders/src/fn.ts')).filter((d) => d.code === 'duplicate-function-id');
  assert.equal(dup.length, 2);
  assert.match(dup[0]!.message, /in app "order-service"/);
});

void test('P9: a client id held in a constant or a template of constants', () => {
  const { index } = workspace({
    'consts.ts': `export const APP_ID = 'const-app';
export const ENV = 'dev';`,
    'client.ts': `import { Inngest } from 'inngest';
import { APP_ID, ENV } from './consts';
export const a = new Inngest({ id: APP_ID });
export const b = new Inngest({ id: \`\${APP_ID}-\${ENV}\` });`,
    'fns.ts': `import { a, b } from './client';
export const f = a.createFunction({ id: 'f' }, { event: 'app/f' }, async () => 1);
export const g = b.createFunction({ id: 'g' }, { event: 'app/g' }, async () => 1);`,
  });
  const fns = byId(index.functions());
  assertApp(fns.get('f'), 'const-app');
  assertApp(fns.get('g'), 'const-app-dev');
});

void test('P9: an app id that cannot be resolved is flagged appIdUnresolved (never a guessed slug)', () => {
  const { index } = workspace({
    'lib/client.ts': FACTORIES,
    'env.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: process.env.APP_ID! });
export const f = inngest.createFunction({ id: 'env-fn' }, { event: 'app/env' }, async () => 1);`,
    'factory-env.ts': `import { createInngestClient } from './lib/client';
const inngest = createInngestClient(process.env.APP_ID!);
export const f = inngest.createFunction({ id: 'factory-env-fn' }, { event: 'app/env' }, async () => 1);`,
    'injected.ts': `import { Inngest } from 'inngest';
export class Service {
  constructor(private readonly inngest: Inngest) {}
  readonly fn = this.inngest.createFunction({ id: 'injected-fn' }, { event: 'app/inj' }, async () => 1);
}`,
    'lookup.ts': `import { Inngest } from 'inngest';
import { clients } from './registry';
const inngest = getClient('orders');
export const f = inngest.createFunction({ id: 'lookup-fn' }, { event: 'app/lookup' }, async () => 1);
export const g = clients.orders.createFunction({ id: 'registry-fn' }, { event: 'app/lookup' }, async () => 1);
function getClient(name: string): Inngest { return clients[name]; }`,
  });
  const fns = byId(index.functions());
  for (const id of ['env-fn', 'factory-env-fn', 'injected-fn', 'lookup-fn', 'registry-fn']) {
    const f = fns.get(id);
    assert.ok(f, id);
    assert.equal(f.appId, null, id);
    assert.equal(f.appIdUnresolved, true, id);
    assert.equal(f.slug, id);
  }
});

void test('P9: a dev-server singleton (`globalThis.x ?? new Inngest(...)`) and options held in a constant', () => {
  const { index } = workspace({
    'config.ts': `export const config = { id: 'cfg-const', eventKey: 'k' } as const;`,
    'a.ts': `import { Inngest } from 'inngest';
const g = globalThis as unknown as { inngest?: Inngest };
export const inngest = g.inngest ?? new Inngest({ id: 'singleton' });
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/f' }, async () => 1);`,
    'b.ts': `import { Inngest } from 'inngest';
import { config } from './config';
const direct = new Inngest(config);
const spread = new Inngest({ ...config, logger: console });
export const g = direct.createFunction({ id: 'g' }, { event: 'app/g' }, async () => 1);
export const h = spread.createFunction({ id: 'h' }, { event: 'app/h' }, async () => 1);`,
  });
  const fns = byId(index.functions());
  assertApp(fns.get('f'), 'singleton');
  assertApp(fns.get('g'), 'cfg-const');
  assertApp(fns.get('h'), 'cfg-const');
});

void test('P9: a client field inherited from a base class in another file (field or constructor-assigned)', () => {
  const { index } = workspace({
    'client.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'shared-app' });`,
    'base.ts': `import { Inngest } from 'inngest';
export abstract class InngestFunctions {
  protected inngest = new Inngest({ id: 'base-app' });
  abstract getFunctions(): unknown[];
}`,
    'base2.ts': `import { inngest } from './client';
export class JobBase {
  protected client;
  constructor() { this.client = inngest; }
}`,
    'space.ts': `import { InngestFunctions } from './base';
export class SpaceFunctions extends InngestFunctions {
  private unlock() {
    return this.inngest.createFunction({ id: 'unlock', triggers: [{ event: 'space/unlocked' }] }, async () => 1);
  }
  getFunctions() { return [this.unlock()]; }
}
export class MoreSpace extends SpaceFunctions {
  more = this.inngest.createFunction({ id: 'more', triggers: [{ event: 'space/more' }] }, async () => 1);
}`,
    'jobs.ts': `import { JobBase } from './base2';
export class Cleanup extends JobBase {
  readonly fn = this.client.createFunction({ id: 'cleanup' }, { cron: '0 0 * * *' }, async () => 1);
}`,
  });
  const fns = byId(index.functions());
  assertApp(fns.get('unlock'), 'base-app');
  assertApp(fns.get('more'), 'base-app');
  assertApp(fns.get('cleanup'), 'shared-app');
});

void test('P9: lazy singleton getters (assigned in the body, or returning another factory call)', () => {
  const { index } = workspace({
    'client.ts': `import { Inngest } from 'inngest';
let inngestClient: Inngest | undefined;
let other: Inngest | null = null;
function createInngestClient(): Inngest {
  return new Inngest({ id: 'directus-inngest', isDev: true });
}
function getInngestClient(): Inngest {
  if (!inngestClient) {
    inngestClient = createInngestClient();
  }
  return inngestClient;
}
export function getOther(): Inngest {
  other ??= new Inngest({ id: 'lazy-other' });
  return other;
}
export const inngest = getInngestClient();
export const second = getOther();
let app: Inngest | undefined;
export const getInngestApp = () => {
  return (app ??= new Inngest({ id: 'realtime-app' }));
};
let ambiguous: Inngest | undefined;
export const getAmbiguous = () => (ambiguous ??= new Inngest({ id: typeof window !== 'undefined' ? 'client' : 'server' }));`,
    'fns.ts': `import { inngest, second } from './client';
export const a = inngest.createFunction({ id: 'a' }, { event: 'app/a' }, async () => 1);
export const b = second.createFunction({ id: 'b' }, { event: 'app/b' }, async () => 1);
import { getInngestApp, getAmbiguous } from './client';
const app = getInngestApp();
export const c = app.createFunction({ id: 'c', triggers: [{ event: 'app/c' }] }, async () => 1);
export const d = getAmbiguous().createFunction({ id: 'd', triggers: [{ event: 'app/d' }] }, async () => 1);`,
  });
  const fns = byId(index.functions());
  assertApp(fns.get('a'), 'directus-inngest');
  assertApp(fns.get('b'), 'lazy-other');
  assertApp(fns.get('c'), 'realtime-app');
  // an id that depends on where the code runs is not guessed
  assert.equal(fns.get('d')?.appIdUnresolved, true);
});

void test('P9: a step helper that returns a call is still a helper, not a client factory (negative)', () => {
  const { index } = workspace({
    'helpers.ts': `import type { GetStepTools, Inngest } from 'inngest';
export async function loadUser(step: GetStepTools<Inngest>, id: string) {
  await step.run('load-user', () => id);
  return finish(id);
}
function finish(id: string) { return id; }`,
    'fn.ts': `import { Inngest } from 'inngest';
import { loadUser } from './helpers';
const inngest = new Inngest({ id: 'app' });
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/f' }, async ({ step }) => loadUser(step, 'x'));`,
  });
  assert.equal(index.stepLocation('app-f', 'load-user')?.uri, 'file:///ws/helpers.ts');
  assert.deepEqual(index.diagnostics('file:///ws/helpers.ts'), []);
});

void test('P9: a client expression that is a call of a factory or getter (getInngestClient().createFunction, .send)', () => {
  const { index } = workspace({
    'client.ts': `import { Inngest } from 'inngest';
let client: Inngest | undefined;
export function getInngestClient() {
  client ??= new Inngest({ id: 'getter-app' });
  return client;
}
export const createClient = (id: string) => new Inngest({ id });`,
    'fns.ts': `import { getInngestClient, createClient } from './client';
export function createWorkflowFunction(input: { id: string }) {
  return getInngestClient().createFunction({ id: input.id, triggers: [{ event: 'workflow/run' }] }, async () => 1);
}
export const a = getInngestClient().createFunction({ id: 'a', triggers: [{ event: 'app/a' }] }, async () => 1);
export const b = getInngestClient().createFunction({ id: «'a'», triggers: [{ event: 'app/b' }] }, async () => 1);
export const c = createClient('orders.v2').createFunction({ id: 'c' }, { event: 'app/c' }, async () => 1);
export async function emit() { await getInngestClient().send({ name: 'app/a', data: {} }); }`,
  });
  const fns = index.functions();
  const a = fns.filter((f) => f.id === 'a');
  assert.equal(a.length, 2);
  for (const f of a) assertApp(f, 'getter-app');
  assertApp(fns.find((f) => f.id === 'c'), 'orders.v2');
  const unresolved = fns.find((f) => f.idUnresolved);
  assert.equal(unresolved?.appId, 'getter-app');
  assert.equal(index.event('app/a')?.senders.length, 1);
  // the same call text is the same client: the duplicate id is found
  assert.equal(index.diagnostics(uri('fns.ts')).filter((d) => d.code === 'duplicate-function-id').length, 2);
});

void test('P9: functions on one factory-made app in different files share the app for duplicate ids', () => {
  const { index } = workspace({
    'client.ts': `import { Inngest } from 'inngest';
let client: Inngest | undefined;
export function getInngestClient() {
  client ??= new Inngest({ id: 'getter-app' });
  return client;
}`,
    'a.ts': `import { getInngestClient } from './client';
export const a = getInngestClient().createFunction({ id: «'same'» }, { event: 'app/a' }, async () => 1);`,
    'b.ts': `import { getInngestClient } from './client';
const inngest = getInngestClient();
export const b = inngest.createFunction({ id: «'same'» }, { event: 'app/b' }, async () => 1);
export const c = inngest.createFunction({ id: 'other' }, { event: 'app/b' }, async () => 1);`,
  });
  assert.equal(index.diagnostics(uri('a.ts')).filter((d) => d.code === 'duplicate-function-id').length, 1);
  assert.equal(index.diagnostics(uri('b.ts')).filter((d) => d.code === 'duplicate-function-id').length, 1);
});

void test('P9: clients created inside a function or block (tests, setup functions), each its own app', () => {
  const { index } = workspace({
    'a.test.ts': `import { Inngest as Inngest3 } from 'inngest';
import { inngest as shared } from './client';
describe('seq', () => {
  it('runs', async () => {
    const c3 = new Inngest3({ id: 'seq3', isDev: true });
    const f3 = c3.createFunction({ id: 'seq' }, { event: 'seq3/go' }, async () => 1);
    await c3.send({ name: 'seq3/go' });
  });
  it('runs again', async () => {
    const c3 = new Inngest3({ id: 'seq3-again' });
    const f3 = c3.createFunction({ id: 'seq' }, { event: 'seq3/go' }, async () => 1);
  });
  it('aliases the shared client', () => {
    const inngest = shared;
    const f = inngest.createFunction({ id: 'aliased' }, { event: 'app/x' }, async () => 1);
  });
});`,
    'client.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'shared-app' });`,
  });
  const fns = index.functions();
  assert.deepEqual(fns.map((f) => f.slug).sort(), ['seq3-again-seq', 'seq3-seq', 'shared-app-aliased']);
  // one id per test's own client: not duplicates
  assert.deepEqual(index.diagnostics(uri('a.test.ts')).filter((d) => d.code === 'duplicate-function-id'), []);
  assert.equal(index.event('seq3/go')?.senders.length, 1);
});

void test('P9: a top-level `let` client assigned in a setup hook', () => {
  const { index } = workspace({
    'rt.test.ts': `import { Inngest } from 'inngest';
let client: Inngest;
let other;
before(() => {
  client = new Inngest({ id: 'rt-v4', isDev: true });
});
test('streams', () => {
  const progress = client.createFunction({ id: 'progress', triggers: [{ event: 'rt/progress' }] }, async () => 1);
  const unknown = other.createFunction({ id: 'unknown', triggers: [{ event: 'rt/progress' }] }, async () => 1);
});`,
  });
  const fns = byId(index.functions());
  assertApp(fns.get('progress'), 'rt-v4');
  assert.equal(fns.get('unknown')?.appIdUnresolved, true);
});

void test('P9: a workspace package imported by name resolves through its package.json entry (main, exports, built output)', () => {
  const factory = (id: string): string => `import { Inngest } from 'inngest';
export function createInngestClient(appId: string) {
  return new Inngest({ id: appId ?? '${id}', isDev: true });
}`;
  const { index } = workspace({
    'libs/inngest/package.json': JSON.stringify({ name: '@source/inngest', main: './src/client.ts', exports: { '.': { types: './src/client.ts', default: './src/client.ts' } } }),
    'libs/inngest/src/client.ts': factory('x'),
    'libs/built/package.json': JSON.stringify({ name: '@source/built', exports: { '.': { import: './dist/factory.js', require: './dist/factory.cjs' } } }),
    'libs/built/src/factory.ts': factory('y'),
    'apps/orders/src/client.ts': `import { createInngestClient } from '@source/inngest';
export const inngest = createInngestClient('order-service');`,
    'apps/orders/src/fn.ts': `import { inngest } from './client';
export const f = inngest.createFunction({ id: 'create-order', triggers: [{ event: 'payment.completed' }] }, async () => 1);`,
    'apps/billing/src/fn.ts': `import { createInngestClient } from '@source/built';
const inngest = createInngestClient('billing');
export const f = inngest.createFunction({ id: 'bill', triggers: [{ event: 'payment.completed' }] }, async () => 1);`,
  });
  const fns = byId(index.functions());
  assertApp(fns.get('create-order'), 'order-service');
  assertApp(fns.get('bill'), 'billing');
});
