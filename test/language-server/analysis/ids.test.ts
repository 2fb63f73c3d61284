// Function ids that are not string literals (real-world audit P3): consts in the same file or
// imported, members of a const object, an options object held in a variable, templates; ids that
// cannot be resolved still list the function, marked unresolved, and never count as duplicates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, uri, workspace } from './fixture';

const CLIENT = `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'app' });`;

void test('P3: id from a same-file const, an imported const, a const object member, an options variable, a template', () => {
  const { index, fx } = workspace({
    'client.ts': CLIENT,
    'ids.ts': `export const FN = { sync: 'sync-users' } as const;
export const EV = 'app/sync';
export const PREFIX = 'jobs';`,
    'a.ts': `import { inngest } from './client';
const name = 'wait-payload';
export default inngest.createFunction({ id: «name» }, { event: 'app/x' }, async ({ step }) => { await step.run('a', () => 1); });`,
    'b.ts': `import { inngest } from './client';
import { FN, EV, PREFIX } from './ids';
export const f = inngest.createFunction({ id: «FN.sync» }, { event: EV }, async ({ step }) => { await step.run('a', () => 1); });
export const g = inngest.createFunction({ id: \`plain-template\` }, { event: EV }, async () => 1);
export const h = inngest.createFunction({ id: \`\${PREFIX}-cleanup\` }, { event: EV }, async () => 1);`,
    'c.ts': `import { inngest } from './client';
const opts = { id: 'nightly', concurrency: 1 };
export const a = inngest.createFunction(opts, { cron: '0 0 * * *' }, async ({ step }) => { await step.run('x', () => 1); });`,
  });
  const fns = index.functions();
  const byId = new Map(fns.map((f) => [f.id, f]));
  assert.deepEqual([...byId.keys()].sort(), ['jobs-cleanup', 'nightly', 'plain-template', 'sync-users', 'wait-payload']);
  const a = byId.get('wait-payload')!;
  assert.equal(a.slug, 'app-wait-payload');
  assert.equal(a.idUnresolved, undefined);
  assert.deepEqual(a.steps.map((s) => s.id), ['a']);
  assert.deepEqual(a.idRange, fx['a.ts']!.ranges[0]);
  const f = byId.get('sync-users')!;
  assert.equal(f.slug, 'app-sync-users');
  assert.deepEqual(f.idRange, fx['b.ts']!.ranges[0]);
  assert.deepEqual(f.triggers.map((t) => (t.kind === 'event' ? t.event : t.kind)), ['app/sync']);
  const n = byId.get('nightly')!;
  assert.equal(n.uri, uri('c.ts'));
  assert.deepEqual(n.steps.map((s) => s.id), ['x']);
  assert.equal(index.findFunction('app-sync-users')?.uri, uri('b.ts'));
  // the document symbols' source: the file model carries the resolved id too
  assert.deepEqual(index.file(uri('b.ts'))!.functions.map((x) => x.id), ['sync-users', 'plain-template', 'jobs-cleanup']);
});

void test('P3: an id that cannot be resolved is listed with a placeholder, marked unresolved', () => {
  const { index } = workspace({
    'client.ts': CLIENT,
    'tools.ts': `import { inngest } from './client';
export const tools = defs.map((def) => inngest.createFunction({ id: \`tool-\${def.name}\` }, { event: 'app/tool' }, async ({ step }) => { await step.run('call', () => 1); }));
export const other = inngest.createFunction(makeOptions(), { event: 'app/tool' }, async () => 1);`,
  });
  const fns = index.functions();
  assert.equal(fns.length, 2);
  const [t, o] = fns;
  assert.equal(t!.idUnresolved, true);
  assert.equal(t!.id, '{`tool-${def.name}`}');
  assert.equal(t!.slug, 'app-{`tool-${def.name}`}');
  assert.deepEqual(t!.steps.map((s) => s.id), ['call']);
  assert.equal(o!.idUnresolved, true);
  assert.equal(o!.id, '{makeOptions().id}');
  // a placeholder never matches an executor slug
  assert.equal(index.findFunction('app-tool-search'), undefined);
});

void test('P3: duplicate-function-id compares resolved ids only (consts count, unresolved placeholders do not)', () => {
  const { index, fx } = workspace({
    'client.ts': CLIENT,
    'a.ts': `import { inngest } from './client';
const ID = 'same';
export const a = inngest.createFunction({ id: «ID» }, { event: 'app/a' }, async () => 1);
export const b = inngest.createFunction({ id: «'same'» }, { event: 'app/b' }, async () => 1);
export const c = list.map((x) => inngest.createFunction({ id: \`t-\${x}\` }, { event: 'app/c' }, async () => 1));
export const d = list.map((x) => inngest.createFunction({ id: \`t-\${x}\` }, { event: 'app/d' }, async () => 1));`,
  });
  const diags = index.diagnostics(uri('a.ts'));
  assert.deepEqual(codes(diags), ['duplicate-function-id', 'duplicate-function-id']);
  assert.deepEqual(diags.map((d) => d.range), fx['a.ts']!.ranges);
});

void test('duplicate-function-id: functions made in separate test cases never coexist; functions made in one callback, or by map, still collide', () => {
  const { index, fx } = workspace({
    'client.ts': CLIENT,
    'a.test.ts': `import { inngest } from './client';
test('first case', async () => {
  const fn = inngest.createFunction({ id: 'under-test' }, { event: 'app/a' }, async () => 1);
});
it('second case', () => {
  const fn = inngest.createFunction({ id: 'under-test' }, { event: 'app/a' }, async () => 2);
});
describe('a suite', () => {
  beforeEach(() => {
    inngest.createFunction({ id: 'in-hook' }, { event: 'app/b' }, async () => 1);
  });
});
test('third case', () => {
  const a = inngest.createFunction({ id: «'twice'» }, { event: 'app/c' }, async () => 1);
  const b = inngest.createFunction({ id: «'twice'» }, { event: 'app/c' }, async () => 2);
});
export const all = ['x', 'y'].map(() => inngest.createFunction({ id: «'mapped'» }, { event: 'app/d' }, async () => 1));
export const more = ['z'].map(() => inngest.createFunction({ id: «'mapped'» }, { event: 'app/d' }, async () => 1));`,
  });
  const diags = index.diagnostics(uri('a.test.ts'));
  assert.deepEqual(codes(diags), ['duplicate-function-id', 'duplicate-function-id', 'duplicate-function-id', 'duplicate-function-id']);
  assert.deepEqual(diags.map((d) => d.range), fx['a.test.ts']!.ranges);
});
