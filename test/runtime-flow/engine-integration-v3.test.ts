// Flow control end to end on inngest 3.x: see integration.ts.
import { Inngest as Inngest3 } from 'inngest-v3';
import { serve as serve3 } from 'inngest-v3/node';
import { flowIntegrationSuite, type MakeApp } from './integration';

/** The same functions on inngest 3.x (`createFunction(options, trigger, handler)`). */
const appV3: MakeApp = (baseUrl, wait) => {
  const inngest = new Inngest3({ id: 'flowapp-v3', isDev: true, baseUrl });
  type D = { data: Record<string, unknown> };
  const fns = [
    inngest.createFunction({ id: 'throttled', throttle: { limit: 1, period: '10s' } }, { event: 'flow/throttle' }, async ({ event, step }) =>
      step.run('s', () => (event as D).data.n as number),
    ),
    inngest.createFunction({ id: 'debounced', debounce: { period: '5s', timeout: '1m' } }, { event: 'flow/debounce' }, async ({ event }) => (event as D).data.n as number),
    inngest.createFunction({ id: 'limited', rateLimit: { limit: 1, period: '1m' } }, { event: 'flow/ratelimit' }, async () => 'ok'),
    inngest.createFunction({ id: 'single', singleton: { mode: 'skip', key: 'event.data.user' } }, { event: 'flow/single' }, async ({ step }) => {
      await step.sleep('nap', '1m');
      return 'done';
    }),
    inngest.createFunction({ id: 'cancellable', cancelOn: [{ event: 'flow/stop', match: 'data.id' }] }, { event: 'flow/start' }, async ({ step }) => {
      await step.sleep('long', '1h');
      return 'not cancelled';
    }),
    inngest.createFunction({ id: 'serial', concurrency: { limit: 1 } }, { event: 'flow/serial' }, async ({ event, step }) =>
      step.run('work', async () => {
        await wait(String((event as D).data.id));
        return (event as D).data.id as string;
      }),
    ),
    inngest.createFunction({ id: 'batched', batchEvents: { maxSize: 3, timeout: '5s' } }, { event: 'flow/batch' }, async ({ events }) =>
      events.map((e) => (e as D).data.i as number),
    ),
    inngest.createFunction({ id: 'idem', idempotency: 'event.data.order' }, { event: 'flow/idem' }, async ({ event }) => (event as D).data.order as number),
    inngest.createFunction({ id: 'ticker' }, { cron: '*/5 * * * *' }, async ({ event }) => event.name),
  ];
  return serve3({ client: inngest, functions: fns });
};

flowIntegrationSuite('v3', appV3);
