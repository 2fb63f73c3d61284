// Executor audit F8 on inngest v3 (classic: a lone step runs inline in the discovery request).
import { Inngest } from 'inngest-v3';
import { serve } from 'inngest-v3/node';
import { interruptedSuite } from './interrupted-suite';

interruptedSuite('v3', (baseUrl, hooks) => {
  const client = new Inngest({ id: 'cut-v3', isDev: true, baseUrl });
  const inline = client.createFunction({ id: 'cut-inline', retries: 2 }, { event: 'cut/inline' }, async ({ step, runId }) => {
    await step.run('before', () => (hooks.bump(`${runId}:before`), 'b'));
    await step.run('slow', async () => {
      if (hooks.bump(`${runId}:slow`) === 1) await hooks.gate(`${runId}:slow`);
      return 'slow';
    });
    return 'ok';
  });
  const planned = client.createFunction({ id: 'cut-planned', retries: 2 }, { event: 'cut/planned' }, async ({ step, runId }) =>
    Promise.all([
      step.run('p1', async () => {
        if (hooks.bump(`${runId}:p1`) === 1) await hooks.gate(`${runId}:p1`);
        return 1;
      }),
      step.run('p2', () => (hooks.bump(`${runId}:p2`), 2)),
    ]),
  );
  return serve({ client, functions: [inline, planned] });
});
