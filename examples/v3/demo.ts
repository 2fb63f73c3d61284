// The quick-start demo on inngest 3.x: the same sign-up flow as examples/v4/demo.ts, written with
// the v3 API (EventSchemas, `createFunction(options, trigger, handler)`).
//
//   INNGEST_DEV=http://127.0.0.1:8288 PORT=3000 node --import tsx examples/v3/demo.ts
//   node scripts/dev-example.mjs --sdk v3
import { EventSchemas, Inngest } from 'inngest-v3';
import { serve } from 'inngest-v3/node';
import { Counters, startAppServer } from '../shared/app-server';

type Events = {
  'demo/user.signup': { data: { email: string; name: string } };
  'demo/user.onboarded': { data: { email: string } };
  'demo/user.nudge': { data: { email: string; userId: string } };
};

const inngest = new Inngest({ id: 'steplens-demo', schemas: new EventSchemas().fromRecord<Events>() });
const counters = new Counters();

/** Pretend mail provider: the first welcome message of each run times out. */
const sentEmails: string[] = [];
function sendEmail(runId: string, to: string, subject: string): { messageId: string } {
  if (counters.hit(runId, `email:${subject}`) === 1 && subject.startsWith('Welcome')) {
    throw new Error('mail provider timed out (simulated); Steplens retries the step');
  }
  sentEmails.push(`${to}: ${subject}`);
  return { messageId: `msg-${sentEmails.length}` };
}

const signupFlow = inngest.createFunction(
  { id: 'signup-flow', name: 'Sign-up flow', retries: 3 },
  { event: 'demo/user.signup' },
  async ({ event, step, runId }) => {
    const { email, name } = event.data;
    const user = await step.run('create-profile', () => ({ userId: `user-${email.split('@')[0]}`, email, name }));
    const welcome = await step.run('send-welcome-email', () => sendEmail(runId, email, `Welcome, ${name}!`));
    await step.sleep('give-them-a-moment', '1s');
    const onboarded = await step.waitForEvent('wait-for-onboarding', { event: 'demo/user.onboarded', match: 'data.email', timeout: '5s' });
    if (!onboarded) {
      await step.sendEvent('nudge', { name: 'demo/user.nudge', data: { email, userId: user.userId } });
    }
    return { userId: user.userId, welcomeMessage: welcome.messageId, onboarded: Boolean(onboarded) };
  },
);

const sendNudge = inngest.createFunction(
  { id: 'send-nudge', name: 'Send onboarding nudge' },
  { event: 'demo/user.nudge' },
  async ({ event, step, runId }) => step.run('send-nudge-email', () => sendEmail(runId, event.data.email, 'Need a hand getting started?')),
);

startAppServer(serve({ client: inngest, functions: [signupFlow, sendNudge] }), counters).catch((err: unknown) => {
  console.error('demo app failed to start:', err);
  process.exit(1);
});
