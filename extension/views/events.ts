// Events view: recent events received by the executor; "Send again" re-sends one.
import * as vscode from 'vscode';
import type { EventRecord } from '../../runtime/api';
import { Commands, ItemContexts } from '../manifest';
import { bufferText, formatAgo, truncate, type Model } from '../model';

const SHOWN = 100;

export class EventsView implements vscode.TreeDataProvider<EventRecord> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly model: Model) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(node?: EventRecord): EventRecord[] {
    if (node) return [];
    // The executor's own bookkeeping (`inngest/function.finished` after every run ...) would bury
    // the user's events: internal events are listed only when they started a run.
    return this.model.recentEvents().filter((e) => !e.name.startsWith('inngest/') || (e.runIds?.length ?? 0) > 0).slice(0, SHOWN);
  }

  getTreeItem(e: EventRecord): vscode.TreeItem {
    const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.None);
    item.id = `event:${e.internalId ?? e.id}`;
    item.iconPath = new vscode.ThemeIcon('symbol-event');
    const runs = e.runIds?.length;
    const buffer = this.model.bufferOf(e);
    item.description = [formatAgo(e.receivedAt), runs ? `${runs} run${runs === 1 ? '' : 's'}` : '', buffer ? bufferText(buffer) : ''].filter(Boolean).join(' · ');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${e.name}** \`${e.id}\`\n\n`);
    md.appendCodeblock(truncate(JSON.stringify(e.data, null, 2), 2000), 'json');
    item.tooltip = md;
    item.contextValue = ItemContexts.event;
    if (e.runIds?.length) item.command = { command: Commands.openRun, title: 'Open Run', arguments: [e.runIds[0]] };
    return item;
  }
}
