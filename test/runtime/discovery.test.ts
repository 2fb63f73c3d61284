// Autodiscovery (PROTOCOL §2.1): an SDK on one of the usual ports and paths (here $PORT, which
// the list includes) is found, synced, and marked as discovered.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { AppInfo } from '../../runtime/api';
import { FakeSdk } from './fake-sdk';
import { api, startExecutor, waitFor, type Harness } from './helpers';

let h: Harness | undefined;
let sdk: FakeSdk | undefined;
const savedPort = process.env.PORT;

after(async () => {
  if (savedPort === undefined) delete process.env.PORT;
  else process.env.PORT = savedPort;
  await sdk?.close();
  await h?.close();
});

void test('an app on $PORT at /api/inngest is discovered and synced', async () => {
  h = await startExecutor({ discovery: true, pollIntervalMs: 200 });
  sdk = await FakeSdk.start(h.url);
  sdk.appName = 'discovered-app';
  sdk.functions = [{ id: 'discovered-app-f', triggers: [{ event: 'd/x' }] }];
  process.env.PORT = new URL(sdk.url).port;
  const app = await waitFor(
    'the app to be discovered',
    async () => (await api<{ data: AppInfo[] }>(h!.url, '/api/apps')).body.data.find((a) => a.url === sdk!.url && a.state === 'synced'),
    20_000,
  );
  assert.equal(app.source, 'discovery');
  assert.equal(app.id, 'discovered-app');
  assert.deepEqual(app.functionIds, ['discovered-app-f']);
});
