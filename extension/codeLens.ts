// CodeLens above each createFunction: Send test event, Send last payload, Invoke, next cron run,
// and the last run's outcome (which opens that run).
import * as vscode from 'vscode';
import type { FunctionEntry } from '../language-server/protocol';
import { Commands } from './manifest';
import { nextCronRun } from './hints';
import { formatIn, runOutcome, type Model } from './model';

export interface FunctionTarget {
  functionId: string;
  eventName?: string;
}

export class StepLensCodeLens implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly model: Model) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const fn of functionsIn(this.model, doc.uri)) {
      const line = fn.range.start.line;
      const range = new vscode.Range(line, 0, line, 0);
      const event = fn.triggers.find((t) => t.kind === 'event');
      if (event && event.kind === 'event') {
        const target: FunctionTarget = { functionId: fn.slug, eventName: event.event };
        lenses.push(new vscode.CodeLens(range, { title: '$(send) Send test event', command: Commands.sendTestEvent, arguments: [target], tooltip: `Compose a "${event.event}" event for ${fn.id}` }));
        if (this.model.lastPayloads.has(event.event)) {
          lenses.push(new vscode.CodeLens(range, { title: 'Send again', command: Commands.sendLastPayload, arguments: [target], tooltip: 'Send the last payload again, without the form' }));
        }
      }
      if (fn.idUnresolved) {
        // The id is computed at run time: the executor knows this function by a slug the source does not show.
        lenses.push(new vscode.CodeLens(range, { title: 'id computed at run time', command: '', tooltip: `Steplens cannot read this function's id from the source (${fn.id}), so Invoke and the last run are not shown here; the Functions view lists it under its app once the app is synced.` }));
        continue;
      }
      lenses.push(new vscode.CodeLens(range, { title: '$(play) Invoke', command: Commands.invokeFunction, arguments: [{ functionId: fn.slug } satisfies FunctionTarget], tooltip: `Run ${fn.id} now through the executor's invoke API` }));
      // The executor's schedule once synced; before that, the language server's from the source.
      const next = fn.triggers.some((t) => t.kind === 'cron') ? nextCronRun(fn, this.model.executorFunction(fn)) : undefined;
      if (next !== undefined) {
        lenses.push(new vscode.CodeLens(range, { title: `next run ${formatIn(next)}`, command: '', tooltip: new Date(next).toString() }));
      }
      const last = this.model.lastRun(fn.slug);
      if (last) {
        lenses.push(new vscode.CodeLens(range, { title: runOutcome(last), command: Commands.openRun, arguments: [last.id], tooltip: `Open run ${last.id}` }));
      }
    }
    return lenses;
  }
}

export function functionsIn(model: Model, uri: vscode.Uri): FunctionEntry[] {
  const path = uri.fsPath;
  return model.sourceFunctions.filter((f) => sameFile(f.uri, path));
}

export function sameFile(lspUri: string, fsPath: string): boolean {
  try {
    return vscode.Uri.parse(lspUri).fsPath === fsPath;
  } catch {
    return false;
  }
}
