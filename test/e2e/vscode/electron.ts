// The same in-VS-Code suite under the standard harness, for desktops with network access:
// `npm run build && node --import tsx test/e2e/vscode/electron.ts`. @vscode/test-electron downloads a
// desktop VS Code (not reachable from the CI machines, which use code-server instead: vscode.test.ts).
// The suite build and the fixture workspace are the code-server runner's (harness.ts).
import { rmSync } from 'node:fs';
import { runTests } from '@vscode/test-electron';
import { buildSuite, makeWorkspace, ROOT } from './harness';

async function main(): Promise<number> {
  const suite = await buildSuite();
  // No .e2e/ folder here: the suite logs to the console and skips screenshots (nobody would take them).
  const ws = makeWorkspace({ 'steplens.discovery': false }, { e2eDir: false });
  let code = 1;
  try {
    code = await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: suite,
      launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } catch (err) {
    console.error(`test-electron failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
  return code;
}

void main().then((code) => process.exit(code));
