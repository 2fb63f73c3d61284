// Events: fan-out to several functions (exact name, wildcard, trigger `if`), a chain through
// step.sendEvent, duplicate event ids, the v1 REST API (events, runs, cancel) and the Steplens API
// (apps, functions, invoke), against the v3 and v4 scenario apps.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { route, type AppInfo, type FunctionInfo, type InvokeResponse, type Page, type RunSummary, type V1Event, type V1List, type V1One, type V1Run } from '../../runtime/api';
import { SDKS, appId, startRig, stepOf, summarize, tag, waitUntil, type Rig } from './harness';

for (const sdk of SDKS) {
  void describe(`events and REST on inngest ${sdk}`, () => {
    let rig: Rig;
    before(async () => {
      rig = await startRig(sdk);
    });
    after(async () => {
      await rig?.dispose();
    });

    /** Waits until every run the event started has finished; returns them by function id. */
    async function finishedRunsOf(eventId: string, expected: number) {
      const runs = await waitUntil(`${expected} finished runs for event ${eventId}`, async () => {
        const rs = await rig.ex.eventRuns(eventId);
        return rs.length >= expected && rs.every((r) => r.status !== 'Running') ? rs : undefined;
      });
      return runs;
    }

    /** Sends a throwaway event and waits for its run: everything sent before it has been processed. */
    async function fence() {
      const id = await rig.ex.runOf(await rig.ex.send({ name: 'scn/seq', data: { fence: true } }), rig.fn('seq'));
      await rig.ex.waitForRun(id);
    }

    void test('one event fans out to every matching function: exact name, wildcard and trigger if', async () => {
      const { ex, fn } = rig;
      const [big] = await ex.send({ name: 'fan/order.created', data: { total: 150 } });
      const [small] = await ex.send({ name: 'fan/order.created', data: { total: 50 } });
      const [other] = await ex.send({ name: 'fan/other', data: {} });

      const bigRuns = await finishedRunsOf(big, 3);
      assert.deepEqual(bigRuns.map((r) => r.function_id).sort(), [fn('fan-exact'), fn('fan-if'), fn('fan-wildcard')]);
      assert.ok(bigRuns.every((r) => r.status === 'Completed'), JSON.stringify(bigRuns));
      assert.equal(bigRuns.find((r) => r.function_id === fn('fan-wildcard'))?.output, 'fan/order.created');

      await finishedRunsOf(small, 2);
      await finishedRunsOf(other, 1);
      await fence();
      const smallRuns = await ex.eventRuns(small);
      assert.deepEqual(smallRuns.map((r) => r.function_id).sort(), [fn('fan-exact'), fn('fan-wildcard')], 'total 50 fails the if expression');
      const otherRuns = await ex.eventRuns(other);
      assert.deepEqual(otherRuns.map((r) => r.function_id), [fn('fan-wildcard')]);
      assert.equal(otherRuns[0].output, 'fan/other');
    });

    void test('a chain through step.sendEvent starts a run for each event sent', async () => {
      const { ex, app, fn } = rig;
      const chain = tag('chain');
      const runId = await ex.runOf(await ex.send({ name: 'scn/chain', data: { count: 3, chain } }), fn('chain-start'));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { sent: 3 });
      const sent = stepOf(run, 'fan-out');
      assert.equal(sent.kind, 'sendEvent');
      const ids = (sent.output as { data: { ids: string[] } }).data.ids;
      assert.equal(ids.length, 3);
      const outputs: unknown[] = [];
      for (const id of ids) {
        const child = await ex.waitForRun(await ex.runOf(id, fn('chain-next')));
        assert.equal(child.status, 'Completed', JSON.stringify(summarize(child)));
        assert.equal((child.event?.data as { chain: string }).chain, chain);
        outputs.push(child.output);
        assert.deepEqual(await app.countersOf(child.id), { work: 1 });
      }
      assert.deepEqual(outputs.sort(), [10, 20, 30]);
    });

    void test('an event whose ts is in the future starts its run at ts, held as scheduled until then', async () => {
      const { ex, fn } = rig;
      const ts = Date.now() + 2500;
      const runId = await ex.runOf(await ex.send({ name: 'scn/seq', data: { later: true }, ts }), fn('seq'));
      const before = await ex.run(runId);
      assert.equal(before.status, 'Queued', JSON.stringify(summarize(before)));
      assert.equal(before.hold?.rule, 'scheduled');
      assert.equal(before.hold?.until, ts);
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.ok(run.startedAt! >= ts, `started at ${run.startedAt}, before the event's ts ${ts}`);
      assert.equal(run.hold, undefined);
    });

    void test('an event id seen before starts nothing new', async () => {
      const { ex, fn } = rig;
      const id = tag('dedupe');
      const first = await ex.send({ name: 'scn/seq', id, data: {} });
      await ex.waitForRun(await ex.runOf(first, fn('seq')));
      await fence();
      const before = (await ex.runs({ functionId: fn('seq') })).length;
      const again = await ex.send({ name: 'scn/seq', id, data: { second: true } });
      assert.equal(again.length, 1, 'the duplicate is still acknowledged');
      await fence(); // starts exactly one run
      const afterCount = (await ex.runs({ functionId: fn('seq') })).length;
      assert.equal(afterCount, before + 1, 'only the fence event started a run');
    });

    void test('v1 REST: events, an event, its runs, and DELETE cancels a sleeping run', async () => {
      const { ex, app, fn } = rig;
      const [eventId] = await ex.send({ name: 'scn/sleep', data: { sleep: '10m' } });
      const runId = await ex.runOf(eventId, fn('sleep'));
      await ex.waitForRunState(runId, 'sleeping', (r) => r.steps.some((s) => s.userId === 'nap' && s.status === 'sleeping'));

      const list = await ex.api<V1List<V1Event>>('GET', route('v1Events'));
      assert.ok(list.data.some((e) => e.id === eventId && e.name === 'scn/sleep'), 'the event is listed');
      const one = await ex.api<V1One<V1Event>>('GET', route('v1Event', { id: eventId }));
      assert.equal(one.data.name, 'scn/sleep');
      assert.deepEqual(one.data.data, { sleep: '10m' });

      const runs = await ex.api<V1List<V1Run>>('GET', route('v1EventRuns', { id: eventId }));
      assert.equal(runs.data.length, 1);
      assert.deepEqual(Object.keys(runs.data[0]).sort(), ['ended_at', 'event_id', 'function_id', 'output', 'run_id', 'run_started_at', 'status']);
      assert.equal(runs.data[0].status, 'Running');

      const del = await fetch(ex.url + route('v1Run', { id: runId }), { method: 'DELETE' });
      assert.ok(del.ok, `DELETE answered ${del.status}`);
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Cancelled');
      const v1 = await ex.api<V1One<V1Run>>('GET', route('v1Run', { id: runId }));
      assert.equal(v1.data.status, 'Cancelled');
      assert.ok(v1.data.ended_at);
      assert.deepEqual(await app.countersOf(runId), { before: 1 }, 'nothing after the sleep ran');
      const missing = await fetch(ex.url + route('v1Run', { id: 'no-such-run' }));
      assert.equal(missing.status, 404);
    });

    void test('the runs list filters by function and event, and pages with a cursor', async () => {
      const { ex, fn } = rig;
      const [eventId] = await ex.send({ name: 'fan/order.created', data: { total: 500 } });
      await finishedRunsOf(eventId, 3);
      const byEvent = await ex.runs({ eventId });
      assert.deepEqual(byEvent.map((r) => r.functionId).sort(), [fn('fan-exact'), fn('fan-if'), fn('fan-wildcard')]);
      const byBoth = await ex.runs({ eventId, functionId: fn('fan-if') });
      assert.equal(byBoth.length, 1);
      assert.equal(byBoth[0].status, 'Completed');

      // Page through every seq run two at a time: no run twice, none missing, newest first.
      const all = await ex.runs({ functionId: fn('seq') });
      assert.ok(all.length >= 3, `enough seq runs to page: ${all.length}`);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const qs = new URLSearchParams({ functionId: fn('seq'), limit: '2', ...(cursor ? { cursor } : {}) });
        const res = await ex.api<Page<RunSummary>>('GET', `${route('runs')}?${qs}`);
        assert.ok(res.data.length <= 2);
        seen.push(...res.data.map((r) => r.id));
        cursor = res.nextCursor;
        if (!cursor) break;
      }
      assert.deepEqual(seen, all.map((r) => r.id));
      const queued = all.map((r) => r.queuedAt);
      assert.deepEqual(queued, [...queued].sort((a, b) => b - a), 'newest first');
    });

    void test('apps, functions and invoke through the Steplens API', async () => {
      const { ex, app, fn } = rig;
      const apps = (await ex.api<{ data: AppInfo[] }>('GET', route('apps'))).data;
      const mine = apps.find((a) => a.url === app.url);
      assert.ok(mine, `apps: ${JSON.stringify(apps)}`);
      assert.equal(mine.id, appId(sdk));
      assert.equal(mine.state, 'synced');
      assert.match(mine.sdk ?? '', sdk === 'v3' ? /3\.54/ : /4\.24/);

      const fns = (await ex.api<{ data: FunctionInfo[] }>('GET', route('functions'))).data;
      const ids = fns.map((f) => f.id);
      for (const f of ['seq', 'par', 'on-failure', 'on-failure-failure', 'fan-wildcard']) assert.ok(ids.includes(fn(f)), `${fn(f)} in ${ids.join(',')}`);
      assert.equal(fns.find((f) => f.id === fn('retry'))?.maxAttempts, 5);
      assert.deepEqual(fns.find((f) => f.id === fn('fan-wildcard'))?.triggers, [{ event: 'fan/*' }]);
      assert.deepEqual(fns.find((f) => f.id === fn('fan-if'))?.triggers, [{ event: 'fan/order.created', expression: 'event.data.total > 100' }]);

      const inv = await ex.api<InvokeResponse>('POST', route('functionInvoke', { id: fn('invoke-child') }), { data: { n: 5 } });
      const runId = inv.runId ?? (await ex.runOf(inv.eventId, fn('invoke-child')));
      const run = await ex.waitForRun(runId);
      assert.equal(run.status, 'Completed', JSON.stringify(summarize(run)));
      assert.deepEqual(run.output, { doubled: 10 });
      assert.deepEqual(await app.countersOf(runId), { double: 1 });
    });
  });
}
