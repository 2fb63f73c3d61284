// A document opened while the server is still indexing: its diagnostics wait for the whole index,
// so what other files declare (schemas, listeners) and that is not read yet causes no false report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestWorkspace } from './harness';

const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'early', dependencies: { inngest: '^3.54.0' } }),
  'src/a-app.ts': `import { Inngest, EventSchemas } from 'inngest';
import type { Events } from './z-events';
export const inngest = new Inngest({ id: 'early', schemas: new EventSchemas().fromRecord<Events>() });
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/declared.later' }, async ({ step }) => {
  await step.run('x', () => 1);
});
export async function ping() {
  await inngest.send({ name: 'app/ping', data: {} });
}
`,
  'src/z-listener.ts': `import { inngest } from './a-app';
export const g = inngest.createFunction({ id: 'g' }, { event: 'app/ping' }, async () => {});
`,
  'src/z-events.ts': `export type Events = { 'app/declared.later': { data: { id: string } }; 'app/ping': { data: {} } };\n`,
};
// Many other files so the crawl takes a while after the open.
for (let i = 0; i < 300; i++) files[`src/pad/m${i}.ts`] = `export const m${i} = ${i};\n`;

let ws: TestWorkspace;

before(async () => {
  ws = await TestWorkspace.start({ files, openOnStart: ['src/a-app.ts'] });
});

after(async () => {
  await ws?.dispose();
});

void test('no false unknown-event or event-without-listener for a document opened during the first crawl, and it does get its diagnostics', async () => {
  const first = await ws.waitForDiagnostics('src/a-app.ts', (_d, p) => p.version === 1);
  assert.deepEqual(first, []);
  const mine = ws.published.filter((p) => p.uri === ws.uri('src/a-app.ts'));
  assert.ok(mine.length >= 1);
  for (const p of mine) assert.deepEqual(p.diagnostics, [], 'no unknown-event, no event-without-listener');
});

void test('a minimal client (no progress, no configuration pull, no dynamic registration) still gets the index, with settings from initializationOptions', async () => {
  const minimal = await TestWorkspace.start({
    files: {
      'package.json': JSON.stringify({ name: 'min', dependencies: { inngest: '^3.54.0' } }),
      'src/app.ts': `import { Inngest } from 'inngest';\nconst i = new Inngest({ id: 'min' });\nexport const f = i.createFunction({ id: 'f' }, { event: 'a/b' }, async () => {});\n`,
      'skip/app.ts': `import { Inngest } from 'inngest';\nconst i = new Inngest({ id: 'min' });\nexport const g = i.createFunction({ id: 'g' }, { event: 'a/b' }, async () => {});\n`,
    },
    capabilities: {},
    initializationOptions: { exclude: ['skip/**'] },
  });
  try {
    assert.deepEqual(minimal.progress, []);
    assert.equal(minimal.indexChanges[0]?.functionCount, 1);
  } finally {
    await minimal.dispose();
  }
});
