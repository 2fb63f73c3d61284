// Functions view: the workspace's functions grouped by app, with triggers, the last run's status
// and a "not synced" mark until the executor has seen them. Click opens the source.
import * as vscode from 'vscode';
import type { AppInfo, FunctionInfo } from '../../runtime/api';
import type { FunctionEntry, TriggerEntry } from '../../language-server/protocol';
import { Commands, ItemContexts } from '../manifest';
import { appErrorSummary, appStartLine, isOffline, notSyncedHint, sentence } from '../hints';
import { runOutcome, type Model } from '../model';
import { runIcon } from './icons';

type Node =
  | { kind: 'app'; appId: string; app?: AppInfo; source: FunctionEntry[]; remote: FunctionInfo[] }
  | { kind: 'fn'; fn: FunctionEntry }
  | { kind: 'remoteFn'; fn: FunctionInfo };

/** The group of functions whose client's app id the language server could not work out (`appIdUnresolved`). */
const UNKNOWN_APP = 'app id computed at run time';

export class FunctionsView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  private view: vscode.TreeView<Node> | undefined;

  constructor(private readonly model: Model) {}

  /** Creates the tree view (it carries the one-line "not synced" hint as its message). */
  register(id: string): vscode.Disposable {
    this.view = vscode.window.createTreeView(id, { treeDataProvider: this });
    this.updateMessage();
    return this.view;
  }

  /** The one-line hint shown at the top of the view, if any (tests read it). */
  get message(): string | undefined {
    return this.view?.message;
  }

  refresh(): void {
    this.updateMessage();
    this.changed.fire();
  }

  private updateMessage(): void {
    if (!this.view) return;
    const hint = notSyncedHint(this.model) ?? '';
    if (this.view.message !== hint) this.view.message = hint;
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.apps();
    if (node.kind === 'app') {
      return [
        ...node.source.map((fn): Node => ({ kind: 'fn', fn })),
        ...node.remote.map((fn): Node => ({ kind: 'remoteFn', fn })),
      ];
    }
    return [];
  }

  private apps(): Node[] {
    const groups = new Map<string, Extract<Node, { kind: 'app' }>>();
    const group = (appId: string): Extract<Node, { kind: 'app' }> => {
      let g = groups.get(appId);
      if (!g) {
        g = { kind: 'app', appId, app: this.model.apps.find((a) => a.id === appId), source: [], remote: [] };
        groups.set(appId, g);
      }
      return g;
    };
    for (const fn of this.model.sourceFunctions) group(fn.appId ?? UNKNOWN_APP).source.push(fn);
    for (const fn of this.model.functionsWithoutSource()) group(fn.appId).remote.push(fn);
    for (const app of this.model.apps) if (app.state === 'error') group(app.id);
    return [...groups.values()].sort((a, b) => a.appId.localeCompare(b.appId));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'app':
        return this.appItem(node);
      case 'fn':
        return this.fnItem(node.fn);
      case 'remoteFn':
        return this.remoteItem(node.fn);
    }
  }

  private appItem(node: Extract<Node, { kind: 'app' }>): vscode.TreeItem {
    const item = new vscode.TreeItem(node.appId, vscode.TreeItemCollapsibleState.Expanded);
    item.contextValue = ItemContexts.app;
    item.id = `app:${node.appId}`;
    const app = node.app;
    if (node.appId === UNKNOWN_APP && !app) {
      item.iconPath = new vscode.ThemeIcon('question');
      item.tooltip = new vscode.MarkdownString(
        'The source does not say which app these functions belong to: their client is built at run time (a factory called with a computed id, dependency injection). Steplens matches each to a synced function by its id when only one app has a function with that id.',
      );
    } else if (!app) {
      item.iconPath = new vscode.ThemeIcon('circle-outline');
      item.description = this.model.executor.kind === 'ready' ? 'not synced' : '';
      item.tooltip = new vscode.MarkdownString(
        `The executor has not synced this app yet. Start it with \`${appStartLine(this.model.executor)}\` (v4 apps run in cloud mode otherwise and refuse unsigned requests), then run **Steplens: Sync App**.`,
      );
    } else if (isOffline(app)) {
      // It synced before and does not answer now (restarting, or stopped): quiet, not an error.
      item.iconPath = new vscode.ThemeIcon('debug-disconnect');
      item.description = 'offline';
      item.tooltip = new vscode.MarkdownString().appendText(
        `${app.url} does not answer: the app is restarting or stopped. Steplens syncs it again when it is back; if it stopped, start it with ${appStartLine(this.model.executor)}.`,
      );
    } else if (app.state === 'error') {
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      // What to do, in a few words; the full message, hint and URL in the tooltip; Copy INNGEST_DEV line inline.
      item.description = appErrorSummary(app.error, app.url);
      item.contextValue = ItemContexts.appError;
      const md = new vscode.MarkdownString();
      md.appendText(`Sync failed: ${app.error?.message ?? 'unknown error'}\n\n`);
      if (app.error?.hint) md.appendText(`${sentence(app.error.hint)}\n\n`);
      md.appendText(app.url);
      item.tooltip = md;
    } else {
      item.iconPath = new vscode.ThemeIcon(app.state === 'synced' ? 'plug' : 'sync');
      item.description = app.state === 'synced' ? `${app.functionIds.length} functions` : 'syncing';
      item.tooltip = `${app.url}${app.sdk ? `\n${app.sdk}` : ''}`;
    }
    return item;
  }

  private fnItem(fn: FunctionEntry): vscode.TreeItem {
    const item = new vscode.TreeItem(fn.name ?? fn.id, vscode.TreeItemCollapsibleState.None);
    item.id = `fn:${fn.uri}#${fn.slug}`;
    const remote = this.model.executorFunction(fn);
    const synced = !!remote;
    const problems = remote?.configErrors ?? [];
    const last = this.model.lastRun(fn.slug);
    const triggers = fn.triggers.map(triggerText).join(', ');
    item.description = [triggers, synced || fn.idUnresolved || this.model.executor.kind !== 'ready' ? '' : 'not synced', problems.length ? 'config error' : '', fn.idUnresolved ? 'id computed at run time' : '']
      .filter(Boolean)
      .join(' · ');
    const paused = last?.status === 'Running' && last.paused !== undefined;
    item.iconPath = problems.length ? problemIcon() : paused ? new vscode.ThemeIcon('watch') : last ? runIcon(last.status) : new vscode.ThemeIcon('symbol-function');
    item.contextValue = fn.triggers.some((t) => t.kind === 'event') ? ItemContexts.eventFunction : ItemContexts.function;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${fn.name ?? fn.id}** \`${fn.slug}\`\n\n`);
    for (const t of fn.triggers) md.appendMarkdown(`- ${triggerText(t)}\n`);
    if (last) md.appendMarkdown(`\nLast run: ${runOutcome(last)}\n`);
    if (fn.idUnresolved) {
      md.appendMarkdown('\n_Its id is computed at run time_, so Steplens cannot match it with the executor: once the app is synced, the function is listed under the app by its real id.\n');
    } else if (!synced && this.model.executor.kind === 'ready') {
      md.appendMarkdown(`\n_Not synced_: start your app with \`${appStartLine(this.model.executor)}\` so the executor can reach it.\n`);
    }
    appendProblems(md, problems);
    item.tooltip = md;
    item.command = { command: Commands.openFunctionSource, title: 'Go to Source', arguments: [fn.slug] };
    return item;
  }

  private remoteItem(fn: FunctionInfo): vscode.TreeItem {
    const item = new vscode.TreeItem(fn.name, vscode.TreeItemCollapsibleState.None);
    item.id = `remote:${fn.id}`;
    const last = this.model.lastRun(fn.id);
    const problems = fn.configErrors ?? [];
    item.iconPath = problems.length ? problemIcon() : last ? runIcon(last.status) : new vscode.ThemeIcon('symbol-function');
    item.description = [fn.triggers.map((t) => ('event' in t ? t.event : `cron ${t.cron}`)).join(', '), problems.length ? 'config error' : '']
      .filter(Boolean)
      .join(' · ');
    const md = new vscode.MarkdownString();
    md.appendText(`${fn.id}\nNot found in this workspace's source.\n`);
    appendProblems(md, problems);
    item.tooltip = md;
    item.contextValue = fn.triggers.some((t) => 'event' in t) ? ItemContexts.eventFunction : ItemContexts.function;
    return item;
  }
}

function problemIcon(): vscode.ThemeIcon {
  return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
}

/** The executor's `configErrors` (flow control or cron it could not use), as text, never as markdown from the app. */
function appendProblems(md: vscode.MarkdownString, problems: readonly string[]): void {
  if (problems.length === 0) return;
  md.appendMarkdown('\n**The executor could not use some settings** (it keeps the previous ones):\n');
  for (const p of problems) {
    md.appendMarkdown('\n- ');
    md.appendText(p);
  }
  md.appendMarkdown('\n');
}

export function triggerText(t: TriggerEntry): string {
  switch (t.kind) {
    case 'event':
      return t.expression ? `${t.event} if ${t.expression}` : t.event;
    case 'cron':
      return t.description ? `cron: ${t.description}` : `cron ${t.cron}`;
    case 'invoke':
      return 'invoke';
  }
}
