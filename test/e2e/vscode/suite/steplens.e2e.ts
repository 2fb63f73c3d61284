// The Steplens suite inside a real VS Code extension host, on the fixture workspace
// (test/fixtures/vscode-workspace, copied by the runner, with node_modules/inngest linked to
// inngest 4). It starts the fixture app itself with INNGEST_DEV pointing at the embedded executor.
// Waits on signals (a ready line, the model's change events) or polls an API under a deadline.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SteplensApi } from '../../../../extension/extension';
import type { RunSummary } from '../../../../runtime/api';
import { Commands, EXTENSION_ID } from '../../../../extension/manifest';
import { askRunner, e2eLog, hasRunner, recordFigure, screenshot } from './signals';

/** Polls `fn` until it returns a truthy value; fails with `what` after `timeoutMs`. */
async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${String(lastErr)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface App {
  proc: ChildProcess;
  url: string;
}

function startApp(ws: string, extRoot: string, executorUrl: string, port = 0): Promise<App> {
  const loader = pathToFileURL(join(extRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const proc = spawn(process.execPath, ['--import', loader, join('src', 'server.ts')], {
    cwd: ws,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', PORT: String(port), INNGEST_DEV: executorUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`fixture app printed no ready line in 60 s: ${out}`)), 60_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /app ready at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ proc, url: m[1]! });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`fixture app exited (${code}): ${out}`));
    });
  });
}

function stopApp(app: App | undefined): Promise<void> {
  if (!app || app.proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    app.proc.once('exit', () => resolve());
    app.proc.kill('SIGTERM');
  });
}

function lineOf(doc: vscode.TextDocument, needle: string): number {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `"${needle}" not found in ${doc.uri.fsPath}`);
  return doc.positionAt(i).line;
}

async function lensesAt(uri: vscode.Uri, line: number): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
  return lenses.filter((l) => l.range.start.line === line && l.command).map((l) => l.command!.title);
}

function waitRun(api: SteplensApi, what: string, pred: (r: RunSummary) => boolean, timeoutMs = 60_000): Promise<RunSummary> {
  return waitFor(what, () => api.model.recentRuns().find(pred), timeoutMs).catch((err: unknown) => {
    dumpModel(api);
    throw err;
  });
}

/** What the extension knows, for failure reports. */
function dumpModel(api: SteplensApi): void {
  const m = api.model;
  e2eLog(`state: status bar "${api.statusText()}"; executor ${m.executor.kind}`);
  e2eLog(`  source functions: ${m.sourceFunctions.map((f) => `${f.slug}@${f.uri}:${f.range.start.line}`).join(', ') || 'none'}`);
  e2eLog(`  apps: ${m.apps.map((a) => `${a.id} ${a.state} ${a.error?.message ?? ''}`).join(', ') || 'none'}`);
  e2eLog(`  executor functions: ${m.executorFunctions.map((f) => f.id).join(', ') || 'none'}`);
  e2eLog(`  runs: ${m.recentRuns().slice(0, 10).map((r) => `${r.functionId} ${r.status} ${r.error?.message ?? ''}`).join('; ') || 'none'}`);
  e2eLog(`  events: ${m.recentEvents().slice(0, 5).map((e) => e.name).join(', ') || 'none'}`);
  e2eLog(`  log tail:\n    ${api.recentLogs().slice(-25).join('\n    ')}`);
}

export function registerSteplensSuite(): void {
  describe('Steplens in a real VS Code', function () {
    let api: SteplensApi;
    let ws: string;
    let extRoot: string;
    let app: App | undefined;
    let functionsUri: vscode.Uri;

    before(async function () {
      const ext = vscode.extensions.getExtension<SteplensApi>(EXTENSION_ID);
      assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
      extRoot = ext.extensionPath;
      ws = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      functionsUri = vscode.Uri.file(join(ws, 'src', 'functions.ts'));
      const t0 = Date.now();
      api = await ext.activate();
      recordFigure('activationMs', api.activationMs);
      // The empty secondary side bar only takes room in the screenshots.
      await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar').then(undefined, () => undefined);
      e2eLog(`activate(): ${api.activationMs.toFixed(1)} ms`);
      await api.ready();
      recordFigure('startToReadyMs', Date.now() - t0);
      const url = api.executorUrl();
      assert.ok(url, `executor not ready: ${api.statusText()}`);
      e2eLog(`executor at ${url}; status bar: ${api.statusText()}`);
      app = await startApp(ws, extRoot, url);
      e2eLog(`fixture app at ${app.url}`);
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed') dumpModel(api);
    });

    after(async function () {
      await stopApp(app);
    });

    it('shows the executor state in the status bar', async function () {
      await waitFor('status bar "ready"', () => /Steplens: (ready, no app|\d+ apps?)/.test(api.statusText()), 30_000);
    });

    it('shows diagnostics from the language server', async function () {
      const uri = vscode.Uri.file(join(ws, 'src', 'mistakes.ts'));
      await vscode.window.showTextDocument(uri);
      const diags = await waitFor(
        'steplens diagnostics on src/mistakes.ts',
        () => {
          const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'steplens');
          return d.length ? d : undefined;
        },
        90_000,
      );
      e2eLog(`diagnostics: ${diags.map((d) => `${d.range.start.line + 1}: ${d.message}`).join(' | ')}`);
    });

    it('shows CodeLens titles above each function', async function () {
      const editor = await vscode.window.showTextDocument(functionsUri);
      const doc = editor.document;
      const expected: [string, string[]][] = [
        ["id: 'welcome-user'", ['Send test event', 'Invoke']],
        ["id: 'charge-order'", ['Send test event', 'Invoke']],
        ["id: 'nightly-report'", ['Invoke']],
      ];
      for (const [needle, titles] of expected) {
        const line = lineOf(doc, needle);
        // CodeLens sits on the createFunction call's first line, which is the line above the options here.
        const got = await waitFor(
          `CodeLens ${titles.join(', ')} above ${needle}`,
          async () => {
            for (const l of [line - 1, line]) {
              const t = await lensesAt(functionsUri, l);
              if (titles.every((x) => t.some((y) => y.includes(x)))) return t;
            }
            return undefined;
          },
          90_000,
        );
        e2eLog(`lenses at ${needle}: ${got.join(' | ')}`);
        if (!titles.includes('Send test event')) assert.ok(!got.some((t) => t.includes('Send test event')), 'cron function has no Send test event lens');
      }
      // Before the app syncs (discovery is off here): the cron function already shows its next run
      // (from the source), and the Functions view says how to start the app, with this executor's URL.
      const cronLine = lineOf(doc, "id: 'nightly-report'");
      await waitFor('the "next run in" CodeLens before the app syncs', async () =>
        (await lensesAt(functionsUri, cronLine - 1)).concat(await lensesAt(functionsUri, cronLine)).find((t) => /^next run in \d+[smhd]$/.test(t)),
      30_000);
      assert.ok(!api.model.apps.some((a) => a.state === 'synced'), 'no app is synced yet');
      const hint = await waitFor('the Functions view\'s "not synced" hint', () => api.views.functions.message, 30_000);
      assert.ok(hint.includes(`INNGEST_DEV=${api.executorUrl()}`), hint);
      await screenshot('editor');
    });

    it('"Send test event" produces a completed run shown in the sidebar and the panel', async function () {
      const synced = (await vscode.commands.executeCommand(Commands.syncApp, app!.url)) as { state: string; error?: { message: string } };
      assert.equal(synced.state, 'synced', `app sync failed: ${synced.error?.message ?? ''}`);
      await waitFor('status bar "1 app, 3 functions"', () => /1 app, 3 functions/.test(api.statusText()), 30_000);
      // Synced: the hint now only counts src/mistakes.ts's function, which the app does not serve.
      await waitFor('the Functions view hint to count only the unserved function', () => /^1 not synced: start your app with INNGEST_DEV=/.test(api.views.functions.message ?? ''), 30_000);

      const doc = await vscode.workspace.openTextDocument(functionsUri);
      const line = lineOf(doc, "id: 'welcome-user'");
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', functionsUri, 100)) ?? [];
      const send = lenses.find((l) => Math.abs(l.range.start.line - line) <= 1 && l.command?.title.includes('Send test event'));
      assert.ok(send?.command, 'no Send test event lens for welcome-user');

      // The lens opens the panel's composer, prefilled for the trigger event.
      await vscode.commands.executeCommand(send.command.command, ...(send.command.arguments ?? []));
      assert.ok(api.panel.visible, 'the panel did not open');
      await waitFor('the panel to post "ready"', () => api.panel.isReady, 60_000);
      const nav = await waitFor('a composer route for the panel', () =>
        [...api.panel.posted].reverse().find((m) => m.type === 'navigate' && m.to.view === 'composer'),
      );
      assert.ok(nav.type === 'navigate' && nav.to.view === 'composer' && nav.to.eventName === 'app/user.signup', JSON.stringify(nav));
      const t0 = Date.now();
      if (hasRunner()) {
        // code-server: the runner clicks the composer's Send button in the webview, as a user would.
        await screenshot('panel-composer');
        const note = await askRunner('click-send', 60_000);
        assert.match(note ?? '', /^clicked/, `the runner could not click Send: ${note}`);
      } else {
        // test-electron (nobody to click): what the composer's Send does, through the same command path.
        const data = { ...(nav.to.data ?? {}), userId: 'u-1', email: 'ada@example.com', plan: 'pro' };
        const res = await vscode.commands.executeCommand<{ eventIds: string[] }>(Commands.sendTestEvent, send.command.arguments?.[0], { send: true, data });
        assert.equal(res?.eventIds.length, 1);
      }
      const run = await waitRun(api, 'a completed welcome-user run', (r) => r.functionId.endsWith('welcome-user') && r.status === 'Completed', 60_000);
      recordFigure('sendToCompletedMs', Date.now() - t0);
      e2eLog(`run ${run.id} completed with ${run.stepCount} steps`);

      // Sidebar: the Runs view lists it with the passed icon.
      await vscode.commands.executeCommand('workbench.view.extension.steplens');
      const rows = api.views.runs.getChildren();
      const row = rows.find((r) => r.id === run.id);
      assert.ok(row, 'run not in the Runs view');
      const item = api.views.runs.getTreeItem(row);
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
      assert.match(String(item.description), /completed/);

      // CodeLens now shows the outcome; the source shows each step's status.
      await waitFor('the last-run CodeLens', async () => (await lensesAt(functionsUri, line - 1)).concat(await lensesAt(functionsUri, line)).find((t) => /^completed .* ago, 2 steps/.test(t)));
      await vscode.window.showTextDocument(functionsUri, { viewColumn: vscode.ViewColumn.One });
      await waitFor('inline step decorations', () => (api.decorations.applied.get(functionsUri.fsPath) ?? []).filter((t) => t.includes('completed')).length >= 2, 30_000);
      // The output hover covers the step call itself, not only the end-of-line text.
      const callAt = doc.positionAt(doc.getText().indexOf("step.run('load-user'"));
      const ranges = api.decorations.appliedRanges.get(functionsUri.fsPath) ?? [];
      assert.ok(ranges.some((r) => r.start.isEqual(callAt) && r.end.isEqual(doc.lineAt(callAt.line).range.end)), `no hover range from step.run('load-user' to its line end: ${JSON.stringify(ranges)}`);

      // Panel: open the run there.
      await vscode.commands.executeCommand(Commands.openRun, run.id);
      await waitFor('the panel to navigate to the run', () => [...api.panel.posted].some((m) => m.type === 'navigate' && m.to.view === 'run' && m.to.runId === run.id));
      await waitFor('the panel to report the run route', () => api.panel.currentRoute?.view === 'run', 30_000).catch((err: unknown) => e2eLog(`note: ${String(err)}`));
      await screenshot('panel-run');
    });

    it('answers the panel\'s requests: go to source, fixtures, the API proxy; the Events view sends again', async function () {
      const src = await api.panel.answer({ kind: 'openSource', step: { functionId: 'e2e-app-welcome-user', stepId: 'send-welcome' } });
      assert.ok(src.ok, JSON.stringify(src));
      const doc = await vscode.workspace.openTextDocument(functionsUri);
      const expectedLine = lineOf(doc, "step.run('send-welcome'");
      assert.deepEqual(src.result && { file: src.result.file, line: src.result.line }, { file: join('src', 'functions.ts'), line: expectedLine + 1 });
      assert.equal(vscode.window.activeTextEditor?.selection.start.line, expectedLine, 'the editor shows the step call');

      const saved = await api.panel.answer({ kind: 'saveFixture', fixture: { name: 'pro-signup', event: 'app/user.signup', data: { userId: 'u-9', email: 'x@example.com', plan: 'pro' } } });
      assert.ok(saved.ok && saved.result.path.endsWith(join('.steplens', 'fixtures', 'pro-signup.json')), JSON.stringify(saved));
      const listed = await api.panel.answer({ kind: 'listFixtures' });
      assert.ok(listed.ok && listed.result.some((f) => f.name === 'pro-signup' && f.data.plan === 'pro'), JSON.stringify(listed));
      const bad = await api.panel.answer({ kind: 'saveFixture', fixture: { name: '../escape', event: 'x', data: {} } });
      assert.equal(bad.ok, false, 'a fixture name with a path is refused');
      const foreign = await api.panel.answer({ kind: 'api', method: 'GET', path: 'http://example.com/' });
      assert.equal(foreign.ok, false, 'only executor routes are proxied');

      const ev = api.model.recentEvents().find((e) => e.name === 'app/user.signup');
      assert.ok(ev, 'the sent event is in the Events view');
      const before = api.model.recentRuns().filter((r) => r.functionId.endsWith('welcome-user')).length;
      await vscode.commands.executeCommand(Commands.resendEvent, ev);
      await waitFor('a second welcome-user run from "Send again"', () => api.model.recentRuns().filter((r) => r.functionId.endsWith('welcome-user') && r.status === 'Completed').length > before, 60_000);
    });

    it('"Invoke" runs a cron function through the executor\'s invoke API', async function () {
      const doc = await vscode.workspace.openTextDocument(functionsUri);
      const line = lineOf(doc, "id: 'nightly-report'");
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', functionsUri, 100)) ?? [];
      const invoke = lenses.find((l) => Math.abs(l.range.start.line - line) <= 1 && l.command?.title.includes('Invoke'));
      assert.ok(invoke?.command, 'no Invoke lens for nightly-report');
      // A synced cron function also shows when it runs next.
      await waitFor('the "next run in" CodeLens of the cron function', async () =>
        (await lensesAt(functionsUri, invoke.range.start.line)).find((t) => /^next run in \d+[smhd]$/.test(t)),
      30_000);
      const res = await vscode.commands.executeCommand<{ runId: string | null }>(invoke.command.command, ...(invoke.command.arguments ?? []));
      const done = await waitRun(api, 'the invoked nightly-report run to complete', (r) => r.functionId.endsWith('nightly-report') && r.status === 'Completed', 60_000);
      if (res?.runId) assert.equal(done.id, res.runId);
      assert.deepEqual(done.output, { count: 42 });
    });

    it('stops and restarts the executor on command, and the views follow', async function () {
      const url = api.executorUrl()!;
      await vscode.commands.executeCommand(Commands.stopExecutor);
      assert.equal(api.model.executor.kind, 'stopped');
      assert.match(api.statusText(), /stopped/);
      await assert.rejects(fetch(url + '/api/apps'), 'the executor still answers after stop');
      await vscode.commands.executeCommand(Commands.startExecutor);
      assert.equal(api.model.executor.kind, 'ready');
      assert.equal(api.executorUrl(), url, 'same port after a restart (the setting is free again)');
      await vscode.commands.executeCommand(Commands.syncApp, app!.url);
      await waitFor('status bar "1 app, 3 functions" after restart', () => /1 app, 3 functions/.test(api.statusText()), 30_000);
      // Runs are kept in the executor's data folder across restarts.
      await waitFor('the earlier runs back in the Runs view', () => api.views.runs.getChildren().some((r) => r.status === 'Completed'), 30_000);
    });

    it('replays a failed run after the code is fixed, and the replay completes', async function () {
      const target = { functionId: 'e2e-app-charge-order', eventName: 'app/order.placed' };
      await vscode.commands.executeCommand(Commands.sendTestEvent, target, { send: true, data: { orderId: 'o-1', amount: 42 } });
      const failed = await waitRun(api, 'a failed charge-order run', (r) => r.functionId.endsWith('charge-order') && r.status === 'Failed', 60_000);
      assert.match(failed.error?.message ?? '', /card declined/);

      // Fix the code, save, restart the app on the same port, re-sync.
      const doc = await vscode.workspace.openTextDocument(functionsUri);
      const at = doc.getText().indexOf('const CARD_DECLINED = true');
      assert.ok(at >= 0);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(functionsUri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'const CARD_DECLINED = true'.length)), 'const CARD_DECLINED = false');
      assert.ok(await vscode.workspace.applyEdit(edit));
      // What matters is the file on disk (the app reloads from it); save() can answer false when
      // a save participant is slow, so check the disk and fall back to saveAll.
      const onDisk = (): boolean => readFileSync(functionsUri.fsPath, 'utf8').includes('const CARD_DECLINED = false');
      if (!(await doc.save()) && !onDisk()) await vscode.workspace.saveAll(false);
      await waitFor('the fix saved to disk', onDisk, 30_000);
      const port = Number(new URL(app!.url).port);
      await stopApp(app);
      // While the app is down (as when its dev server restarts), it is offline, not a sync error.
      await vscode.commands.executeCommand(Commands.syncApp, app!.url);
      await waitFor('status bar "1 app offline"', () => /Steplens: 1 app offline$/.test(api.statusText()), 30_000);
      app = await startApp(ws, extRoot, api.executorUrl()!, port);
      await vscode.commands.executeCommand(Commands.syncApp, app.url);

      let replay: { runId: string } | undefined;
      try {
        replay = await vscode.commands.executeCommand<{ runId: string }>(Commands.replayRun, failed.id);
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status === 404 || status === 405 || status === 501) {
          e2eLog(`skip: the executor has no rerun API yet (${String(err)})`);
          this.skip();
        }
        throw err;
      }
      assert.ok(replay?.runId);
      const done = await waitRun(api, 'the replay to complete', (r) => r.id === replay!.runId && (r.status === 'Completed' || r.status === 'Failed'), 60_000);
      assert.equal(done.status, 'Completed', `replay ended ${done.status}: ${done.error?.message ?? ''}`);
      assert.equal(done.rerunOf?.runId, failed.id);
      // The Runs view lists the replay under the run it came from, not beside it.
      await waitFor('the replay listed under its run in the Runs view', () =>
        !api.views.runs.getChildren().some((r) => r.id === replay!.runId) && api.views.runs.getChildren(failed).some((r) => r.id === replay!.runId),
      30_000);
      await waitFor('the panel to show the replay', () => [...api.panel.posted].some((m) => m.type === 'navigate' && m.to.view === 'run' && m.to.runId === replay!.runId));
      // The CodeLens and the step decorations follow the replay.
      const line = lineOf(doc, "id: 'charge-order'");
      await waitFor('the charge-order CodeLens to show the completed replay', async () =>
        (await lensesAt(functionsUri, line - 1)).concat(await lensesAt(functionsUri, line)).find((t) => /^completed .* ago, 2 steps/.test(t)),
      );
      await waitFor('the charge step decorated as completed, no failed step left', () => {
        const texts = api.decorations.applied.get(functionsUri.fsPath) ?? [];
        return texts.filter((t) => t.includes('completed')).length >= 5 && !texts.some((t) => t.includes('failed'));
      }, 30_000);
      await screenshot('panel-replay');
    });

    it('when the configured port is taken, runs on the next free one and says how to point the app at it', async function () {
      const held = createServer();
      await new Promise<void>((r) => held.listen(0, '127.0.0.1', () => r()));
      const port = (held.address() as { port: number }).port;
      try {
        const cfg = vscode.workspace.getConfiguration('steplens');
        await cfg.update('port', port, vscode.ConfigurationTarget.Workspace);
        // The signal: the one-time notice naming the taken port (the old executor may also sit above it).
        const notice = await waitFor('the one-time notice about the taken port', () => api.notices().find((n) => n.includes(`Port ${port} is taken`)), 30_000);
        const url = api.executorUrl();
        assert.ok(url, 'the executor runs again');
        assert.ok(Number(new URL(url).port) > port, `${url} is above the taken port ${port}`);
        const line = `INNGEST_DEV=${url}`;
        assert.ok(notice.includes(line), notice);
        assert.ok(api.statusTooltip().includes(line), `status bar tooltip lacks ${line}: ${api.statusTooltip()}`);
      } finally {
        held.close();
      }
    });
  });
}
