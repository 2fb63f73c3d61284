// Multi-root workspaces and robustness over real stdio: several workspace folders (one per app),
// a folder added while running, a multi-megabyte generated file (read shallowly, said once), and a
// file full of syntax errors next to good code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DidChangeWorkspaceFoldersNotification } from 'vscode-languageserver-protocol/node';
import { FunctionsRequest } from '../../../language-server/protocol';
import { TestWorkspace } from './harness';

const app = (id: string, fn: string): string => `import { Inngest } from 'inngest';
const inngest = new Inngest({ id: '${id}' });
export const f = inngest.createFunction({ id: '${fn}' }, { event: '${id}/go' }, async ({ step }) => {
  await step.run('one', () => 1);
});
`;

let ws: TestWorkspace;

before(async () => {
  const big = `// generated\n${Array.from({ length: 60_000 }, (_, i) => `export const v${i} = { id: ${i}, name: 'item-${i}', tags: ['a', 'b'] };`).join('\n')}\n${app('gen', 'hidden').replace(/^import.*\n/, "import { Inngest } from 'inngest';\n")}`;
  ws = await TestWorkspace.start({
    folders: ['one', 'two'],
    configuration: { maxFileSize: 1_000_000 },
    files: {
      'one/package.json': JSON.stringify({ name: 'one', dependencies: { inngest: '^3.54.0' } }),
      'one/src/app.ts': app('one', 'alpha'),
      'one/src/generated.ts': big,
      'one/src/broken.ts': `import { Inngest } from 'inngest';\nconst i = new Inngest({ id: 'one' });\nexport const b = i.createFunction({ id: 'broken' }, { event: 'x' }, async ({ step }) => {\n  await step.run('a', () => {{{ ;\n  )))) createFunction( \`\${\n`,
      'two/package.json': JSON.stringify({ name: 'two', dependencies: { inngest: '^3.54.0' } }),
      'two/src/app.ts': app('two', 'beta'),
      'three/package.json': JSON.stringify({ name: 'three', dependencies: { inngest: '^3.54.0' } }),
      'three/src/app.ts': app('three', 'gamma'),
    },
  });
});

after(async () => {
  await ws?.dispose();
});

void test('every workspace folder is indexed, and only those', async () => {
  const { functions } = await ws.conn.sendRequest(FunctionsRequest.type, {});
  const slugs = functions.map((f) => f.slug);
  assert.ok(slugs.includes('one-alpha'), JSON.stringify(slugs));
  assert.ok(slugs.includes('two-beta'));
  assert.ok(!slugs.includes('three-gamma'));
});

void test('a file above maxFileSize is read shallowly and the server says so once', async () => {
  const { functions } = await ws.conn.sendRequest(FunctionsRequest.type, {});
  assert.ok(!functions.some((f) => f.slug.endsWith('hidden')), 'the function at the end of the generated file is not analysed');
  const said = ws.logs.filter((l) => l.includes('generated.ts') && l.includes('maxFileSize'));
  assert.equal(said.length, 1, ws.logs.join('\n'));
});

void test('a file full of syntax errors does not stop the rest', async () => {
  const { functions } = await ws.conn.sendRequest(FunctionsRequest.type, {});
  assert.ok(functions.some((f) => f.slug === 'one-alpha'));
  assert.ok(ws.isAlive);
});

void test('a folder added at run time is crawled; a removed one leaves the index', async () => {
  const added = ws.nextIndexChanged((p) => p.functionCount >= 3);
  await ws.conn.sendNotification(DidChangeWorkspaceFoldersNotification.type, {
    event: { added: [{ uri: ws.uri('three'), name: 'three' }], removed: [] },
  });
  await added;
  let slugs = (await ws.conn.sendRequest(FunctionsRequest.type, {})).functions.map((f) => f.slug);
  assert.ok(slugs.includes('three-gamma'), JSON.stringify(slugs));
  const removed = ws.nextIndexChanged();
  await ws.conn.sendNotification(DidChangeWorkspaceFoldersNotification.type, {
    event: { added: [], removed: [{ uri: ws.uri('two'), name: 'two' }] },
  });
  await removed;
  slugs = (await ws.conn.sendRequest(FunctionsRequest.type, {})).functions.map((f) => f.slug);
  assert.ok(!slugs.includes('two-beta'), JSON.stringify(slugs));
  assert.ok(slugs.includes('one-alpha'));
});
