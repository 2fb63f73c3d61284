// The same in-VS-Code suite under the standard harness, for desktops with network access:
// `npm run build && node test/e2e/vscode/electron.mjs`. @vscode/test-electron downloads a desktop
// VS Code (not reachable from the CI machines, which use code-server instead: vscode.test.ts).
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const suite = join(root, '.cache', 'vscode-e2e', 'out', 'suite.js');
await esbuild.build({
  entryPoints: [join(root, 'test', 'e2e', 'vscode', 'suite', 'index.ts')],
  outfile: suite,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'mocha'],
  sourcemap: 'inline',
  logLevel: 'warning',
});

const ws = mkdtempSync(join(tmpdir(), 'steplens-ws-'));
cpSync(join(root, 'test', 'fixtures', 'vscode-workspace'), ws, { recursive: true });
mkdirSync(join(ws, 'node_modules'), { recursive: true });
symlinkSync(join(root, 'node_modules', 'inngest-v4'), join(ws, 'node_modules', 'inngest'), 'dir');
mkdirSync(join(ws, '.vscode'), { recursive: true });
writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'steplens.discovery': false }, null, 2));
// No .e2e/ folder here: the suite logs to the console and skips screenshots (nobody would take them).
let code = 1;
try {
  code = await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (err) {
  console.error(`test-electron failed: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  rmSync(ws, { recursive: true, force: true });
}
process.exit(code);
