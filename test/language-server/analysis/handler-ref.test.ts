// Handlers passed by name (real-world audit P2): declared in the same file (function declaration,
// const arrow or function expression) or imported; their steps are listed and checked as inline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, rangesOf, uri, workspace } from './fixture';

void test('P2: v3 handler declared as a function in the same file: steps listed, unawaited-step once', () => {
  const { index, fx } = workspace({
    'fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
async function onSignup({ event, step }: any) {
  await step.run('welcome', () => event.data.id);
  «step.sleep»('forgot', '1h');
}
export const a = inngest.createFunction({ id: 'signup' }, { event: 'app/signup' }, onSignup);`,
  });
  const [fn] = index.functions();
  assert.deepEqual(fn!.steps.map((s) => `${s.tool}:${s.id}`), ['run:welcome', 'sleep:forgot']);
  const diags = index.diagnostics(uri('fn.ts'));
  assert.deepEqual(codes(diags), ['unawaited-step']);
  assert.deepEqual(rangesOf(diags, 'unawaited-step'), fx['fn.ts']!.ranges);
  assert.deepEqual(index.stepLocation('app-signup', 'forgot')?.range.start.line, 4);
});

void test('P2: v4 handler as a const arrow taking ctx; nested-step and duplicate-step-id run on it', () => {
  const { index, fx } = workspace({
    'fn.ts': `import { Inngest } from 'inngest-v4';
const inngest = new Inngest({ id: 'app' });
const handler = async (ctx) => {
  await ctx.step.run('outer', async () => { await «ctx.step.sleep»('inner', '1s'); });
  await ctx.step.run('same', () => 1);
  await ctx.step.run(«'same'», () => 2);
};
export const a = inngest.createFunction({ id: 'v4fn', triggers: [{ event: 'app/x' }] }, handler);`,
  });
  const [fn] = index.functions();
  assert.deepEqual(fn!.steps.map((s) => s.id), ['outer', 'inner', 'same', 'same']);
  const diags = index.diagnostics(uri('fn.ts'));
  assert.deepEqual(codes(diags), ['nested-step', 'duplicate-step-id']);
  assert.deepEqual(diags.map((d) => d.range), fx['fn.ts']!.ranges);
});

void test('P2: imported handler (named export, default export): steps listed on the function, checks in the handler file', () => {
  const { index, fx } = workspace({
    'client.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'app' });`,
    'handlers.ts': `import type { GetFunctionInput } from 'inngest';
export async function onOrder({ event, step }: any) {
  await step.run('charge', () => event.data.id);
  «step.run»('receipt', () => 1);
}
export default async function onRefund({ step }: any) {
  await step.sleep('cool-off', '1h');
}`,
    'anonymous.ts': `import type { Context } from 'inngest';
export default async function ({ step }: Context) {
  await step.run('anon', () => 1);
}`,
    'fns.ts': `import { inngest } from './client';
import { onOrder } from './handlers';
import refund from './handlers';
import anon from './anonymous';
export const a = inngest.createFunction({ id: 'order' }, { event: 'shop/order' }, onOrder);
export const b = inngest.createFunction({ id: 'refund' }, { event: 'shop/refund' }, refund);
export const c = inngest.createFunction({ id: 'anon' }, { event: 'shop/anon' }, anon);`,
  });
  const fns = new Map(index.functions().map((f) => [f.id, f]));
  assert.deepEqual(fns.get('order')!.steps.map((s) => s.id), ['charge', 'receipt']);
  assert.equal(fns.get('order')!.steps[0]!.range.start.line, 2);
  assert.deepEqual(fns.get('refund')!.steps.map((s) => s.id), ['cool-off']);
  assert.deepEqual(fns.get('anon')!.steps.map((s) => s.id), ['anon']);
  assert.deepEqual(rangesOf(index.diagnostics(uri('handlers.ts')), 'unawaited-step'), fx['handlers.ts']!.ranges);
  assert.deepEqual(index.diagnostics(uri('fns.ts')), []);
  assert.deepEqual(index.stepLocation('app-order', 'receipt'), { uri: uri('handlers.ts'), range: { start: { line: 3, character: 11 }, end: { line: 3, character: 20 } } });
});

void test('P2: one handler shared by two functions is analysed once (no doubled diagnostics)', () => {
  const { index } = workspace({
    'fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
const shared = async ({ step }) => { step.run('x', () => 1); };
export const a = inngest.createFunction({ id: 'a' }, { event: 'app/a' }, shared);
export const b = inngest.createFunction({ id: 'b' }, { event: 'app/b' }, shared);`,
  });
  assert.deepEqual(codes(index.diagnostics(uri('fn.ts'))), ['unawaited-step']);
  assert.deepEqual(index.functions().map((f) => f.steps.map((s) => s.id)), [['x'], ['x']]);
});

void test('P2: imported handler that takes the whole context (`ctx.step.run`, in a file using the SDK) is linked too', () => {
  const { index, fx } = workspace({
    'client.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'app' });`,
    'handlers.ts': `import type { Context } from 'inngest';
export const onSync = async (ctx: Context) => {
  await ctx.step.run('pull', () => 1);
  «ctx.step.sleep»('rest', '1m');
};
export const notAHandler = async (req: any) => req.body;`,
    'fns.ts': `import { inngest } from './client';
import { onSync } from './handlers';
export const a = inngest.createFunction({ id: 'sync', triggers: [{ event: 'app/sync' }] }, onSync);`,
  });
  assert.deepEqual(index.functions()[0]!.steps.map((s) => s.id), ['pull', 'rest']);
  assert.deepEqual(rangesOf(index.diagnostics(uri('handlers.ts')), 'unawaited-step'), fx['handlers.ts']!.ranges);
});
