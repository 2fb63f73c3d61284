// A workspace whose package.json does not depend on inngest: the extension activates (the
// workspace has a package.json) but starts nothing, hides its status item and shows the welcome
// view with the "Add an Example Function" button (checked in the page by the runner).
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import type { SteplensApi } from '../../../../extension/extension';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Commands, EXTENSION_ID } from '../../../../extension/manifest';
import { askRunner, e2eLog, screenshot, writeResult } from './signals';

export async function run(): Promise<void> {
  try {
    const ext = vscode.extensions.getExtension<SteplensApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} not loaded`);
    const api = await ext.activate();
    await api.ready();
    assert.equal(api.executorUrl(), undefined, 'no executor without inngest');
    assert.equal(api.model.executor.kind, 'stopped');
    assert.ok(api.recentLogs().some((l) => l.includes('no package in this workspace depends on inngest')), api.recentLogs().join('\n'));
    await vscode.commands.executeCommand('workbench.view.extension.steplens');
    const note = await askRunner('check-welcome', 60_000);
    if (note !== undefined) assert.match(note, /^found: .*Add an Example Function/, note);
    await screenshot('welcome');
    e2eLog('ok   welcome view without inngest');

    // The welcome button's command: adds the example, switches Steplens on, and names the exact
    // INNGEST_DEV line for the executor's port (8288 may be taken: the script keeps INNGEST_DEV from the environment).
    const added = await vscode.commands.executeCommand<{ uri: string; startLine: string }>(Commands.addExample);
    const url = api.executorUrl();
    assert.ok(url, `the executor starts once the workspace depends on inngest: ${api.statusText()}`);
    assert.equal(added?.startLine, `INNGEST_DEV=${url}`);
    assert.ok(api.notices().some((n) => n.includes(`\`INNGEST_DEV=${url} npm run dev:inngest\``)), api.notices().join('\n'));
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies?: Record<string, string> };
    assert.equal(pkg.scripts['dev:inngest'], 'INNGEST_DEV=${INNGEST_DEV:-1} tsx src/inngest/serve.ts');
    assert.ok(pkg.devDependencies?.tsx, 'tsx is added, so the script runs without npx');
    e2eLog(`ok   "Add an Example Function" switches Steplens on (${url})`);
    writeResult({ failures: 0, passes: 2, pending: 0 });
  } catch (err) {
    e2eLog(`FAIL welcome view without inngest: ${err instanceof Error ? err.stack : String(err)}`);
    writeResult({ failures: 1, passes: 0, pending: 0 });
    throw err;
  }
}
