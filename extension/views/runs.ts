// Runs view: recent runs, live from the stream, newest first; replays listed under the run they
// came from (as in the panel). Click opens the run in the panel.
import * as vscode from 'vscode';
import type { RunSummary } from '../../runtime/api';
import { Commands, ItemContexts } from '../manifest';
import { formatAgo, formatDuration, pauseText, runOutcome, type Model } from '../model';
import { runIcon } from './icons';

const SHOWN = 100;

export class RunsView implements vscode.TreeDataProvider<RunSummary> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly model: Model) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(node?: RunSummary): RunSummary[] {
    const runs = this.model.recentRuns().slice(0, SHOWN);
    if (node) return runs.filter((r) => r.rerunOf?.runId === node.id);
    // A replay whose original is not listed (trimmed away) stays at the top level.
    const listed = new Set(runs.map((r) => r.id));
    return runs.filter((r) => !r.rerunOf || !listed.has(r.rerunOf.runId));
  }

  getParent(r: RunSummary): RunSummary | undefined {
    return r.rerunOf ? this.model.run(r.rerunOf.runId) : undefined;
  }

  getTreeItem(r: RunSummary): vscode.TreeItem {
    const replayed = this.model.recentRuns().some((x) => x.rerunOf?.runId === r.id);
    const item = new vscode.TreeItem(r.functionName || r.functionId, replayed ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = `run:${r.id}`;
    // A run asleep or waiting says so instead of spinning for a day.
    const paused = r.status === 'Running' && r.paused ? pauseText(r.paused) : undefined;
    item.iconPath = paused ? new vscode.ThemeIcon('watch') : runIcon(r.status);
    const dur = r.startedAt !== undefined && r.endedAt !== undefined ? formatDuration(r.endedAt - r.startedAt) : '';
    item.description = [paused ?? r.status.toLowerCase(), formatAgo(r.queuedAt), dur, r.rerunOf ? 'replay' : ''].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString(
      `**${r.functionName}** \`${r.id}\`\n\n${runOutcome(r)}\n\n` +
        (r.eventName ? `Event: \`${r.eventName}\`\n\n` : '') +
        (r.rerunOf ? `Replay of \`${r.rerunOf.runId}\`${r.rerunOf.fromStepId ? ` from step \`${r.rerunOf.fromStepId}\`` : ''}\n\n` : '') +
        (r.hold ? `Held: ${r.hold.detail}` : ''),
    );
    item.contextValue = r.status === 'Failed' ? ItemContexts.failedRun : ItemContexts.run;
    item.command = { command: Commands.openRun, title: 'Open Run', arguments: [r.id] };
    return item;
  }
}
