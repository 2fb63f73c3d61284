// Issue 4 end to end on inngest 3.x: see suite.ts.
import { Inngest } from 'inngest-v3';
import { serve } from 'inngest-v3/node';
import { issue4Functions, type Create } from './apps/functions';
import { issue4Suite } from './suite';

issue4Suite('v3', (baseUrl, state, wait) => {
  const inngest = new Inngest({ id: 'i4-v3', isDev: true, baseUrl });
  const create = ((o, t, h) => inngest.createFunction(o as never, t as never, h as never)) as Create;
  return serve({ client: inngest, functions: issue4Functions(create, state, wait) as never });
});
