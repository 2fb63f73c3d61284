// False positives from the real-world audit: P8 (a wait in a helper that takes `step` from an
// object argument and names its event with a constant) and P12 (`if (x)` / `if (!x)` arms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, rangesOf, uri, workspace } from './fixture';

void test('P8: a wait in a helper (`const { step } = args`, event named by a constant) makes its event listened to', () => {
  const { index, fx } = workspace({
    'fn.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'app' });
export const APPROVED = 'app/approval.given';
async function waitForApproval(args: { step: any; id: string }) {
  const { step } = args;
  «step.run»('forgot-await', () => 1);
  return step.waitForEvent('wait-approval', { event: APPROVED, timeout: '1h' });
}
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/request' }, async ({ step }) => { await waitForApproval({ step, id: '1' }); });`,
    'api.ts': `import { inngest } from './fn';
export async function api() { await inngest.send({ name: 'app/approval.given', data: { id: '1' } }); }`,
  });
  assert.deepEqual(index.diagnostics(uri('api.ts')), []);
  // the helper is recognised: its step checks run
  assert.deepEqual(rangesOf(index.diagnostics(uri('fn.ts')), 'unawaited-step'), fx['fn.ts']!.ranges);
});

void test('P8: a wait outside any recognised handler or helper, with the event in an imported constant, counts too', () => {
  const { index } = workspace({
    'names.ts': `export const EV = { DONE: 'app/validation.done' } as const;`,
    'fn.ts': `import { Inngest } from 'inngest';
import { EV } from './names';
export const inngest = new Inngest({ id: 'app' });
export class Agent { async run(tools: any) { await tools.waitForEvent('w', { event: EV.DONE, timeout: '1h' }); } }
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/request' }, async () => 1);
export async function api() { await inngest.send({ name: 'app/validation.done', data: {} }); }`,
  });
  assert.deepEqual(codes(index.diagnostics(uri('fn.ts'))), []);
});

void test('P12: the same step id in `if (x)` and `if (!x)` arms is not a duplicate (unless x is reassigned)', () => {
  const { index, fx } = workspace({
    'fn.ts': `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a' }, { event: 'app/a' }, async ({ event, step }) => {
  const paid = event.data.paid;
  if (paid) await step.run('notify', () => 'receipt');
  if (!paid) await step.run('notify', () => 'reminder');
  if (event.data.vip) { await step.run('gift', () => 1); }
  if (!event.data.vip) { await step.run('gift', () => 2); }
  if (!paid) await step.run('twice', () => 1);
  if (!paid) await step.run(«'twice'», () => 2);
});
export const b = inngest.createFunction({ id: 'b' }, { event: 'app/b' }, async ({ event, step }) => {
  let done = event.data.done;
  if (!done) done = await step.run('work', () => true);
  if (done) await step.run(«'work'», () => 1);
});`,
  });
  const diags = index.diagnostics(uri('fn.ts'));
  assert.deepEqual(codes(diags), ['duplicate-step-id', 'duplicate-step-id']);
  assert.deepEqual(rangesOf(diags, 'duplicate-step-id'), fx['fn.ts']!.ranges);
});

void test('P13: a helper whose parameter is typed as the step tools (any name) gets the step checks', () => {
  const { index, fx } = workspace({
    'fn.ts': `import { Inngest, type GetStepTools } from 'inngest';
export const inngest = new Inngest({ id: 'app' });
type Step = GetStepTools<typeof inngest>;
async function pay(tools: Step) {
  await tools.waitForEvent('paid', { event: 'app/paid', timeout: '1d' });
  «tools.run»('forgot-await', () => 1);
}
async function notTools(tools: { run(id: string, f: () => number): void }) { tools.run('x', () => 1); }`,
  });
  assert.deepEqual(rangesOf(index.diagnostics(uri('fn.ts')), 'unawaited-step'), fx['fn.ts']!.ranges);
});
