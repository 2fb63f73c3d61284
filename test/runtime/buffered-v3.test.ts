// Executor audit F6 on inngest v3: batched and debounced events are visible before and after their run starts.
import { Inngest } from 'inngest-v3';
import { serve } from 'inngest-v3/node';
import { bufferedSuite } from './buffered-suite';

bufferedSuite('v3', (baseUrl) => {
  const client = new Inngest({ id: 'buf-v3', isDev: true, baseUrl });
  const batcher = client.createFunction({ id: 'batcher', batchEvents: { maxSize: 3, timeout: '30s' } }, { event: 'buf/batch' }, async ({ events }) =>
    events.map((e) => (e.data as { n: number }).n),
  );
  const debouncer = client.createFunction({ id: 'debouncer', debounce: { period: '1s' } }, { event: 'buf/debounce' }, async ({ event }) => (event.data as { n: number }).n);
  const limited = client.createFunction({ id: 'limited', debounce: { period: '1s' }, rateLimit: { limit: 1, period: '1m' } }, { event: 'buf/limited' }, async ({ event }) => event.data);
  return serve({ client, functions: [batcher, debouncer, limited] });
});
