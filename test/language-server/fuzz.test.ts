// Fuzz: feed the BUILT server (over stdio) hundreds of mutated sources, random deletions, insertions,
// truncations and token soup, from v3 and v4 fixtures, with a deterministic seed; after each edit ask
// a random feature at a random position. The server must never crash, must answer every request, and
// must publish diagnostics for the last version it was sent.
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
  type Position,
} from 'vscode-languageserver-protocol/node';
import { EventsRequest, FunctionsRequest, StepLocationRequest } from '../../language-server/protocol';
import { TestWorkspace } from './lsp/harness';

const SEED = Number(process.env.STEPLENS_FUZZ_SEED ?? 0x5eed);
const ROUNDS = Number(process.env.STEPLENS_FUZZ_ROUNDS ?? 600);

const V3 = `import { Inngest, EventSchemas } from 'inngest';
type Events = {
  'app/user.signup': { data: { userId: string; email: string } };
  'app/order.placed': { data: { orderId: string; amount: number } };
};
export const inngest = new Inngest({ id: 'shop', schemas: new EventSchemas().fromRecord<Events>() });
export const welcome = inngest.createFunction(
  { id: 'welcome', cancelOn: [{ event: 'app/order.placed', if: 'async.data.orderId == event.data.userId' }], concurrency: { limit: 1, key: 'event.data.userId' } },
  [{ event: 'app/user.signup' }, { cron: 'TZ=Europe/Paris 0 9 * * 1-5' }],
  async ({ event, step }) => {
    await step.sleep('pause', '1h30m');
    const o = await step.waitForEvent('order', { event: 'app/order.placed', timeout: '1d', match: 'data.orderId' });
    await Promise.all([step.run('a', () => 1), step.run('b', () => 2)]);
    await step.run('outer', async () => { await step.run('inner', () => 0); });
    step.sendEvent('s', { name: 'app/user.signup', data: { userId: 'u', email: 'e' } });
    await step.invoke('call', { function: welcome, data: {} });
    return o;
  },
);
`;
const V4 = `import { Inngest, eventType, staticSchema, cron } from 'inngest';
import { z } from 'zod';
const paid = eventType('billing/paid', { schema: z.object({ id: z.string(), cents: z.number().int() }) });
const refund = eventType('billing/refund', { schema: staticSchema<{ id: string }>() });
const inngest = new Inngest({ id: 'billing' });
export const f = inngest.createFunction({ id: 'f', triggers: [paid, cron('*/5 * * * *'), { event: 'billing/refund', if: 'event.data.id != ""' }] }, async ({ step }) => {
  await step.waitForEvent('w', { event: refund, timeout: '2h', if: 'async.data.id == event.data.id' });
  await inngest.send({ name: 'billing/paid', data: { id: 'x', cents: 'nope' } });
});
`;

const TOKENS = ['{', '}', '(', ')', '[', ']', "'", '"', '`', ',', ';', '.', 'step.run(', 'step.', 'await ', 'createFunction(', 'event:', 'new Inngest(', '${', '*/', '/*', '\\', '\n', 'ü', '😀', '\u2028', 'if: "', 'cron(', '{ event: ', '.fromRecord<', '=>'];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: string, r: () => number): string {
  let s = src;
  const ops = 1 + Math.floor(r() * 4);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const k = r();
    if (k < 0.35) s = s.slice(0, at) + s.slice(Math.min(s.length, at + 1 + Math.floor(r() * 40)));
    else if (k < 0.7) s = s.slice(0, at) + (TOKENS[Math.floor(r() * TOKENS.length)] as string) + s.slice(at);
    else if (k < 0.8) s = s.slice(0, at);
    else if (k < 0.9) {
      const from = Math.floor(r() * s.length);
      s = s.slice(0, at) + s.slice(from, from + Math.floor(r() * 80)) + s.slice(at);
    } else s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 0xffff)) + s.slice(at);
  }
  return s;
}

function randomPosition(text: string, r: () => number): Position {
  const lines = text.split('\n');
  const line = Math.floor(r() * (lines.length + 1));
  const len = lines[line]?.length ?? 0;
  return { line, character: Math.floor(r() * (len + 2)) };
}

let ws: TestWorkspace;

before(async () => {
  ws = await TestWorkspace.start({
    files: {
      'v3/package.json': JSON.stringify({ name: 'v3', dependencies: { inngest: '^3.54.0' } }),
      'v3/app.ts': V3,
      'v4/package.json': JSON.stringify({ name: 'v4', dependencies: { inngest: '^4.24.0' } }),
      'v4/app.ts': V4,
    },
  });
});

after(async () => {
  await ws?.dispose();
});

void test(`mutated sources never crash the server and every request is answered (seed ${SEED}, ${ROUNDS} rounds)`, async () => {
  const r = rng(SEED);
  const files = ['v3/app.ts', 'v4/app.ts'] as const;
  for (const f of files) await ws.open(f);
  const versions: Record<string, number> = {};
  const texts: Record<string, string> = { 'v3/app.ts': V3, 'v4/app.ts': V4 };
  for (let round = 0; round < ROUNDS; round++) {
    const file = files[round % 2] as string;
    // mostly drift from the previous mutation, sometimes restart from the clean fixture
    const base = r() < 0.2 ? (file === 'v3/app.ts' ? V3 : V4) : (texts[file] as string);
    const text = mutate(base, r);
    texts[file] = text;
    const uri = ws.uri(file);
    versions[file] = (versions[file] ?? 1) + 1;
    await ws.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: versions[file] }, contentChanges: [{ text }] });
    const pos = randomPosition(text, r);
    const td = { textDocument: { uri }, position: pos };
    const which = Math.floor(r() * 10);
    const ctx = `round ${round}, seed ${SEED}, request ${which} at ${JSON.stringify(pos)}`;
    try {
      switch (which) {
        case 0:
          await ws.conn.sendRequest(HoverRequest.type, td);
          break;
        case 1:
          assert.ok(Array.isArray(await ws.conn.sendRequest(CompletionRequest.type, td)), ctx);
          break;
        case 2:
          await ws.conn.sendRequest(DefinitionRequest.type, td);
          break;
        case 3:
          await ws.conn.sendRequest(ReferencesRequest.type, { ...td, context: { includeDeclaration: true } });
          break;
        case 4:
          await ws.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
          break;
        case 5:
          await ws.conn.sendRequest(WorkspaceSymbolRequest.type, { query: text.slice(pos.character, pos.character + 2) });
          break;
        case 6: {
          const diags = ws.diagnostics.get(uri)?.diagnostics ?? [];
          await ws.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: pos, end: pos }, context: { diagnostics: diags } });
          break;
        }
        case 7:
          assert.ok(Array.isArray((await ws.conn.sendRequest(FunctionsRequest.type, {})).functions), ctx);
          break;
        case 8:
          assert.ok(Array.isArray((await ws.conn.sendRequest(EventsRequest.type, {})).events), ctx);
          break;
        default:
          await ws.conn.sendRequest(StepLocationRequest.type, { functionId: 'shop-welcome', stepId: 'pause' });
      }
    } catch (err) {
      assert.fail(`${ctx}: ${(err as Error).message}\nlast text:\n${text}`);
    }
    assert.ok(ws.isAlive, `server exited at ${ctx}`);
  }
  // The last version of each file gets its diagnostics, and the server still answers.
  for (const f of files) {
    const v = versions[f] as number;
    await ws.waitForDiagnostics(f, (_d, p) => p.version === v, `diagnostics for the last version of ${f}`);
  }
  const { functions } = await ws.conn.sendRequest(FunctionsRequest.type, {});
  assert.ok(Array.isArray(functions));
  const errors = ws.logs.filter((l) => /failed|uncaught|unhandled/i.test(l));
  assert.deepEqual(errors, [], 'no handler failed along the way');
});

void test('garbage on disk (binary bytes, a huge line) is indexed without harm', async () => {
  const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
  await ws.write('junk/bin.js', bytes.replaceAll('/*@', '/* @'));
  await ws.write('junk/long.ts', `export const x = ${'['.repeat(5000)}${']'.repeat(5000)};\n`);
  const changed = ws.nextIndexChanged();
  await ws.notifyWatched([
    { rel: 'junk/bin.js', type: 'created' },
    { rel: 'junk/long.ts', type: 'created' },
  ]);
  await changed;
  const { functions } = await ws.conn.sendRequest(FunctionsRequest.type, {});
  assert.ok(Array.isArray(functions));
  assert.ok(ws.isAlive);
});
