// App sync (PROTOCOL §2): apps given with -u at start-up, apps found by autodiscovery (which also
// probes $PORT), and periodic re-sync that shows functions added, changed and removed in code.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { route, type FunctionInfo } from '../../runtime/api';
import { ExampleApp, Executor, fnSlug, freePort, rawRequest, summarize, waitUntil } from './harness';

void describe('app sync', { concurrency: true }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  void test('an app given with -u is synced at start-up and runs', async () => {
    const port = await freePort();
    const app = await ExampleApp.start('v4', null, { env: { INNGEST_DEV: `http://127.0.0.1:${port}` } });
    cleanups.push(() => app.dispose());
    const ex = await Executor.start({ port, extraArgs: ['-u', app.url] });
    cleanups.push(() => ex.dispose());
    const synced = await waitUntil('the -u app to be synced', async () => {
      const a = (await ex.apps()).find((x) => x.url === app.url);
      return a?.state === 'synced' ? a : undefined;
    });
    assert.equal(synced.source, 'flag');
    const run = await ex.waitForRun(await ex.runOf(await ex.send({ name: 'scn/seq' }), fnSlug('v4', 'seq')));
    assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
  });

  void test('autodiscovery finds an app on $PORT', async () => {
    const port = await freePort();
    const exPort = await freePort();
    const app = await ExampleApp.start('v3', null, { env: { INNGEST_DEV: `http://127.0.0.1:${exPort}`, PORT: String(port) } });
    cleanups.push(() => app.dispose());
    const ex = await Executor.start({ port: exPort, discovery: true, env: { PORT: String(port) } });
    cleanups.push(() => ex.dispose());
    const found = await waitUntil('the app on $PORT to be discovered', async () => {
      const a = (await ex.apps()).find((x) => x.url === app.url);
      return a?.state === 'synced' ? a : undefined;
    }, 20_000);
    assert.equal(found.source, 'discovery');
    assert.ok(found.functionIds.includes(fnSlug('v3', 'seq')));
  });

  void test('autodiscovery keeps looking while an app is synced: a second app started later is found', async () => {
    const exPort = await freePort();
    const secondPort = await freePort();
    const first = await ExampleApp.start('v3', null, { env: { INNGEST_DEV: `http://127.0.0.1:${exPort}`, PORT: String(await freePort()) } });
    cleanups.push(() => first.dispose());
    const ex = await Executor.start({ port: exPort, discovery: true, env: { PORT: String(secondPort) }, extraArgs: ['-u', first.url] });
    cleanups.push(() => ex.dispose());
    await waitUntil('the -u app to be synced', async () => ((await ex.apps()).find((x) => x.url === first.url)?.state === 'synced' ? true : undefined));
    const second = await ExampleApp.start('v4', null, { env: { INNGEST_DEV: `http://127.0.0.1:${exPort}`, PORT: String(secondPort) } });
    cleanups.push(() => second.dispose());
    const found = await waitUntil('the second app to be discovered', async () => {
      const a = (await ex.apps()).find((x) => x.url === second.url);
      return a?.state === 'synced' ? a : undefined;
    }, 20_000);
    assert.equal(found.source, 'discovery');
    assert.ok(found.functionIds.includes(fnSlug('v4', 'seq')));
  });

  void test('an app synced as localhost that registers itself as 127.0.0.1 stays one app', async () => {
    const ex = await Executor.start();
    cleanups.push(() => ex.dispose());
    const port = await freePort();
    const app = await ExampleApp.start('v4', ex, { env: { PORT: String(port) } });
    cleanups.push(() => app.dispose());
    await ex.sync(`http://localhost:${port}/api/inngest`);
    // The SDK syncs itself through another name for the same endpoint (what Next.js dev does).
    const put = await rawRequest(`http://127.0.0.1:${port}/api/inngest`, { method: 'PUT' });
    assert.ok(put.status < 300, `PUT -> ${put.status} ${put.text}`);
    await waitUntil('the self-sync to be applied', async () => ((await ex.apps()).some((a) => a.state === 'synced') ? true : undefined));
    const rows = (await ex.apps()).filter((a) => a.id === 'scenarios-v4');
    assert.equal(rows.length, 1, JSON.stringify(rows.map((r) => [r.url, r.source])));
  });

  void test('periodic re-sync shows functions added, changed and removed', async () => {
    const ex = await Executor.start();
    cleanups.push(() => ex.dispose());
    const port = await freePort();
    const start = (env: Record<string, string>) => ExampleApp.start('v4', ex, { env: { PORT: String(port), ...env } });
    const functions = async () => (await ex.api<{ data: FunctionInfo[] }>('GET', route('functions'))).data;
    const flexTrigger = async () => (await functions()).find((f) => f.id === fnSlug('v4', 'flexible'))?.triggers;

    let app = await start({});
    await ex.sync(app.url);
    assert.ok(!(await functions()).some((f) => f.id === fnSlug('v4', 'extra')));
    assert.deepEqual(await flexTrigger(), [{ event: 'scn/flex.a' }]);

    // The code changes: restart the app on the same port with `extra` added and `flexible` moved.
    await app.dispose();
    app = await start({ SCENARIO_EXTRA: '1', SCENARIO_FLEX: 'b' });
    cleanups.push(() => app.dispose());
    await waitUntil('the re-sync to add extra and move flexible', async () => {
      const fns = await functions();
      const flex = fns.find((f) => f.id === fnSlug('v4', 'flexible'));
      return fns.some((f) => f.id === fnSlug('v4', 'extra')) && JSON.stringify(flex?.triggers) === JSON.stringify([{ event: 'scn/flex.b' }]) ? true : undefined;
    }, 20_000);
    const extraRun = await ex.waitForRun(await ex.runOf(await ex.send({ name: 'scn/extra' }), fnSlug('v4', 'extra')));
    assert.equal(extraRun.status, 'Completed', JSON.stringify(summarize(extraRun)));
    const flexRun = await ex.waitForRun(await ex.runOf(await ex.send({ name: 'scn/flex.b' }), fnSlug('v4', 'flexible')));
    assert.equal(flexRun.output, 'scn/flex.b');

    // And back: `extra` is removed from the code.
    await app.dispose();
    app = await start({});
    await waitUntil('the re-sync to remove extra', async () => ((await functions()).some((f) => f.id === fnSlug('v4', 'extra')) ? undefined : true), 20_000);
    assert.deepEqual(await flexTrigger(), [{ event: 'scn/flex.a' }]);
  });
});
