// Every command of the extension. Handlers take what CodeLens, tree items or the palette pass,
// and return what they did (the real-VS-Code tests read the results).
import * as vscode from 'vscode';
import type { EventRecord, RunSummary } from '../runtime/api';
import type { PanelRoute } from '../media/messages';
import { Commands, type CommandId } from './manifest';
import { describeError } from './logger';
import { appStartLine } from './hints';
import { addExample } from './workspace';
import type { Steplens } from './extension';
import type { FunctionTarget } from './codeLens';

/** What "Send test event" with `send: true` (and "Send again") answers. */
export interface SendResult {
  eventIds: string[];
  eventName: string;
  data: Record<string, unknown>;
}

export function registerCommands(sl: Steplens): void {
  const handlers: Record<CommandId, (...args: never[]) => unknown> = {
    [Commands.startExecutor]: () => sl.startExecutor(),
    [Commands.stopExecutor]: () => sl.stopExecutor(),
    [Commands.restartExecutor]: () => sl.restartExecutor(),
    [Commands.openPanel]: (to?: PanelRoute) => sl.panel.show(to ?? { view: 'runs' }),
    [Commands.sendTestEvent]: (arg?: unknown, opts?: { send?: boolean; data?: Record<string, unknown> }) => sendTestEvent(sl, arg, opts),
    [Commands.sendLastPayload]: async (arg?: unknown) => {
      const t = await pickTarget(sl, arg, true);
      if (!t?.eventName) return undefined;
      return send(sl, t.eventName, sl.model.lastPayloads.get(t.eventName) ?? exampleFor(sl, t.eventName));
    },
    [Commands.invokeFunction]: (arg?: unknown, data?: Record<string, unknown>) => invoke(sl, arg, data),
    [Commands.replayRun]: (arg?: unknown, fromStepId?: string) => replay(sl, arg, fromStepId),
    [Commands.syncApp]: (url?: unknown) => syncApp(sl, url),
    [Commands.showLogs]: () => sl.channel.show(true),
    [Commands.openRun]: async (arg?: unknown) => {
      const id = typeof arg === 'string' ? arg : (arg as RunSummary | undefined)?.id;
      if (id) await sl.panel.show({ view: 'run', runId: id });
    },
    [Commands.openFunctionSource]: async (arg?: unknown) => {
      const slug = typeof arg === 'string' ? arg : targetOf(arg)?.functionId;
      const fn = slug ? sl.model.sourceFunction(slug) : undefined;
      if (!fn) return;
      const r = fn.range;
      await vscode.window.showTextDocument(vscode.Uri.parse(fn.uri), { selection: new vscode.Range(r.start.line, r.start.character, r.start.line, r.start.character) });
    },
    [Commands.resendEvent]: (arg?: unknown) => {
      const e = arg as EventRecord | undefined;
      if (!e?.name) return undefined;
      return send(sl, e.name, e.data ?? {});
    },
    [Commands.copyDevEnv]: async () => {
      const line = appStartLine(sl.model.executor);
      await vscode.env.clipboard.writeText(line);
      void vscode.window.showInformationMessage(`Copied: ${line}`);
      return line;
    },
    [Commands.addExample]: async () => {
      const uri = await addExample();
      await vscode.window.showTextDocument(uri);
      await sl.boot();
      // The executor may have had to take another port than 8288: name the line that reaches it.
      await sl.whenStarted().catch(() => undefined);
      const line = appStartLine(sl.model.executor);
      const note = `Added an example function. Run \`npm install\`, then \`${line} npm run dev:inngest\` to serve it.`;
      sl.notices.push(note);
      void vscode.window.showInformationMessage(note);
      return { uri: uri.toString(), startLine: line };
    },
    [Commands.refresh]: async () => {
      await Promise.all([sl.lsp?.refresh(), sl.session?.snapshot()]);
    },
  };
  for (const [id, fn] of Object.entries(handlers)) {
    sl.ext.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await (fn as (...a: unknown[]) => unknown)(...args);
        } catch (err) {
          const hint = (err as { hint?: unknown }).hint;
          void sl.showError(`Steplens: ${describeError(err)}.`, typeof hint === 'string' ? hint : '');
          throw err;
        }
      }),
    );
  }
}

function targetOf(arg: unknown): FunctionTarget | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Record<string, unknown>;
  if (typeof a.functionId === 'string') return a as unknown as FunctionTarget;
  // Functions view nodes: { kind: 'fn', fn: FunctionEntry } or { kind: 'remoteFn', fn: FunctionInfo }.
  const fn = a.fn as Record<string, unknown> | undefined;
  if (fn && typeof fn.slug === 'string') return { functionId: fn.slug };
  if (fn && typeof fn.id === 'string') return { functionId: fn.id };
  return undefined;
}

/** Resolves the function (and its first event trigger) from an argument or a quick pick. */
async function pickTarget(sl: Steplens, arg: unknown, needEvent: boolean): Promise<FunctionTarget | undefined> {
  let t = targetOf(arg);
  if (!t) {
    const items = sl.model.sourceFunctions
      // A function whose id is computed at run time is picked under its real id (functionsWithoutSource).
      .filter((f) => !f.idUnresolved && (!needEvent || f.triggers.some((x) => x.kind === 'event')))
      .map((f) => ({ label: f.name ?? f.id, description: f.slug, slug: f.slug }));
    for (const f of sl.model.functionsWithoutSource()) {
      if (!needEvent || f.triggers.some((x) => 'event' in x)) items.push({ label: f.name, description: f.id, slug: f.id });
    }
    const pick = await vscode.window.showQuickPick(items, { placeHolder: needEvent ? 'Send a test event to which function?' : 'Invoke which function?' });
    if (!pick) return undefined;
    t = { functionId: pick.slug };
  }
  if (!t.eventName) {
    const src = sl.model.sourceFunction(t.functionId);
    const ev = src?.triggers.find((x) => x.kind === 'event');
    if (ev?.kind === 'event') t = { ...t, eventName: ev.event };
    else {
      const remote = sl.model.executorFunctions.find((f) => f.id === t!.functionId);
      const trig = remote?.triggers.find((x) => 'event' in x);
      if (trig && 'event' in trig) t = { ...t, eventName: trig.event };
    }
  }
  return t;
}

function exampleFor(sl: Steplens, eventName: string): Record<string, unknown> {
  return structuredClone(sl.model.knownEvent(eventName)?.example ?? {});
}

/**
 * Opens the panel's composer prefilled for the function's trigger event. With `{ send: true }`
 * it sends the payload at once (the example, or `data`) and answers the event ids.
 */
async function sendTestEvent(
  sl: Steplens,
  arg: unknown,
  opts?: { send?: boolean; data?: Record<string, unknown> },
): Promise<SendResult | undefined> {
  const t = await pickTarget(sl, arg, true);
  if (!t) return undefined;
  if (!t.eventName) {
    void vscode.window.showInformationMessage(`${t.functionId} has no event trigger. Use "Invoke" to run it.`);
    return undefined;
  }
  const data = opts?.data ?? sl.model.lastPayloads.get(t.eventName) ?? exampleFor(sl, t.eventName);
  if (opts?.send) return send(sl, t.eventName, data);
  await sl.panel.show({ view: 'composer', mode: 'event', eventName: t.eventName, functionId: t.functionId, data });
  return undefined;
}

async function send(sl: Steplens, eventName: string, data: Record<string, unknown>): Promise<SendResult> {
  const client = requireClient(sl);
  const res = await client.sendEvent(eventName, data);
  sl.rememberPayload(eventName, data);
  return { eventIds: res.ids, eventName, data };
}

async function invoke(sl: Steplens, arg: unknown, data?: Record<string, unknown>): Promise<{ runId: string | null; eventId: string } | undefined> {
  const t = await pickTarget(sl, arg, false);
  if (!t) return undefined;
  const client = requireClient(sl);
  const payload = data ?? (t.eventName ? sl.model.lastPayloads.get(t.eventName) ?? exampleFor(sl, t.eventName) : {});
  const res = await client.invoke(t.functionId, { data: payload });
  if (res.runId) await sl.panel.show({ view: 'run', runId: res.runId });
  return res;
}

/** Replays a run: from `fromStepId`, else from its failed step when it failed, else from the start. */
async function replay(sl: Steplens, arg: unknown, fromStepId?: string): Promise<{ runId: string } | undefined> {
  const client = requireClient(sl);
  let runId = typeof arg === 'string' ? arg : (arg as RunSummary | undefined)?.id;
  if (!runId) {
    const picks = sl.model.recentRuns().slice(0, 50).map((r) => ({ label: r.functionName, description: `${r.status} · ${r.id}`, id: r.id }));
    runId = (await vscode.window.showQuickPick(picks, { placeHolder: 'Replay which run?' }))?.id;
    if (!runId) return undefined;
  }
  let from = fromStepId;
  if (from === undefined) {
    const detail = await client.run(runId);
    const failed = detail.steps.find((s) => s.status === 'failed');
    if (detail.status === 'Failed' && failed) from = failed.hashedId;
  }
  const res = await client.rerun(runId, from ? { fromStepId: from } : {});
  await sl.panel.show({ view: 'run', runId: res.runId });
  return res;
}

async function syncApp(sl: Steplens, arg: unknown): Promise<unknown> {
  const client = requireClient(sl);
  let url = typeof arg === 'string' ? arg : (arg as { app?: { url?: string } } | undefined)?.app?.url;
  if (!url) {
    url = await vscode.window.showInputBox({
      prompt: "Your app's serve URL",
      value: sl.settings.appUrls[0] ?? sl.model.apps[0]?.url ?? 'http://127.0.0.1:3000/api/inngest',
      validateInput: (v) => (/^https?:\/\/\S+$/.test(v) ? undefined : 'An http:// URL, e.g. http://127.0.0.1:3000/api/inngest'),
    });
    if (!url) return undefined;
  }
  const app = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Steplens: syncing ${url}` }, () => client.syncApp(url));
  sl.model.upsertApp(app);
  await sl.session?.loadFunctions();
  if (app.state === 'error') {
    void sl.showError(`Sync of ${url} failed: ${app.error?.message ?? 'unknown error'}.`, app.error?.hint ?? '');
  }
  return app;
}

function requireClient(sl: Steplens) {
  const c = sl.session?.client;
  if (!c) throw Object.assign(new Error('the executor is not running'), { hint: 'Run "Steplens: Start Executor".' });
  return c;
}
