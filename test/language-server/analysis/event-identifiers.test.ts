// Editor features on event names written as identifiers (real-world audit P6): a v4 eventType
// value in `triggers` / `waitForEvent`, and v3 string constants in `{ event: CONST }` and in their
// declaration: hover shows the event, definition goes to its declaration, references list the uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hover } from '../../../language-server/features/hover';
import { definition, references } from '../../../language-server/features/navigation';
import { uri, workspace } from './fixture';

const display = (u: string): string => u;

void test('P6: v4 eventType identifiers in triggers and waitForEvent', () => {
  const { index, fx } = workspace({
    'package.json': JSON.stringify({ name: 'a', dependencies: { inngest: '^4.2.0' } }),
    'events.ts': `import { eventType, staticSchema } from 'inngest';
export const userSignedUp = eventType(«'app/user.signed-up'», { schema: staticSchema<{ userId: string }>() });
export const invoiceDue = eventType('app/invoice.due');`,
    'fn.ts': `import { Inngest } from 'inngest';
import { userSignedUp, invoiceDue } from './events';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a', triggers: [«user/*|*/SignedUp»] }, async ({ step }) => {
  await step.waitForEvent('w', { event: «invoice/*|*/Due», timeout: '1d' });
});`,
  });
  const [onTrigger, onWait] = fx['fn.ts']!.points;
  const h = hover({ index, display }, uri('fn.ts'), onTrigger!);
  assert.ok(h, 'hover on the eventType identifier');
  assert.match(JSON.stringify(h.contents), /app\/user\.signed-up/);
  assert.match(JSON.stringify(h.contents), /userId: string/);
  assert.deepEqual(h.range, fx['fn.ts']!.ranges[0]);
  assert.deepEqual(definition(index, uri('fn.ts'), onTrigger!), [{ uri: uri('events.ts'), range: fx['events.ts']!.ranges[0] }]);
  assert.deepEqual(
    references(index, uri('fn.ts'), onTrigger!, true).map((l) => l.uri).sort(),
    [uri('events.ts'), uri('fn.ts')],
  );
  const hw = hover({ index, display }, uri('fn.ts'), onWait!);
  assert.match(JSON.stringify(hw?.contents), /app\/invoice\.due/);
  assert.deepEqual(hw?.range, fx['fn.ts']!.ranges[1]);
});

void test('P6: v3 string constants: `{ event: CONST }` and the constant\'s own string', () => {
  const { index, fx } = workspace({
    'names.ts': `export const TRANSCRIPT_REQUESTED = «'transcript/requ/*|*/ested'»;`,
    'fn.ts': `import { Inngest } from 'inngest';
import { TRANSCRIPT_REQUESTED } from './names';
const inngest = new Inngest({ id: 'app' });
export const a = inngest.createFunction({ id: 'a' }, { event: «TRANSCRIPT_/*|*/REQUESTED» }, async () => 1);
export async function api() { await inngest.send({ name: 'transcript/requested', data: {} }); }`,
  });
  const [onRef] = fx['fn.ts']!.points;
  const h = hover({ index, display }, uri('fn.ts'), onRef!);
  assert.match(JSON.stringify(h?.contents), /transcript\/requested/);
  assert.match(JSON.stringify(h?.contents), /Sent from\*\* 1 place/);
  // no schema: definition goes to the constant's string
  assert.deepEqual(definition(index, uri('fn.ts'), onRef!), [{ uri: uri('names.ts'), range: fx['names.ts']!.ranges[0] }]);
  assert.equal(references(index, uri('fn.ts'), onRef!, true).length, 2);
  const [onDecl] = fx['names.ts']!.points;
  const hd = hover({ index, display }, uri('names.ts'), onDecl!);
  assert.match(JSON.stringify(hd?.contents), /transcript\/requested/);
  assert.deepEqual(hd?.range, fx['names.ts']!.ranges[0]);
  // a string constant that is no event name gets nothing
  const other = workspace({ 'x.ts': `import { Inngest } from 'inngest';\nexport const GREETING = 'hel/*|*/lo';` });
  assert.equal(hover({ index: other.index, display }, uri('x.ts'), other.fx['x.ts']!.points[0]!), null);
});
