// Editor features over real stdio on a v3-style workspace (EventSchemas().fromRecord<T>() in another
// file): diagnostics, quick fixes, hover (event, cron, duration), completion (event names, event.data
// paths), definition, references, symbols and the custom requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentSymbolRequest,
  HoverRequest,
  ReferencesRequest,
  WorkspaceSymbolRequest,
  type CompletionItem,
  type DocumentSymbol,
  type Hover,
  type Location,
  type MarkupContent,
  type SymbolInformation,
  type CodeAction,
} from 'vscode-languageserver-protocol/node';
import { EventsRequest, FunctionsRequest, StepLocationRequest } from '../../../language-server/protocol';
import { TestWorkspace } from './harness';

const EVENTS = `export type Events = {
  /*@declSignup*/'app/user.signup': { data: { userId: string; email: string; plan?: 'free' | 'pro' } };
  'app/order.placed': { data: { orderId: string; amount: number } };
};
`;
const CLIENT = `import { Inngest, EventSchemas } from 'inngest';
import type { Events } from './events';
export const inngest = new Inngest({ id: 'shop', schemas: new EventSchemas().fromRecord<Events>() });
`;
const FNS = `import { inngest } from './client';

export const welcome = inngest.createFunction(
  { id: 'welcome' },
  { event: /*@typoStart*/'app/user.sin/*@typo*/gup'/*@typoEnd*/ },
  async ({ event, step }) => {
    await step.sleep('pause', '1h/*@dur*/30m');
    const order = await step.waitForEvent('order', { event: 'app/order.placed', timeout: '9/*@dur2*/0m', if: 'async.data.orderId == event.data.userId' });
    await step.run('email', () => order);
  },
);

export const onboard = inngest.createFunction({ id: 'onboard' }, { event: 'app/user.sig/*@trigger*/nup' }, async ({ step }) => {
  await step.run('first', () => 1);
  await step.run('second', () => 2);
});

export const nightly = inngest.createFunction({ id: 'nightly' }, { cron: 'TZ=Europe/Paris 0 /*@cron*/9 * * 1-5' }, async () => {});

export async function signup() {
  await inngest.send({ name: 'app/user./*@send*/signup', data: { userId: 'u', email: 'e@x.io' } });
}
`;

let ws: TestWorkspace;

function md(h: Hover | null): string {
  assert.ok(h, 'expected a hover');
  return (h.contents as MarkupContent).value;
}

before(async () => {
  ws = await TestWorkspace.start({
    files: {
      'package.json': JSON.stringify({ name: 'shop', dependencies: { inngest: '^3.54.0' } }),
      'src/events.ts': EVENTS,
      'src/client.ts': CLIENT,
      'src/functions.ts': FNS,
    },
  });
});

after(async () => {
  await ws?.dispose();
});

void test('unknown-event is published with its code, source and the literal range', async () => {
  const diags = await ws.waitForDiagnostics('src/functions.ts', (d) => d.some((x) => x.code === 'unknown-event'));
  const unknown = diags.filter((d) => d.code === 'unknown-event');
  assert.equal(unknown.length, 1, JSON.stringify(diags));
  assert.equal(unknown[0]!.source, 'steplens');
  assert.deepEqual(unknown[0]!.range, { start: ws.pos('src/functions.ts', 'typoStart'), end: ws.pos('src/functions.ts', 'typoEnd') });
  assert.match(unknown[0]!.message as string, /Did you mean "app\/user\.signup"/);
  // correct code elsewhere in the workspace gets nothing: opening a file always publishes its set
  for (const rel of ['src/events.ts', 'src/client.ts']) {
    const published = ws.nextDiagnostics(rel, (p) => p.version === 1);
    await ws.open(rel);
    assert.deepEqual((await published).diagnostics, [], rel);
    await ws.close(rel);
  }
});

void test('quick fixes: did-you-mean replacement and add the event to the fromRecord schema', async () => {
  const diags = await ws.waitForDiagnostics('src/functions.ts', (d) => d.some((x) => x.code === 'unknown-event'));
  const d = diags.find((x) => x.code === 'unknown-event')!;
  const actions = (await ws.conn.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: ws.uri('src/functions.ts') },
    range: d.range,
    context: { diagnostics: [d] },
  })) as CodeAction[];
  const replace = actions.find((a) => a.edit?.changes?.[ws.uri('src/functions.ts')]?.[0]?.newText === 'app/user.signup');
  assert.ok(replace, JSON.stringify(actions));
  assert.equal(replace.kind, 'quickfix');
  assert.equal(replace.isPreferred, true);
  const add = actions.find((a) => a.edit?.changes?.[ws.uri('src/events.ts')]);
  assert.ok(add, 'expected the add-to-schema fix');
  assert.match(add.edit!.changes![ws.uri('src/events.ts')]![0]!.newText, /app\/user\.singup/);
  // The same answer when the client drops the diagnostic's data.
  const again = (await ws.conn.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: ws.uri('src/functions.ts') },
    range: d.range,
    context: { diagnostics: [{ ...d, data: undefined }] },
  })) as CodeAction[];
  assert.equal(again.length, actions.length);
});

void test('hover on an event name shows its schema as a type, senders and listeners', async () => {
  const text = md(await ws.conn.sendRequest(HoverRequest.type, { textDocument: { uri: ws.uri('src/functions.ts') }, position: ws.pos('src/functions.ts', 'trigger') }));
  assert.match(text, /userId: string;/);
  assert.match(text, /plan\?: "free" \| "pro";/);
  assert.match(text, /Sent from\*\* 1 place/);
  assert.match(text, /shop-onboard/);
  assert.match(text, /src\/events\.ts:2/);
});

void test('hover on a cron string: plain words and the next five runs in its time zone', async () => {
  const text = md(await ws.conn.sendRequest(HoverRequest.type, { textDocument: { uri: ws.uri('src/functions.ts') }, position: ws.pos('src/functions.ts', 'cron') }));
  assert.match(text, /09:00/);
  assert.match(text, /Monday through Friday/);
  assert.match(text, /Europe\/Paris/);
  const runs = text.split('\n').filter((l) => /^- (Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 09:00 /.test(l));
  assert.equal(runs.length, 5, text);
});

void test('hover on a duration: its length, or why the SDK rejects it (as the invalid-duration diagnostic says)', async () => {
  const valid = md(await ws.conn.sendRequest(HoverRequest.type, { textDocument: { uri: ws.uri('src/functions.ts') }, position: ws.pos('src/functions.ts', 'dur2') }));
  assert.match(valid, /1 hour 30 minutes/);
  assert.match(valid, /5,400,000 ms/);
  // step.sleep's duration is parsed by the SDK with `ms`, which takes one number and unit: "1h30m" is rejected.
  const rejected = md(await ws.conn.sendRequest(HoverRequest.type, { textDocument: { uri: ws.uri('src/functions.ts') }, position: ws.pos('src/functions.ts', 'dur') }));
  assert.match(rejected, /not a duration the SDK accepts/);
  assert.doesNotMatch(rejected, /1 hour 30 minutes/);
  await ws.waitForDiagnostics('src/functions.ts', (d) => d.some((x) => x.code === 'invalid-duration' && JSON.stringify(x.message).includes('1h30m')), 'the invalid-duration diagnostic on "1h30m"');
});

void test('hover inside an expression shows the data types of event and async', async () => {
  const line = ws.text('src/functions.ts').split('\n').findIndex((l) => l.includes('async.data.orderId'));
  const character = (ws.text('src/functions.ts').split('\n')[line] as string).indexOf('async.data.orderId') + 3;
  const text = md(await ws.conn.sendRequest(HoverRequest.type, { textDocument: { uri: ws.uri('src/functions.ts') }, position: { line, character } }));
  assert.match(text, /`async` is `app\/order\.placed`/);
  assert.match(text, /orderId: string;/);
});

void test('completion of event names inside a trigger string', async () => {
  const items = (await ws.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: ws.uri('src/functions.ts') }, position: ws.pos('src/functions.ts', 'typo') })) as CompletionItem[];
  const labels = items.map((i) => i.label);
  assert.ok(labels.includes('app/user.signup'), JSON.stringify(labels));
  assert.ok(labels.includes('app/order.placed'));
  assert.ok(!labels.includes('app/user.singup'), 'the typo itself is not offered');
});

void test('completion of event names in a string the analysis does not know yet, and of event.data paths in expressions', async () => {
  await ws.write('src/draft.ts', '');
  await ws.open('src/draft.ts');
  const draft = `import { inngest } from './client';
export const draft = inngest.createFunction({ id: 'draft' }, { event: 'app/user.signup' }, async ({ step }) => {
  await step.waitForEvent('w', { event: 'app/order.placed', timeout: '1h', if: 'event.data./*@evPath*/ == async.data./*@asyncPath*/' });
  await step.waitForEvent('m', { event: 'app/order.placed', timeout: '1h', match: 'data./*@matchPath*/' });
  await inngest.send({ name: 'ap/*@sendName*/' });
});
`;
  const seen = ws.nextDiagnostics('src/draft.ts');
  await ws.change('src/draft.ts', draft);
  await seen;
  const at = (m: string) => ws.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: ws.uri('src/draft.ts') }, position: ws.pos('src/draft.ts', m) }) as Promise<CompletionItem[]>;
  const ev = (await at('evPath')).map((i) => i.label).sort();
  assert.deepEqual(ev, ['email', 'plan', 'userId']);
  const asyncItems = (await at('asyncPath')).map((i) => i.label).sort();
  assert.deepEqual(asyncItems, ['amount', 'orderId']);
  const matchItems = (await at('matchPath')).map((i) => i.label).sort();
  assert.deepEqual(matchItems, ['amount', 'email', 'orderId', 'plan', 'userId']);
  const names = (await at('sendName')).map((i) => i.label);
  assert.ok(names.includes('app/user.signup'), JSON.stringify(names));
  const gone = ws.nextIndexChanged((p) => p.functionCount === 3);
  await ws.close('src/draft.ts');
  await gone;
});

void test('go to definition from an event name to its schema declaration', async () => {
  const defs = (await ws.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: ws.uri('src/functions.ts') }, position: ws.pos('src/functions.ts', 'send') })) as Location[];
  assert.equal(defs.length, 1);
  assert.equal(defs[0]!.uri, ws.uri('src/events.ts'));
  assert.equal(defs[0]!.range.start.line, ws.pos('src/events.ts', 'declSignup').line);
});

void test('find references of an event: declaration, trigger and send', async () => {
  const refs = (await ws.conn.sendRequest(ReferencesRequest.type, {
    textDocument: { uri: ws.uri('src/functions.ts') },
    position: ws.pos('src/functions.ts', 'trigger'),
    context: { includeDeclaration: true },
  })) as Location[];
  const where = refs.map((r) => `${r.uri.slice(r.uri.lastIndexOf('/') + 1)}:${r.range.start.line}`).sort();
  assert.ok(where.includes(`events.ts:${ws.pos('src/events.ts', 'declSignup').line}`), JSON.stringify(where));
  assert.ok(where.includes(`functions.ts:${ws.pos('src/functions.ts', 'trigger').line}`));
  assert.ok(where.includes(`functions.ts:${ws.pos('src/functions.ts', 'send').line}`));
  const noDecl = (await ws.conn.sendRequest(ReferencesRequest.type, {
    textDocument: { uri: ws.uri('src/functions.ts') },
    position: ws.pos('src/functions.ts', 'trigger'),
    context: { includeDeclaration: false },
  })) as Location[];
  assert.equal(noDecl.length, refs.length - 1);
});

void test('document symbols: functions with their steps; workspace symbols by query', async () => {
  const syms = (await ws.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: ws.uri('src/functions.ts') } })) as DocumentSymbol[];
  const fns = syms.filter((s) => s.kind === 12 /* Function */);
  assert.deepEqual(fns.map((s) => s.name), ['welcome', 'onboard', 'nightly']);
  assert.deepEqual(fns[1]!.children!.map((c) => c.name), ['first', 'second']);
  assert.deepEqual(fns[0]!.children!.map((c) => c.name), ['pause', 'order', 'email']);
  const wsyms = (await ws.conn.sendRequest(WorkspaceSymbolRequest.type, { query: 'onbo' })) as SymbolInformation[];
  assert.deepEqual(wsyms.map((s) => s.name), ['onboard']);
  const evSyms = (await ws.conn.sendRequest(WorkspaceSymbolRequest.type, { query: 'order.pl' })) as SymbolInformation[];
  assert.ok(evSyms.some((s) => s.name === 'app/order.placed' && s.location.uri === ws.uri('src/events.ts')));
});

void test('custom requests: functions with triggers and steps, events with schema and example, step locations', async () => {
  const { functions } = await ws.conn.sendRequest(FunctionsRequest.type, {});
  const slugs = functions.map((f) => f.slug).sort();
  assert.deepEqual(slugs, ['shop-nightly', 'shop-onboard', 'shop-welcome']);
  const nightly = functions.find((f) => f.slug === 'shop-nightly')!;
  const cron = nightly.triggers[0]!;
  assert.equal(cron.kind, 'cron');
  assert.match((cron as { description?: string }).description ?? '', /09:00.*Europe\/Paris/);
  const next = new Date((cron as { nextRun?: string }).nextRun ?? NaN);
  assert.ok(next.getTime() > Date.now(), 'nextRun is in the future');
  const parisHour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hour12: false }).format(next);
  assert.equal(parisHour, '09');
  const onboard = functions.find((f) => f.slug === 'shop-onboard')!;
  assert.deepEqual(onboard.steps.map((s) => s.id), ['first', 'second']);
  const only = await ws.conn.sendRequest(FunctionsRequest.type, { uri: ws.uri('src/events.ts') });
  assert.deepEqual(only.functions, []);

  const { events } = await ws.conn.sendRequest(EventsRequest.type, {});
  const signup = events.find((e) => e.name === 'app/user.signup')!;
  assert.ok(signup.dataSchema);
  assert.equal(typeof signup.example['email'], 'string');
  assert.deepEqual(signup.listeners, ['shop-onboard']);

  const loc = await ws.conn.sendRequest(StepLocationRequest.type, { functionId: 'shop-onboard', stepId: 'second' });
  assert.ok(loc);
  assert.equal(loc.uri, ws.uri('src/functions.ts'));
  assert.equal(loc.range.start.line, ws.text('src/functions.ts').split('\n').findIndex((l) => l.includes("'second'")));
});

void test('an edit re-indexes: indexChanged follows and the functions request sees the new id', async () => {
  await ws.open('src/functions.ts');
  const changed = ws.nextIndexChanged();
  await ws.change('src/functions.ts', FNS.replace("id: 'onboard'", "id: 'onboarding'"));
  const p = await changed;
  assert.equal(p.functionCount, 3);
  const { functions, version } = await ws.conn.sendRequest(FunctionsRequest.type, {});
  assert.ok(version >= p.version);
  assert.ok(functions.some((f) => f.slug === 'shop-onboarding'));
  // fixing the typo clears the diagnostic
  const cleared = ws.nextDiagnostics('src/functions.ts', (x) => !x.diagnostics.some((d) => d.code === 'unknown-event'));
  await ws.change('src/functions.ts', FNS.replace('app/user.sin/*@typo*/gup', 'app/user.signup'));
  await cleared;
  await ws.close('src/functions.ts');
});
