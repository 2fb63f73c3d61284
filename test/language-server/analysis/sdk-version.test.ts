// sdk-version-mismatch (real-world audit P11): a createFunction call shaped for the other SDK major
// than the one package.json depends on. v4-only `createFunction({ id, triggers }, handler)` under
// inngest ^3; the v3 three-argument call under ^4. Aliases count only when declared as npm:inngest@x.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRangeMajor, sdkDependencies } from '../../../language-server/analysis/sdk';
import { rangesOf, uri, workspace } from './fixture';

const pkg = (deps: Record<string, string>, field = 'dependencies'): string => JSON.stringify({ name: 'app', [field]: deps });

const CLIENT = `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'app' });`;

const V4_SHAPE = `import { inngest } from './client';
export const a = inngest.«createFunction»({ id: 'a', triggers: [{ event: 'app/a' }] }, async ({ step }) => { await step.run('x', () => 1); });
export const b = inngest.«createFunction»({ id: 'b' }, handler);
async function handler() { return 1; }`;

const V3_SHAPE = `import { inngest } from './client';
export const a = inngest.«createFunction»({ id: 'a' }, { event: 'app/a' }, async ({ step }) => { await step.run('x', () => 1); });
export const b = inngest.«createFunction»(
  { id: 'b' },
  [{ event: 'app/b' }, { cron: '0 * * * *' }],
  async () => 1,
);`;

void test('sdk-version-mismatch: v4 shape in a package depending on inngest ^3', () => {
  const { index, fx } = workspace({ 'package.json': pkg({ inngest: '^3.21.0' }), 'client.ts': CLIENT, 'fns.ts': V4_SHAPE });
  const diags = index.diagnostics(uri('fns.ts'));
  assert.deepEqual(rangesOf(diags, 'sdk-version-mismatch'), fx['fns.ts']!.ranges);
  const d = diags.find((x) => x.code === 'sdk-version-mismatch')!;
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /v4 shape/);
  assert.match(d.message, /"inngest": "\^3\.21\.0"/);
  assert.match(d.message, /SDK v3/);
  assert.match(d.message, /createFunction\(\{ id \}, \{ event: "\.\.\." \}, handler\)/);
  assert.equal(d.relatedInformation?.[0]?.location.uri, uri('package.json'));
  // the handler passed by name, no triggers in the options: still v4's shape
  const b = diags.filter((x) => x.code === 'sdk-version-mismatch')[1]!;
  assert.match(b.message, /v4 shape \(options, then the handler\)/);
});

void test('sdk-version-mismatch: v3 shape in a package depending on inngest ^4 (devDependencies too)', () => {
  const { index, fx } = workspace({ 'package.json': pkg({ inngest: '4.24.0' }, 'devDependencies'), 'client.ts': CLIENT, 'fns.ts': V3_SHAPE });
  const diags = index.diagnostics(uri('fns.ts'));
  assert.deepEqual(rangesOf(diags, 'sdk-version-mismatch'), fx['fns.ts']!.ranges);
  const d = diags.find((x) => x.code === 'sdk-version-mismatch')!;
  assert.match(d.message, /v3 shape/);
  assert.match(d.message, /"inngest": "4\.24\.0"/);
  assert.match(d.message, /SDK v4/);
  assert.match(d.message, /triggers: \[\{ event: "\.\.\." \}\]/);
});

void test('sdk-version-mismatch: none when the shape matches the declared major (negative)', () => {
  for (const [range, src] of [
    ['^3.21.0', V3_SHAPE],
    ['~3.54', V3_SHAPE],
    ['>=3.2.0 <4.0.0', V3_SHAPE],
    ['^4.0.0', V4_SHAPE],
    ['4.x', V4_SHAPE],
  ] as const) {
    const { index } = workspace({ 'package.json': pkg({ inngest: range }), 'client.ts': CLIENT, 'fns.ts': src });
    assert.deepEqual(index.diagnostics(uri('fns.ts')), [], range);
  }
});

void test('sdk-version-mismatch: none without package.json, or with a spec that names no single major', () => {
  const specs = ['workspace:*', 'workspace:^3.0.0', 'link:../inngest', 'file:../inngest', 'portal:../inngest', 'catalog:', 'latest', '*', '>=3', '^3 || ^4', 'github:inngest/inngest-js', 'https://example.com/inngest.tgz', 'not a range'];
  for (const spec of specs) {
    const { index } = workspace({ 'package.json': pkg({ inngest: spec }), 'client.ts': CLIENT, 'fns.ts': V4_SHAPE });
    assert.deepEqual(index.diagnostics(uri('fns.ts')), [], spec);
  }
  const none = workspace({ 'client.ts': CLIENT, 'fns.ts': V4_SHAPE });
  assert.deepEqual(none.index.diagnostics(uri('fns.ts')), []);
  // a package.json that does not depend on inngest at all
  const other = workspace({ 'package.json': pkg({ zod: '^3.0.0' }), 'client.ts': CLIENT, 'fns.ts': V4_SHAPE });
  assert.deepEqual(other.index.diagnostics(uri('fns.ts')), []);
});

void test('sdk-version-mismatch: a v3 call being typed (two arguments, the second a trigger) is not reported', () => {
  const { index } = workspace({
    'package.json': pkg({ inngest: '^3.0.0' }),
    'client.ts': CLIENT,
    'fns.ts': `import { inngest } from './client';
export const a = inngest.createFunction({ id: 'a' }, { event: 'app/a' });
export const b = inngest.createFunction({ id: 'b' }, [{ event: 'app/b' }]);
const TRIGGERS = [{ event: 'app/c' }];
export const c = inngest.createFunction({ id: 'c' }, TRIGGERS);
export const d = inngest.createFunction({ id: 'd' }, EVENTS.done);
const EVENTS = { done: 'app/done' } as const;`,
  });
  assert.deepEqual(rangesOf(index.diagnostics(uri('fns.ts')), 'sdk-version-mismatch'), []);
});

void test('sdk-version-mismatch: aliases count only when declared as npm:inngest@x; the nearest package.json decides', () => {
  const { index, fx } = workspace({
    'package.json': pkg({ 'inngest-v3': 'npm:inngest@3.54.2', 'inngest-v4': 'npm:inngest@4.24.0', 'inngest-old': '^1.0.0' }),
    'examples/v3/client.ts': `import { Inngest } from 'inngest-v3';
export const inngest = new Inngest({ id: 'v3-app' });`,
    'examples/v3/fns.ts': `import { inngest } from './client';
export const ok = inngest.createFunction({ id: 'ok' }, { event: 'app/ok' }, async () => 1);
export const bad = inngest.«createFunction»({ id: 'bad', triggers: [{ event: 'app/bad' }] }, async () => 1);`,
    'examples/v4/fns.ts': `import { Inngest } from 'inngest-v4';
const inngest = new Inngest({ id: 'v4-app' });
export const ok = inngest.createFunction({ id: 'ok', triggers: [{ event: 'app/ok' }] }, async () => 1);
export const bad = inngest.«createFunction»({ id: 'bad' }, { event: 'app/bad' }, async () => 1);`,
    'examples/old/fns.ts': `import { Inngest } from 'inngest-old';
const inngest = new Inngest({ id: 'old-app' });
export const f = inngest.createFunction({ id: 'f', triggers: [{ event: 'app/f' }] }, async () => 1);`,
    // a nested package with its own dependency: the v4 shape is right there
    'apps/next/package.json': pkg({ inngest: '^4.1.0' }),
    'apps/next/src/fns.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'next-app' });
export const f = inngest.createFunction({ id: 'f', triggers: [{ event: 'app/f' }] }, async () => 1);`,
  });
  assert.deepEqual(rangesOf(index.diagnostics(uri('examples/v3/fns.ts')), 'sdk-version-mismatch'), fx['examples/v3/fns.ts']!.ranges);
  assert.match(index.diagnostics(uri('examples/v3/fns.ts'))[0]!.message, /"inngest-v3": "npm:inngest@3\.54\.2"/);
  assert.deepEqual(rangesOf(index.diagnostics(uri('examples/v4/fns.ts')), 'sdk-version-mismatch'), fx['examples/v4/fns.ts']!.ranges);
  assert.deepEqual(index.diagnostics(uri('examples/old/fns.ts')), []);
  assert.deepEqual(index.diagnostics(uri('apps/next/src/fns.ts')), []);
});

void test('sdk-version-mismatch: the client decides which dependency applies (factory in another package); Deno imports are not compared', () => {
  const { index, fx } = workspace({
    'packages/shared/package.json': JSON.stringify({ name: '@org/shared', dependencies: { inngest: '^3.30.0' } }),
    'packages/shared/src/index.ts': `import { Inngest } from 'inngest';
export const createInngestClient = (id: string) => new Inngest({ id });`,
    'apps/orders/package.json': JSON.stringify({ name: 'orders', dependencies: { '@org/shared': 'workspace:*' } }),
    'apps/orders/src/fns.ts': `import { createInngestClient } from '@org/shared';
const inngest = createInngestClient('orders');
export const f = inngest.«createFunction»({ id: 'f', triggers: [{ event: 'order/placed' }] }, async () => 1);`,
    'deno/package.json': pkg({ inngest: '^4.0.0' }),
    'deno/fn.ts': `import { Inngest } from 'npm:inngest@3';
const inngest = new Inngest({ id: 'deno' });
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/deno' }, async () => 1);`,
  });
  assert.deepEqual(rangesOf(index.diagnostics(uri('apps/orders/src/fns.ts')), 'sdk-version-mismatch'), fx['apps/orders/src/fns.ts']!.ranges);
  assert.deepEqual(index.diagnostics(uri('deno/fn.ts')), []);
});

void test('sdk.ts: range majors and package.json SDK dependencies', () => {
  const cases: [string, 3 | 4 | null][] = [
    ['^3.21.0', 3], ['~3.2', 3], ['3', 3], ['3.x', 3], ['3.54.2', 3], ['=3.1.0', 3], ['v4.0.0', 4], ['^4.0.0-beta.1', 4],
    ['>=3.2.0 <4.0.0', 3], ['>=3 <4', 3], ['>=4.1 <=4.9', 4], ['3.0.0 - 3.9.9', 3], ['^3 || ~3.5', 3],
    ['^3 || ^4', null], ['>=3', null], ['>=3.0.0 <5', null], ['*', null], ['latest', null], ['', null], ['^2.7.0', null], ['^5.0.0', null],
  ];
  for (const [range, major] of cases) assert.equal(parseRangeMajor(range), major, range);
  const deps = sdkDependencies([{ inngest: 'workspace:^3.0.0', 'inngest-v4': 'npm:inngest@^4.2.0', zod: '^3.0.0', other: 'npm:zod@3' }, { inngest: '^3.0.0' }]);
  assert.deepEqual([...deps.entries()], [
    ['inngest', { spec: 'workspace:^3.0.0', major: null }],
    ['inngest-v4', { spec: 'npm:inngest@^4.2.0', major: 4 }],
  ]);
});
