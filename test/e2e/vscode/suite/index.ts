// Entry of the in-VS-Code suite: loaded by the extension host as `extensionTestsPath` (code-server
// with the smoke-test driver, or @vscode/test-electron's runTests). Runs the mocha suite and
// writes a log and a result file under <workspace>/.e2e/ when that folder exists.
import Mocha from 'mocha';
import { registerSteplensSuite } from './steplens.e2e';
import { e2eLog, writeResult } from './signals';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 180_000, color: false, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, 'steplens.e2e', mocha);
  registerSteplensSuite();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      writeResult({ failures, passes: runner.stats?.passes ?? 0, pending: runner.stats?.pending ?? 0 });
      if (failures > 0) reject(new Error(`${failures} Steplens e2e test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => e2eLog(`ok   ${t.fullTitle()} (${t.duration ?? 0} ms)`));
    runner.on('fail', (t, err: Error) => e2eLog(`FAIL ${t.fullTitle()}: ${err.stack ?? err.message}`));
    runner.on('pending', (t) => e2eLog(`skip ${t.fullTitle()}`));
  });
}
