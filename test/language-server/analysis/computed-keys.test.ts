// fromRecord types keyed by constants (real-world audit P7): `{ [USER_CREATED]: UserCreated }` reads
// like a literal key, so the event is declared with its schema and typos are reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangesOf, uri, workspace } from './fixture';

void test('P7: computed keys that resolve to string constants declare events; typos get unknown-event', () => {
  const { index, fx } = workspace({
    'events.ts': `export const USER_CREATED = 'app/user.created';
export const NAMES = { DELETED: 'app/user.deleted' } as const;
export type UserCreated = { data: { id: string } };`,
    'client.ts': `import { Inngest, EventSchemas } from 'inngest';
import { USER_CREATED, NAMES, type UserCreated } from './events';
type Events = { [USER_CREATED]: UserCreated; [NAMES.DELETED]: { data: { id: string; hard?: boolean } } };
export const inngest = new Inngest({ id: 'app', schemas: new EventSchemas().fromRecord<Events>() });`,
    'fn.ts': `import { inngest } from './client';
export const b = inngest.createFunction({ id: 'b' }, { event: «'app/user.creatd'» }, async () => 1);
export const c = inngest.createFunction({ id: 'c' }, { event: 'app/user.deleted' }, async () => 1);`,
  });
  const created = index.event('app/user.created');
  assert.ok(created?.declaration, 'declared');
  assert.equal(created.declaration.uri, uri('client.ts'));
  assert.deepEqual((created.dataSchema as { required?: string[] }).required, ['id']);
  assert.ok(index.event('app/user.deleted')?.dataSchema);
  const diags = index.diagnostics(uri('fn.ts'));
  assert.deepEqual(rangesOf(diags, 'unknown-event'), fx['fn.ts']!.ranges);
  assert.match(diags[0]!.message, /Did you mean "app\/user\.created"/);
});

void test('P7: a computed key that cannot be resolved keeps the catalogue incomplete (no unknown-event)', () => {
  const { index } = workspace({
    'client.ts': `import { Inngest, EventSchemas } from 'inngest';
import { SOMETHING } from 'elsewhere';
type Events = { [SOMETHING]: { data: {} }; 'app/a': { data: {} } };
export const inngest = new Inngest({ id: 'app', schemas: new EventSchemas().fromRecord<Events>() });
export const b = inngest.createFunction({ id: 'b' }, { event: 'app/other' }, async () => 1);`,
  });
  assert.deepEqual(rangesOf(index.diagnostics(uri('client.ts')), 'unknown-event'), []);
});
