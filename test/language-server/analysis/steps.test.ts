// nested-step, unawaited-step and duplicate-step-id, in v3 and v4 styles, with negative cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangesOf, uri, workspace } from './fixture';

const V3_CLIENT = `import { Inngest } from 'inngest';\nconst inngest = new Inngest({ id: 'app' });\n`;

function diagsOf(src: string) {
  const { index, fx } = workspace({ 'fn.ts': src });
  return { diags: index.diagnostics(uri('fn.ts')), ranges: fx['fn.ts']!.ranges, index };
}

void test('nested-step: a step tool inside step.run (v3, destructured step)', () => {
  const { diags, ranges } = diagsOf(`${V3_CLIENT}
export const f = inngest.createFunction({ id: 'f' }, { event: 'a/b' }, async ({ event, step }) => {
  await step.run('outer', async () => {
    await «step.sleep»('inner', '1s');
    const x = await «step.run»('deeper', () => 1);
    return x;
  });
});`);
  assert.deepEqual(rangesOf(diags, 'nested-step'), ranges);
  assert.match(diags.find((d) => d.code === 'nested-step')!.message, /Nesting `step\.\*` tooling is not supported/);
});

void test('nested-step: v4 with a renamed step and a context parameter', () => {
  const { diags, ranges } = diagsOf(`import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const f = inngest.createFunction({ id: 'f', triggers: [{ event: 'a/b' }] }, async (ctx) => {
  await ctx.step.run('outer', () => «ctx.step.sendEvent»('s', { name: 'a/b', data: {} }));
});
export const g = inngest.createFunction({ id: 'g', triggers: { event: 'a/b' } }, async ({ step: tools }) => {
  await tools.ai.wrap('w', async () => { await «tools.sleep»('x', '1m'); });
});`);
  assert.deepEqual(rangesOf(diags, 'nested-step'), ranges);
});

void test('nested-step: none for sequential steps, helpers, and steps in Promise.all', () => {
  const { diags } = diagsOf(`${V3_CLIENT}
async function helper(n: number) { return n * 2; }
export const f = inngest.createFunction({ id: 'f' }, { event: 'a/b' }, async ({ step }) => {
  const a = await step.run('a', async () => helper(1));
  const [b, c] = await Promise.all([step.run('b', () => a), step.run('c', () => a)]);
  await step.sleep('nap', '1h');
  return b + c;
});`);
  assert.deepEqual(rangesOf(diags, 'nested-step'), []);
});

void test('unawaited-step: dropped calls, then-chains and unused variables (v3 and v4)', () => {
  const { diags, ranges } = diagsOf(`import { Inngest } from 'inngest-v4';
const inngest = new Inngest({ id: 'app' });
export const f = inngest.createFunction({ id: 'f', triggers: [{ event: 'a/b' }] }, async ({ step }) => {
  «step.run»('a', () => 1);
  «step.sleep»('b', '1s').then(() => undefined);
  const p = «step.run»('c', () => 2);
  [1, 2].forEach((i) => { «step.run»('d', () => i); });
});
export const g = inngest.createFunction({ id: 'g' }, { event: 'a/c' }, async ({ step }) => {
  «step.sendEvent»('e', { name: 'a/b', data: {} });
});`);
  assert.deepEqual(rangesOf(diags, 'unawaited-step'), ranges);
  assert.match(diags.find((d) => d.code === 'unawaited-step')!.message, /is not awaited/);
});

void test('unawaited-step: none for awaited, returned, gathered, or later-awaited steps', () => {
  const { diags, index } = diagsOf(`${V3_CLIENT}
export const f = inngest.createFunction({ id: 'f' }, { event: 'a/b' }, async ({ step }) => {
  await step.run('a', () => 1);
  const p = step.run('b', () => 2);
  const q = step.run('c', () => 3);
  const all = await Promise.all([p, q]);
  const r = step.run('d', () => 4);
  await r;
  const results = await Promise.allSettled([1, 2].map((i) => step.run(\`item-\${i}\`, () => i)));
  await Promise.race([step.sleep('e', '1s'), step.waitForEvent('f', { event: 'a/c', timeout: '1h' })]);
  void step.run('explicitly-detached', () => 0);
  const s = step.run('g', () => 5).then((x) => x + 1);
  await s;
  return step.run('last', () => all);
});`);
  assert.deepEqual(rangesOf(diags, 'unawaited-step'), []);
  const steps = index.functions()[0]!.steps;
  assert.equal(steps.length, 10);
  assert.ok(steps.every((s) => s.range.start.line >= 3));
});

void test('duplicate-step-id: same literal id twice in one function (v3 and v4)', () => {
  const { diags, ranges } = diagsOf(`${V3_CLIENT}
export const f = inngest.createFunction({ id: 'f' }, { event: 'a/b' }, async ({ step }) => {
  await step.run('charge', () => 1);
  await step.sleep('wait', '1s');
  await step.run(«'charge'», () => 2);
  await Promise.all([step.run('p', () => 1), step.run(«'p'», () => 2)]);
});
export const g = inngest.createFunction({ id: 'g', triggers: [{ event: 'a/b' }] }, async ({ step }) => {
  await step.run({ id: 'x', name: 'X' }, () => 1);
  await step.sendEvent(«'x'», { name: 'a/b', data: {} });
});`);
  assert.deepEqual(rangesOf(diags, 'duplicate-step-id'), ranges);
  const d = diags.find((x) => x.code === 'duplicate-step-id')!;
  assert.match(d.message, /"charge:1"/);
  assert.equal(d.relatedInformation?.[0]?.location.range.start.line, 4);
});

void test('duplicate-step-id: none in loops, exclusive branches, other functions, onFailure, or computed ids', () => {
  const { diags } = diagsOf(`${V3_CLIENT}
export const f = inngest.createFunction({ id: 'f', onFailure: async ({ step }) => { await step.run('a', () => 0); } }, { event: 'a/b' }, async ({ event, step }) => {
  await step.run('a', () => 1);
  for (const i of [1, 2]) await step.run('loop', () => i);
  await Promise.all(event.data.items.map((x: number) => step.run('each', () => x)));
  if (event.data.vip) {
    await step.run('notify', () => 1);
  } else {
    await step.run('notify', () => 2);
  }
  if (event.data.skip) {
    await step.run('done', () => 0);
    return;
  }
  await step.run('done', () => 1);
  const v = event.data.flag ? await step.run('pick', () => 1) : await step.run('pick', () => 2);
  switch (event.data.kind) {
    case 'a': await step.run('kind', () => 'a'); break;
    case 'b': await step.run('kind', () => 'b'); break;
  }
  await step.run(\`dyn-\${v}\`, () => 1);
  await step.run(\`dyn-\${v}\`, () => 2);
});
export const g = inngest.createFunction({ id: 'g' }, { event: 'a/b' }, async ({ step }) => {
  await step.run('a', () => 1);
});`);
  assert.deepEqual(rangesOf(diags, 'duplicate-step-id'), []);
});

void test('helpers that receive the step tools: steps are located and checked; unrelated `step` objects are ignored', () => {
  const { index, fx } = workspace({
    'helpers.ts': `import type { GetStepTools } from 'inngest';
import { inngest } from './client';
export async function chargeCard(step: GetStepTools<typeof inngest>, amount: number) {
  await step.run(«'charge'», () => amount);
  «step.sleep»('cool', '1m');
}
export const notify = async ({ step }: { step: GetStepTools<typeof inngest> }) => step.sendEvent('notify', { name: 'a/n', data: {} });`,
    'client.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'app' });
export const f = inngest.createFunction({ id: 'f' }, { event: 'a/b' }, async ({ step }) => {
  await chargeCard(step, 1);
});
declare function chargeCard(s: unknown, n: number): Promise<void>;`,
    'wizard.ts': `export function advance(step: { next(): void; run(x: string): void }) {
  step.next();
  step.run('x');
}`,
  });
  const r = fx['helpers.ts']!.ranges;
  assert.deepEqual(index.stepLocation('app-f', 'charge'), { uri: uri('helpers.ts'), range: r[0] });
  assert.deepEqual(rangesOf(index.diagnostics(uri('helpers.ts')), 'unawaited-step'), [r[1]]);
  assert.equal(index.file(uri('helpers.ts'))!.steps.length, 3);
  assert.deepEqual(index.diagnostics(uri('wizard.ts')), []);
  assert.equal(index.file(uri('wizard.ts'))!.steps.length, 0);
});
