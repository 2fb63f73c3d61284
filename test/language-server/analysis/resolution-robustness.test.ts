// Clients, factories, class fields, enums, trigger lists and package.json SDK ranges read from
// partial text (every prefix of the sources, as while typing) and from self-referencing values: the
// analysis logs no error and answers every query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkspaceIndex, type LogLevel } from '../../../language-server/analysis/index';

const SOURCES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'app', dependencies: { inngest: '^3.2.0', 'inngest-v4': 'npm:inngest@4.1.0' } }),
  'lib/client.ts': `import { Inngest, cron } from 'inngest';
export enum Events { Done = 'app/done', Started = 'app/started' }
export const TRIGGERS = [{ event: Events.Done }, { cron: '0 * * * *' }, cron('5 * * * *'), ...MORE] as const;
export const MORE = [{ event: 'app/more', if: 'event.data.ok' }];
export function createClient(cfg: { id: string }, name = 'x') { if (!cfg) throw new Error(name); const c = new Inngest({ ...cfg }); return c; }
export const make = ({ appId }: { appId: string }) => new Inngest({ id: \`\${appId}-svc\` });`,
  'fns.ts': `import { createClient, make, Events, TRIGGERS } from './lib/client';
import { Inngest } from 'npm:inngest@3';
const a = createClient({ id: 'a' });
const b = make({ appId: 'b' });
export class Jobs {
  private inngest = new Inngest({ id: 'jobs' });
  private other;
  constructor() { this.other = a; }
  readonly f = this.inngest.createFunction({ id: 'f' }, [...TRIGGERS], async ({ step }) => { await step.waitForEvent('w', { event: Events.Started, timeout: '1h' }); });
  readonly g = this.other.createFunction({ id: 'g', triggers: TRIGGERS }, async () => 1);
}
export const h = b.createFunction({ id: 'h' }, { event: Events.Done }, async () => 1);
await a.send({ name: Events.Started });`,
};

void test('every prefix of the new constructs is analysed without an error log', () => {
  const lines: { level: LogLevel; message: string }[] = [];
  const index = new WorkspaceIndex({ logger: { log: (level, message) => void lines.push({ level, message }) } });
  for (const [name, text] of Object.entries(SOURCES)) index.setFile(`file:///ws/${name}`, text);
  assert.equal(index.functions().length, 3);
  for (const [name, text] of Object.entries(SOURCES)) {
    const uri = `file:///ws/${name}`;
    for (let end = 0; end <= text.length; end += 7) {
      index.setFile(uri, text.slice(0, end));
      index.functions();
      index.events();
      index.diagnostics(uri);
      index.diagnostics('file:///ws/fns.ts');
      index.file(uri);
    }
    index.setFile(uri, text);
  }
  assert.deepEqual(lines.filter((l) => l.level === 'error'), []);
  const slugs = index.functions().map((f) => f.slug).sort();
  assert.deepEqual(slugs, ['a-g', 'b-svc-h', 'jobs-f']);
});

void test('values that refer to themselves or each other end (no endless expansion)', () => {
  const lines: { level: LogLevel; message: string }[] = [];
  const index = new WorkspaceIndex({ logger: { log: (level, message) => void lines.push({ level, message }) } });
  index.setFile('file:///ws/a.ts', `import { Inngest } from 'inngest';
import { B } from './b';
export const A = [...B, { event: 'app/a' }];
export const SELF = [...SELF];
export const mk = (id: string) => mk2(id);
export const mk2 = (id: string) => mk(id);
const inngest = new Inngest({ id: 'app' });
const loop = mk('x');
export const f = inngest.createFunction({ id: 'f' }, [...A, ...SELF], async () => 1);
export const g = loop.createFunction({ id: 'g' }, A, async () => 1);`);
  index.setFile('file:///ws/b.ts', `import { A } from './a';
export const B = [...A, { event: 'app/b' }];`);
  const fns = index.functions();
  assert.deepEqual(lines.filter((l) => l.level === 'error'), []);
  const f = fns.find((x) => x.id === 'f')!;
  assert.ok(f.triggers.some((t) => t.kind === 'event' && t.event === 'app/a'));
  assert.equal(fns.find((x) => x.id === 'g')?.appIdUnresolved, true);
});
