import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartPolicy } from '../../extension/restartPolicy';

void test('restarts the language server after a crash, but stops after 5 crashes within 3 minutes', () => {
  let t = 0;
  const p = new RestartPolicy(4, 180_000, () => t);
  for (let i = 0; i < 4; i++) {
    t += 1000;
    assert.deepEqual(p.closed(), { action: 'restart' });
  }
  t += 1000;
  const d = p.closed();
  assert.equal(d.action, 'stop');
  assert.match(d.action === 'stop' ? d.message : '', /5 times in 3 minutes/);
});

void test('crashes spread out over time keep restarting', () => {
  let t = 0;
  const p = new RestartPolicy(4, 180_000, () => t);
  for (let i = 0; i < 20; i++) {
    t += 60_000;
    assert.deepEqual(p.closed(), { action: 'restart' });
  }
  assert.equal(p.error(1), 'continue');
  assert.equal(p.error(4), 'shutdown');
});
