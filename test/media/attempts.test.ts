// How the panel words one attempt of a step (media/format.ts attemptNote), including attempts cut off
// by the app going away or the executor stopping (executor audit F8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attemptNote } from '../../media/format';

void test('an attempt reads ok, its error, or who cut it off', () => {
  assert.equal(attemptNote({ endedAt: 5 }), 'ok');
  assert.equal(attemptNote({}), '', 'still running');
  assert.equal(attemptNote({ endedAt: 5, error: { name: 'Error', message: 'card declined' } }), 'Error: card declined');
  const app = attemptNote({ endedAt: 5, interrupted: 'app', error: { name: 'SdkTransportError', message: 'the app went away during the request (did it restart or crash?)' } });
  assert.equal(app, 'cut off: the app went away during the request (did it restart or crash?)');
  const inferred = attemptNote({ endedAt: 5, interrupted: 'executor', inferred: true, error: { name: 'ExecutorStopped', message: 'the executor stopped during the request' } });
  assert.match(inferred, /^cut off: the executor stopped during the request \(the request ran this step inline/);
  assert.match(attemptNote({ interrupted: 'app' }), /went away/, 'worded even without an error');
});
