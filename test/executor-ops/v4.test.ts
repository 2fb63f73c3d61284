// step.fetch, step.ai.infer and step.waitForSignal against a real inngest v4 app (see suite.ts).
// One SDK per file: the v3 and v4 packages do not load in one process.
import { opsSuite } from './suite';

opsSuite('v4');
