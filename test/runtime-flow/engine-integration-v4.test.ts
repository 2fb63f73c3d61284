// Flow control end to end on inngest 4.x: see integration.ts.
import { Inngest as Inngest4 } from 'inngest-v4';
import { serve as serve4 } from 'inngest-v4/node';
import { flowIntegrationSuite, type MakeApp } from './integration';

/** The same functions on inngest 4.x (triggers in the options). */
const appV4: MakeApp = (baseUrl, wait) => {
  const inngest = new Inngest4({ id: 'flowapp-v4', isDev: true, baseUrl });
  const fns = [
    inngest.createFunction({ id: 'throttled', triggers: [{ event: 'flow/throttle' }], throttle: { limit: 1, period: '10s' } }, async ({ event, step }) =>
      step.run('s', () => event.data.n as number),
    ),
    inngest.createFunction({ id: 'debounced', triggers: [{ event: 'flow/debounce' }], debounce: { period: '5s', timeout: '1m' } }, async ({ event }) => event.data.n as number),
    inngest.createFunction({ id: 'limited', triggers: [{ event: 'flow/ratelimit' }], rateLimit: { limit: 1, period: '1m' } }, async () => 'ok'),
    inngest.createFunction({ id: 'single', triggers: [{ event: 'flow/single' }], singleton: { mode: 'skip', key: 'event.data.user' } }, async ({ step }) => {
      await step.sleep('nap', '1m');
      return 'done';
    }),
    inngest.createFunction({ id: 'cancellable', triggers: [{ event: 'flow/start' }], cancelOn: [{ event: 'flow/stop', match: 'data.id' }] }, async ({ step }) => {
      await step.sleep('long', '1h');
      return 'not cancelled';
    }),
    inngest.createFunction({ id: 'serial', triggers: [{ event: 'flow/serial' }], concurrency: { limit: 1 } }, async ({ event, step }) =>
      step.run('work', async () => {
        await wait(String(event.data.id));
        return event.data.id as string;
      }),
    ),
    inngest.createFunction({ id: 'batched', triggers: [{ event: 'flow/batch' }], batchEvents: { maxSize: 3, timeout: '5s' } }, async ({ events }) =>
      events.map((e) => e.data.i as number),
    ),
    inngest.createFunction({ id: 'idem', triggers: [{ event: 'flow/idem' }], idempotency: 'event.data.order' }, async ({ event }) => event.data.order as number),
    inngest.createFunction({ id: 'ticker', triggers: [{ cron: '*/5 * * * *' }] }, async ({ event }) => event.name),
  ];
  return serve4({ client: inngest, functions: fns });
};

flowIntegrationSuite('v4', appV4);
