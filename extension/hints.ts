// Short texts that tell the user what to do: the INNGEST_DEV line for the executor's actual port,
// the Functions view's "not synced" hint, an app row's sync error in a few words, and the next
// cron run a CodeLens shows before the app syncs. Pure (no `vscode`), tested in test/extension.
import type { AppInfo, AppSyncError, FunctionInfo, StepInfo } from '../runtime/api';
import { unwrapOutput } from '../media/format';
import type { FunctionEntry } from '../language-server/protocol';
import { devEnvLine, type ExecutorState } from './executor/process';
import type { Model } from './model';

/**
 * The exact line that points an app at this executor. `INNGEST_DEV=1` makes the SDK use
 * localhost:8288, which is wrong whenever the executor had to take another port, so the URL is
 * always spelled out once the executor runs.
 */
export function appStartLine(s: ExecutorState): string {
  return s.kind === 'ready' ? devEnvLine(s.url) : 'INNGEST_DEV=1';
}

/**
 * The Functions view's one-line message while some functions of the source are not synced
 * (undefined when there is nothing to say: executor not ready, all synced, or no functions).
 */
export function notSyncedHint(model: Model): string | undefined {
  if (model.executor.kind !== 'ready') return undefined;
  const missing = model.sourceFunctions.filter((f) => !f.idUnresolved && !model.executorFunction(f));
  if (!missing.length) return undefined;
  const what = missing.length === model.sourceFunctions.length ? 'Not synced' : `${missing.length} not synced`;
  return `${what}: start your app with ${appStartLine(model.executor)}`;
}

/**
 * An app that synced before and now does not answer: usually its dev server is restarting
 * (`tsx watch`, `next dev`) or the user stopped it. The executor syncs it again when it answers,
 * so this is shown quietly ("offline"), not as a sync error to fix.
 */
export function isOffline(app: AppInfo): boolean {
  return app.state === 'error' && app.error?.code === 'unreachable' && app.lastSyncedAt !== undefined;
}

/**
 * A step's output as the hover shows it: the value the step returned, not its stored form
 * `{ data: x }` (PROTOCOL §3.4), the same unwrapping as the panel's step detail.
 */
export function stepOutputJson(s: Pick<StepInfo, 'output'>): string | undefined {
  if (s.output === undefined) return undefined;
  return JSON.stringify(unwrapOutput(s.output), null, 2) ?? 'undefined';
}

/** First letter upper case: the executor's hints start lower case to follow a message. */
export function sentence(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/**
 * An app's sync error in a few words for its row: what to do (the hint) when there is one, else
 * the message without the app's URL (the row and its tooltip show the URL already).
 */
export function appErrorSummary(error: Pick<AppSyncError, 'message' | 'hint'> | undefined, url: string): string {
  if (!error) return 'sync failed';
  const text = error.hint ? error.hint.replace(/\s*\([^()]*\)\s*$/, '') : error.message.split(url).join('the app');
  return sentence(text.trim()) || 'sync failed';
}

/**
 * When a cron function runs next: the executor's schedule once synced, else the language
 * server's (computed from the source, `TZ=` applied) while it is still ahead of `now`.
 */
export function nextCronRun(fn: FunctionEntry, synced: FunctionInfo | undefined, now = Date.now()): number | undefined {
  const fromExecutor = synced?.nextCronRuns?.find((t) => t > now);
  if (fromExecutor !== undefined) return fromExecutor;
  let best: number | undefined;
  for (const t of fn.triggers) {
    if (t.kind !== 'cron' || !t.nextRun) continue;
    const at = Date.parse(t.nextRun);
    if (Number.isFinite(at) && at > now && (best === undefined || at < best)) best = at;
  }
  return best;
}
