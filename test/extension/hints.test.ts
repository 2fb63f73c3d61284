// What the extension tells the user to do (extension/hints.ts): the INNGEST_DEV line for the port
// actually used, the Functions view's "not synced" hint, an app row's sync error in a few words,
// and the next cron run before the app syncs. Findings E1-E3 of /work/notes/journeys-audit.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appErrorSummary, appStartLine, isOffline, nextCronRun, notSyncedHint, sentence, stepOutputJson } from '../../extension/hints';
import { Model } from '../../extension/model';
import type { ExecutorState } from '../../extension/executor/process';
import type { FunctionEntry } from '../../language-server/protocol';
import type { AppInfo, FunctionInfo } from '../../runtime/api';

const rng = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
function fn(p: Partial<FunctionEntry>): FunctionEntry {
  return { id: 'charge', slug: 'shop-charge', appId: 'shop', uri: 'file:///w/src/f.ts', range: rng, triggers: [], steps: [], ...p } as FunctionEntry;
}
function ready(port: number): ExecutorState {
  return { kind: 'ready', url: `http://127.0.0.1:${port}`, port, preferredPort: 8288, pid: 1, startMs: 1 };
}
function remote(id: string, p: Partial<FunctionInfo> = {}): FunctionInfo {
  return { id, appId: 'shop', name: id, triggers: [], maxAttempts: 1, config: {}, ...p };
}

void test('the start line names the executor URL actually used, so a fallback port is not missed', () => {
  assert.equal(appStartLine(ready(8288)), 'INNGEST_DEV=http://127.0.0.1:8288');
  assert.equal(appStartLine(ready(8289)), 'INNGEST_DEV=http://127.0.0.1:8289');
  assert.equal(appStartLine({ kind: 'stopped' }), 'INNGEST_DEV=1');
});

void test('the Functions view hint shows while source functions are not synced, and names the right port', () => {
  const m = new Model();
  m.setSourceFunctions([fn({ slug: 'shop-a' }), fn({ slug: 'shop-b' })]);
  assert.equal(notSyncedHint(m), undefined, 'nothing to say before the executor runs');
  m.setExecutor(ready(8289));
  assert.equal(notSyncedHint(m), 'Not synced: start your app with INNGEST_DEV=http://127.0.0.1:8289');
  m.setApps([], [remote('shop-a')]);
  assert.equal(notSyncedHint(m), '1 not synced: start your app with INNGEST_DEV=http://127.0.0.1:8289');
  m.setApps([], [remote('shop-a'), remote('shop-b')]);
  assert.equal(notSyncedHint(m), undefined, 'all synced: no hint');
  m.setSourceFunctions([fn({ slug: '{opts.id}', idUnresolved: true })]);
  assert.equal(notSyncedHint(m), undefined, 'a function with a computed id cannot be matched, so it is not reported');
});

void test('an app row says what to do in a few words, not the URL it failed on', () => {
  const url = 'http://127.0.0.1:3000/api/inngest';
  assert.equal(
    appErrorSummary({ message: `${url} is an Inngest app in cloud mode: it refused the unsigned sync (500)`, hint: 'your app is in cloud mode: start it with INNGEST_DEV=1 (or pass --signing-key with its signing key)' }, url),
    'Your app is in cloud mode: start it with INNGEST_DEV=1',
  );
  assert.equal(appErrorSummary({ message: `${url} answered 403 forbidden` }, url), 'The app answered 403 forbidden');
  assert.equal(appErrorSummary(undefined, url), 'sync failed');
  assert.equal(sentence('your app'), 'Your app');
  assert.equal(sentence(''), '');
});

void test('a cron function shows its next run from the source before the app syncs, the executor\'s after', () => {
  const now = Date.parse('2026-11-30T16:00:00Z');
  const cron = fn({ triggers: [{ kind: 'cron', cron: 'TZ=Europe/Paris 0 3 * * *', range: rng, nextRun: '2026-12-01T02:00:00.000Z' }] });
  assert.equal(nextCronRun(cron, undefined, now), Date.parse('2026-12-01T02:00:00.000Z'));
  assert.equal(nextCronRun(cron, remote('shop-charge', { nextCronRuns: [now - 1000, now + 60_000] }), now), now + 60_000, 'the executor wins once synced');
  assert.equal(nextCronRun(cron, undefined, Date.parse('2026-12-02T00:00:00Z')), undefined, 'a source time in the past is not shown');
  assert.equal(nextCronRun(fn({ triggers: [{ kind: 'cron', cron: '61 * * * *', range: rng }] }), undefined, now), undefined, 'an invalid cron has no next run');
});

void test('an app that synced before and does not answer now is offline (restarting), not a sync error', () => {
  const app = (p: Partial<AppInfo>): AppInfo => ({ id: 'shop', url: 'http://127.0.0.1:3000/api/inngest', state: 'error', functionIds: [], source: 'discovery', ...p });
  const down = { code: 'unreachable', message: 'cannot reach it', at: 1 };
  assert.equal(isOffline(app({ error: down, lastSyncedAt: 1 })), true);
  assert.equal(isOffline(app({ error: down })), false, 'never synced: a wrong URL or port to fix');
  assert.equal(isOffline(app({ error: { code: 'cloud_mode', message: 'x', at: 1 }, lastSyncedAt: 1 })), false);
  assert.equal(isOffline(app({ state: 'synced', lastSyncedAt: 1 })), false);
});

void test('the step hover shows what the step returned, not its stored { data } form', () => {
  assert.equal(stepOutputJson({ output: { data: { orderId: 'o-1', amount: 42 } } }), JSON.stringify({ orderId: 'o-1', amount: 42 }, null, 2));
  assert.equal(stepOutputJson({ output: { data: null } }), 'null');
  assert.equal(stepOutputJson({ output: { data: 'x', extra: 1 } }), JSON.stringify({ data: 'x', extra: 1 }, null, 2), 'an object that only looks like it is kept');
  assert.equal(stepOutputJson({}), undefined);
});
