// Files under <workspace>/.e2e/ are the channel between the suite (in the extension host) and the
// runner outside (test/e2e/vscode/vscode.test.ts): a log, the result, extra figures, and
// screenshot requests the runner answers. Without that folder (e.g. under test-electron) the
// screenshots are skipped and the log goes to the console only.
import * as vscode from 'vscode';
import { appendFileSync, existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function dir(): string | undefined {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const d = root && join(root, '.e2e');
  return d && existsSync(d) ? d : undefined;
}

export function e2eLog(line: string): void {
  console.log(line);
  const d = dir();
  if (d) appendFileSync(join(d, 'log.txt'), line + '\n');
}

const figures: Record<string, unknown> = {};
export function recordFigure(name: string, value: unknown): void {
  figures[name] = value;
}

export function writeResult(r: { failures: number; passes: number; pending: number }): void {
  const d = dir();
  if (d) writeFileSync(join(d, 'result.json'), JSON.stringify({ ...r, figures }, null, 2));
}

/** Whether a runner outside the extension host answers requests (code-server + Playwright). */
export function hasRunner(): boolean {
  return !!dir();
}

/** Asks the runner for a screenshot and waits until it is taken (no-op without a runner). */
export function screenshot(name: string, timeoutMs = 60_000): Promise<string | undefined> {
  return askRunner(`shot-${name}`, timeoutMs);
}

/**
 * Asks the runner to do something in the page (`<name>.req`) and waits for its answer
 * (`<name>.done`, whose text is returned). No-op without a runner.
 */
export async function askRunner(name: string, timeoutMs = 60_000): Promise<string | undefined> {
  const d = dir();
  if (!d) return undefined;
  const done = join(d, `${name}.done`);
  const ready = new Promise<void>((resolve, reject) => {
    const w = watch(d, () => {
      if (existsSync(done)) finish();
    });
    const t = setTimeout(() => {
      w.close();
      reject(new Error(`the runner did not answer "${name}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(t);
      w.close();
      resolve();
    };
    writeFileSync(join(d, `${name}.req`), String(Date.now()));
    if (existsSync(done)) finish();
  });
  await ready;
  const note = readFileSync(done, 'utf8');
  if (note) e2eLog(`${name}: ${note}`);
  return note;
}
