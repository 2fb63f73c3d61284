// A monorepo with a v4 app (eventType declarations, triggers array, cron(), step.invoke) and a v3
// app side by side, over real stdio: per-app diagnostics, definition from step.invoke to the
// function, hover and completion on v4 declarations, and the custom requests across both apps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompletionRequest, DefinitionRequest, HoverRequest, type CompletionItem, type Location, type MarkupContent, type Hover } from 'vscode-languageserver-protocol/node';
import { FunctionsRequest, EventsRequest } from '../../../language-server/protocol';
import { TestWorkspace } from './harness';

const BILLING_EVENTS = `import { eventType, staticSchema } from 'inngest';
import { z } from 'zod';
export const invoicePaid = eventType('billing/invoice.paid', { schema: z.object({ invoiceId: z.string(), cents: z.number() }) });
export const refund = eventType(/*@declRefund*/'billing/refund', { schema: staticSchema<{ invoiceId: string; reason?: string }>() });
`;
const BILLING_FNS = `import { cron } from 'inngest';
import { inngest } from './client';
import { invoicePaid } from './events';

export const /*@receiptVar*/receipt = inngest.createFunction({ id: /*@receiptId*/'receipt', triggers: [invoicePaid] }, async ({ event, step }) => {
  await step.run('send-receipt', () => event.data.invoiceId);
});

export const report = inngest.createFunction({ id: 'report', triggers: [cron('0 0 * * *')] }, async ({ step }) => {
  await step.invoke('call-receipt', { function: rec/*@invokeRef*/eipt, data: { invoiceId: 'x', cents: 1 } });
  await step.waitForEvent('refund', { event: /*@typoStart*/'billing/ref/*@typo*/nd'/*@typoEnd*/, timeout: '1d' });
});
`;
const SHOP_FNS = `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: 'shop' });
export const receipt = inngest.createFunction({ id: 'receipt' }, { event: 'shop/order' }, async ({ step }) => {
  await step.run('a', () => 1);
});
`;

let ws: TestWorkspace;

before(async () => {
  ws = await TestWorkspace.start({
    files: {
      'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['apps/*'] }),
      'apps/billing/package.json': JSON.stringify({ name: 'billing', dependencies: { inngest: '^4.24.0', zod: '^3.25.0' } }),
      'apps/billing/src/client.ts': `import { Inngest } from 'inngest';\nexport const inngest = new Inngest({ id: 'billing' });\n`,
      'apps/billing/src/events.ts': BILLING_EVENTS,
      'apps/billing/src/functions.ts': BILLING_FNS,
      'apps/shop/package.json': JSON.stringify({ name: 'shop', dependencies: { inngest: '^3.54.0' } }),
      'apps/shop/src/functions.ts': SHOP_FNS,
      'apps/shop/node_modules/inngest/index.js': 'module.exports = {};',
      'apps/shop/.next/server/app.js': 'const x = 1;',
    },
  });
});

after(async () => {
  await ws?.dispose();
});

void test('both apps are indexed; one function id in two apps is not a duplicate', async () => {
  const { functions } = await ws.conn.sendRequest(FunctionsRequest.type, {});
  assert.deepEqual(functions.map((f) => f.slug).sort(), ['billing-receipt', 'billing-report', 'shop-receipt']);
  const billing = functions.find((f) => f.slug === 'billing-receipt')!;
  assert.equal(billing.sdkMajor, 4);
  assert.equal(functions.find((f) => f.slug === 'shop-receipt')!.sdkMajor, 3);
  const report = functions.find((f) => f.slug === 'billing-report')!;
  assert.equal(report.triggers[0]!.kind, 'cron');
  assert.deepEqual(report.steps.map((s) => [s.id, s.tool]), [['call-receipt', 'invoke'], ['refund', 'waitForEvent']]);
  for (const [uri] of ws.diagnostics) assert.ok(!/node_modules|\.next/.test(uri), uri);
  // opening a file always publishes its set: same id in two apps is not a duplicate
  const shop = ws.nextDiagnostics('apps/shop/src/functions.ts', (p) => p.version === 1);
  await ws.open('apps/shop/src/functions.ts');
  assert.deepEqual((await shop).diagnostics, []);
  await ws.close('apps/shop/src/functions.ts');
});

void test('v4 unknown-event against the eventType declarations of the package', async () => {
  const diags = await ws.waitForDiagnostics('apps/billing/src/functions.ts', (d) => d.some((x) => x.code === 'unknown-event'));
  const d = diags.filter((x) => x.code === 'unknown-event');
  assert.equal(d.length, 1);
  assert.deepEqual(d[0]!.range, { start: ws.pos('apps/billing/src/functions.ts', 'typoStart'), end: ws.pos('apps/billing/src/functions.ts', 'typoEnd') });
  assert.match(d[0]!.message as string, /billing\/refund/);
  assert.ok(!diags.some((x) => x.code === 'duplicate-function-id'));
});

void test('go to definition from step.invoke function reference to the function', async () => {
  const defs = (await ws.conn.sendRequest(DefinitionRequest.type, {
    textDocument: { uri: ws.uri('apps/billing/src/functions.ts') },
    position: ws.pos('apps/billing/src/functions.ts', 'invokeRef'),
  })) as Location[];
  assert.equal(defs.length, 1, JSON.stringify(defs));
  assert.equal(defs[0]!.uri, ws.uri('apps/billing/src/functions.ts'));
  assert.equal(defs[0]!.range.start.line, ws.pos('apps/billing/src/functions.ts', 'receiptId').line);
});

void test('go to definition from a v4 event name to its eventType declaration; hover shows the staticSchema type', async () => {
  // fix the typo first, then navigate from the wait's event name
  await ws.open('apps/billing/src/functions.ts');
  const fixed = ws.nextDiagnostics('apps/billing/src/functions.ts', (p) => !p.diagnostics.some((d) => d.code === 'unknown-event'));
  await ws.change('apps/billing/src/functions.ts', BILLING_FNS.replace("'billing/ref/*@typo*/nd'", "'billing/ref/*@typo*/und'"));
  await fixed;
  const defs = (await ws.conn.sendRequest(DefinitionRequest.type, {
    textDocument: { uri: ws.uri('apps/billing/src/functions.ts') },
    position: ws.pos('apps/billing/src/functions.ts', 'typo'),
  })) as Location[];
  assert.equal(defs[0]?.uri, ws.uri('apps/billing/src/events.ts'));
  assert.equal(defs[0]!.range.start.line, ws.pos('apps/billing/src/events.ts', 'declRefund').line);
  const h = (await ws.conn.sendRequest(HoverRequest.type, {
    textDocument: { uri: ws.uri('apps/billing/src/functions.ts') },
    position: ws.pos('apps/billing/src/functions.ts', 'typo'),
  })) as Hover;
  const text = (h.contents as MarkupContent).value;
  assert.match(text, /invoiceId: string;/);
  assert.match(text, /reason\?: string;/);
});

void test('completion offers the v4 declared events in a wait', async () => {
  const items = (await ws.conn.sendRequest(CompletionRequest.type, {
    textDocument: { uri: ws.uri('apps/billing/src/functions.ts') },
    position: ws.pos('apps/billing/src/functions.ts', 'typo'),
  })) as CompletionItem[];
  const labels = items.map((i) => i.label);
  assert.ok(labels.includes('billing/invoice.paid'), JSON.stringify(labels));
  assert.ok(labels.includes('billing/refund'));
  const paid = items.find((i) => i.label === 'billing/invoice.paid')!;
  assert.ok(paid.textEdit && 'range' in paid.textEdit);
});

void test('events request: v4 zod schema as JSON Schema with an example', async () => {
  const { events } = await ws.conn.sendRequest(EventsRequest.type, {});
  const paid = events.find((e) => e.name === 'billing/invoice.paid')!;
  assert.ok(paid.dataSchema, JSON.stringify(paid));
  assert.equal(typeof paid.example['cents'], 'number');
  assert.deepEqual(paid.listeners, ['billing-receipt']);
});
