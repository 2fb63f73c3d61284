// Executor audit F6 on inngest v4: batched and debounced events are visible before and after their run starts.
import { Inngest } from 'inngest-v4';
import { serve } from 'inngest-v4/node';
import { bufferedSuite } from './buffered-suite';

bufferedSuite('v4', (baseUrl) => {
  const client = new Inngest({ id: 'buf-v4', isDev: true, baseUrl });
  const batcher = client.createFunction({ id: 'batcher', batchEvents: { maxSize: 3, timeout: '30s' }, triggers: [{ event: 'buf/batch' }] }, async ({ events }) =>
    events.map((e) => (e.data as { n: number }).n),
  );
  const debouncer = client.createFunction({ id: 'debouncer', debounce: { period: '1s' }, triggers: [{ event: 'buf/debounce' }] }, async ({ event }) => (event.data as { n: number }).n);
  const limited = client.createFunction({ id: 'limited', debounce: { period: '1s' }, rateLimit: { limit: 1, period: '1m' }, triggers: [{ event: 'buf/limited' }] }, async ({ event }) => event.data);
  return serve({ client, functions: [batcher, debouncer, limited] });
});
