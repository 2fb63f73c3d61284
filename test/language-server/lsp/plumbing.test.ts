// The server's plumbing over real stdio: start-up with work-done progress, the first indexChanged,
// custom requests answering, diagnostics after every edit, files created/deleted on disk, exclusions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import {
  HoverRequest,
  CompletionRequest,
  DocumentSymbolRequest,
  DidRenameFilesNotification,
  DidChangeConfigurationNotification,
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  InitializeRequest,
  ShutdownRequest,
} from 'vscode-languageserver-protocol/node';
import { EventsRequest, FunctionsRequest, StepLocationRequest } from '../../../language-server/protocol';
import { SERVER_JS, TestWorkspace } from './harness';

const APP = `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'shop' });
export const hello = inngest.createFunction({ id: 'hello' }, { event: 'app/hello' }, async ({ step }) => {
  await step.run('greet', () => 'hi');
});
`;

let ws: TestWorkspace;

before(async () => {
  ws = await TestWorkspace.start({
    files: {
      'package.json': JSON.stringify({ name: 'shop', dependencies: { inngest: '^3.0.0' } }),
      'src/app.ts': APP,
      'node_modules/inngest/index.ts': 'export const ignored = 1;',
      'dist/app.js': 'export const ignored = 1;',
      'generated/big.ts': 'export const ignored = 1;',
    },
    configuration: { exclude: ['generated/**'] },
  });
});

after(async () => {
  await ws?.dispose();
});

void test('start-up reports work-done progress from begin to end and one indexChanged', () => {
  const kinds = ws.progress.map((p) => (p.value as { kind: string }).kind);
  assert.equal(kinds[0], 'begin');
  assert.equal(kinds.at(-1), 'end');
  assert.ok(ws.indexChanges.length >= 1);
  assert.equal(typeof ws.indexChanges[0]?.version, 'number');
});

void test('advertises the features it serves', () => {
  const caps = ws.initializeResult?.capabilities;
  assert.ok(caps?.hoverProvider);
  assert.ok(caps?.completionProvider);
  assert.ok(caps?.definitionProvider);
  assert.ok(caps?.referencesProvider);
  assert.ok(caps?.documentSymbolProvider);
  assert.ok(caps?.workspaceSymbolProvider);
  assert.ok(caps?.codeActionProvider);
});

void test('custom requests answer with the index version', async () => {
  const fns = await ws.conn.sendRequest(FunctionsRequest.type, {});
  assert.ok(Array.isArray(fns.functions));
  assert.equal(typeof fns.version, 'number');
  const evs = await ws.conn.sendRequest(EventsRequest.type, {});
  assert.ok(Array.isArray(evs.events));
  const loc = await ws.conn.sendRequest(StepLocationRequest.type, { functionId: 'nope', stepId: 'nope' });
  assert.equal(loc, null);
});

void test('skips node_modules, build output and excluded globs', async () => {
  const fns = await ws.conn.sendRequest(FunctionsRequest.type, {});
  for (const f of fns.functions) {
    assert.ok(!/node_modules|\/dist\/|\/generated\//.test(f.uri), f.uri);
  }
  // Diagnostics are only ever published for indexed files.
  for (const uri of ws.diagnostics.keys()) assert.ok(!/node_modules|\/dist\/|\/generated\//.test(uri), uri);
});

void test('every edit gets diagnostics tagged with the document version', async () => {
  await ws.open('src/app.ts');
  const next = ws.nextDiagnostics('src/app.ts', (p) => p.version === 2);
  const v = await ws.change('src/app.ts', APP.replace("'greet'", "'greet-2'"));
  assert.equal(v, 2);
  const p = await next;
  assert.equal(p.version, 2);
});

void test('requests on unknown files answer instead of failing', async () => {
  const uri = ws.uri('src/missing.ts');
  assert.equal(await ws.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } }), null);
  assert.deepEqual(await ws.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } }), []);
  assert.deepEqual(await ws.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }), []);
});

void test('a file created and then deleted on disk bumps the index each time', async () => {
  const created = ws.nextIndexChanged();
  await ws.write('src/other.ts', APP.replace("'hello'", "'other'"));
  await ws.notifyWatched([{ rel: 'src/other.ts', type: 'created' }]);
  const a = await created;
  const deleted = ws.nextIndexChanged();
  await ws.remove('src/other.ts');
  await ws.notifyWatched([{ rel: 'src/other.ts', type: 'deleted' }]);
  const b = await deleted;
  assert.ok(b.version > a.version);
  assert.ok(ws.isAlive);
});

void test('a file renamed on disk (workspace/didRenameFiles) moves its functions to the new URI', async () => {
  await ws.write('src/renamed-a.ts', APP.replace("'hello'", "'renamed'"));
  await ws.notifyWatched([{ rel: 'src/renamed-a.ts', type: 'created' }]);
  await ws.nextIndexChanged();
  const before = await ws.conn.sendRequest(FunctionsRequest.type, {});
  assert.equal(before.functions.find((f) => f.id === 'renamed')?.uri, ws.uri('src/renamed-a.ts'));
  await rename(join(ws.root, 'src/renamed-a.ts'), join(ws.root, 'src/renamed-b.ts'));
  const moved = ws.nextIndexChanged();
  await ws.conn.sendNotification(DidRenameFilesNotification.type, { files: [{ oldUri: ws.uri('src/renamed-a.ts'), newUri: ws.uri('src/renamed-b.ts') }] });
  await moved;
  const after = await ws.conn.sendRequest(FunctionsRequest.type, {});
  assert.deepEqual(after.functions.filter((f) => f.id === 'renamed').map((f) => f.uri), [ws.uri('src/renamed-b.ts')]);
});

void test('a settings change that excludes a folder drops its files from the index', async () => {
  await ws.write('legacy/old.ts', APP.replace("'hello'", "'legacy-fn'"));
  await ws.notifyWatched([{ rel: 'legacy/old.ts', type: 'created' }]);
  await ws.nextIndexChanged();
  assert.ok((await ws.conn.sendRequest(FunctionsRequest.type, {})).functions.some((f) => f.id === 'legacy-fn'));
  const dropped = ws.nextIndexChanged();
  // this client answers workspace/configuration; didChangeConfiguration makes the server ask again
  ws.configuration = { exclude: ['generated/**', 'legacy/**'] };
  await ws.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  await dropped;
  assert.ok(!(await ws.conn.sendRequest(FunctionsRequest.type, {})).functions.some((f) => f.id === 'legacy-fn'));
});

void test('the server also speaks over node IPC (how the extension starts it)', async () => {
  const proc = fork(SERVER_JS, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const conn = createProtocolConnection(new IPCMessageReader(proc), new IPCMessageWriter(proc));
  conn.listen();
  try {
    const res = await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} });
    assert.ok(res.capabilities.hoverProvider);
    await conn.sendRequest(ShutdownRequest.type);
  } finally {
    conn.dispose();
    proc.kill();
  }
});

void test('event-without-listener is a hint tagged unnecessary, and the hints setting switches it off', async () => {
  await ws.write('src/lonely.ts', `import { inngest } from './app';\nexport async function ping() {\n  await inngest.send({ name: 'app/lonely', data: {} });\n}\n`);
  const withHint = ws.nextDiagnostics('src/lonely.ts', (p) => p.version === 1);
  await ws.open('src/lonely.ts');
  const hint = (await withHint).diagnostics.find((d) => d.code === 'event-without-listener');
  assert.ok(hint, 'expected the hint');
  assert.equal(hint.severity, 4 /* Hint */);
  assert.deepEqual(hint.tags, [1 /* Unnecessary */]);
  ws.configuration = { exclude: ['generated/**', 'legacy/**'], hints: false };
  const silenced = ws.nextDiagnostics('src/lonely.ts', (p) => !p.diagnostics.some((d) => d.code === 'event-without-listener'));
  await ws.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  await silenced;
  await ws.close('src/lonely.ts');
});
