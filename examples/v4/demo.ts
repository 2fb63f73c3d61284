// The quick-start demo: a sign-up flow on inngest 4.x, the kind of durable function people write.
//
//   demo/user.signup  ->  signup-flow:
//     create-profile       a step that returns the new user id
//     send-welcome-email   fails on its first attempt (a flaky mail provider), succeeds on the retry
//     give-them-a-moment   step.sleep
//     wait-for-onboarding  step.waitForEvent('demo/user.onboarded', match: data.email), 5 s timeout
//     nudge                when they did not onboard: step.sendEvent -> demo/user.nudge
//   demo/user.nudge   ->  send-nudge: one step
//
// Run it against `steplens dev` (which `npm run dev:example` does for you):
//   INNGEST_DEV=http://127.0.0.1:8288 PORT=3000 node --import tsx examples/v4/demo.ts
// then send {"name":"demo/user.signup","data":{"email":"ada@example.com","name":"Ada"}}
// to http://127.0.0.1:8288/e/dev and watch the run.
import { Inngest, eventType, staticSchema } from 'inngest-v4';
import { serve } from 'inngest-v4/node';
import { Counters, startAppServer } from '../shared/app-server';

const inngest = new Inngest({ id: 'steplens-demo' });
const counters = new Counters();

const userSignup = eventType('demo/user.signup', { schema: staticSchema<{ email: string; name: string }>() });
const userOnboarded = eventType('demo/user.onboarded', { schema: staticSchema<{ email: string }>() });
const userNudge = eventType('demo/user.nudge', { schema: staticSchema<{ email: string; userId: string }>() });

/** Pretend mail provider: the first message of each run times out. */
const sentEmails: string[] = [];
function sendEmail(runId: string, to: string, subject: string): { messageId: string } {
  if (counters.hit(runId, `email:${subject}`) === 1 && subject.startsWith('Welcome')) {
    throw new Error('mail provider timed out (simulated); Steplens retries the step');
  }
  sentEmails.push(`${to}: ${subject}`);
  return { messageId: `msg-${sentEmails.length}` };
}

const signupFlow = inngest.createFunction(
  { id: 'signup-flow', name: 'Sign-up flow', retries: 3, triggers: [userSignup] },
  async ({ event, step, runId }) => {
    const { email, name } = event.data;
    const user = await step.run('create-profile', () => ({ userId: `user-${email.split('@')[0]}`, email, name }));
    const welcome = await step.run('send-welcome-email', () => sendEmail(runId, email, `Welcome, ${name}!`));
    await step.sleep('give-them-a-moment', '1s');
    const onboarded = await step.waitForEvent('wait-for-onboarding', { event: userOnboarded, match: 'data.email', timeout: '5s' });
    if (!onboarded) {
      await step.sendEvent('nudge', userNudge.create({ email, userId: user.userId }));
    }
    return { userId: user.userId, welcomeMessage: welcome.messageId, onboarded: Boolean(onboarded) };
  },
);

const sendNudge = inngest.createFunction(
  { id: 'send-nudge', name: 'Send onboarding nudge', triggers: [userNudge] },
  async ({ event, step, runId }) =>
    step.run('send-nudge-email', () => sendEmail(runId, event.data.email, 'Need a hand getting started?')),
);

startAppServer(serve({ client: inngest, functions: [signupFlow, sendNudge] }), counters).catch((err: unknown) => {
  console.error('demo app failed to start:', err);
  process.exit(1);
});
