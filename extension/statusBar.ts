// The status bar item: executor and app sync state; click opens the panel.
import * as vscode from 'vscode';
import { Commands } from './manifest';
import type { Model } from './model';
import { devEnvLine } from './executor/process';
import { appStartLine, isOffline, sentence } from './hints';

export class StatusBar {
  readonly item: vscode.StatusBarItem;

  constructor(private readonly model: Model) {
    this.item = vscode.window.createStatusBarItem('steplens.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Steplens';
    this.item.command = Commands.openPanel;
    this.update();
  }

  /** The text as shown, for tests and logs. */
  get text(): string {
    return this.item.text;
  }

  update(hasInngest = true): void {
    const s = this.model.executor;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: [Commands.showLogs, Commands.restartExecutor, Commands.copyDevEnv, Commands.syncApp, Commands.startExecutor] };
    this.item.backgroundColor = undefined;
    if (!hasInngest) {
      this.item.hide();
      return;
    }
    switch (s.kind) {
      case 'stopped':
        this.item.text = '$(circle-slash) Steplens: stopped';
        md.appendMarkdown(`The executor is not running. [Start it](command:${Commands.startExecutor})`);
        break;
      case 'starting':
        this.item.text = '$(sync~spin) Steplens: starting';
        md.appendMarkdown(`Starting the executor on port ${s.port}…`);
        break;
      case 'stopping':
        this.item.text = '$(sync~spin) Steplens: stopping';
        md.appendMarkdown('Stopping the executor…');
        break;
      case 'failed':
        this.item.text = '$(error) Steplens: executor failed';
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        md.appendMarkdown(`**The executor failed**: ${escape(s.error.message)}\n\n${escape(s.error.hint)}\n\n`);
        md.appendMarkdown(`[Show logs](command:${Commands.showLogs}) · [Restart](command:${Commands.restartExecutor})`);
        break;
      case 'ready': {
        const synced = this.model.apps.filter((a) => a.state === 'synced');
        const broken = this.model.apps.filter((a) => a.state === 'error' && !isOffline(a));
        const offline = this.model.apps.filter(isOffline);
        const fnCount = synced.reduce((n, a) => n + a.functionIds.length, 0);
        if (broken.length) {
          this.item.text = `$(warning) Steplens: ${plural(synced.length, 'app')}, ${broken.length} sync error${broken.length > 1 ? 's' : ''}`;
          this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        } else if (synced.length === 0) {
          this.item.text = offline.length ? `$(debug-disconnect) Steplens: ${plural(offline.length, 'app')} offline` : '$(pulse) Steplens: ready, no app';
        } else {
          this.item.text = `$(pulse) Steplens: ${plural(synced.length, 'app')}, ${plural(fnCount, 'function')}${offline.length ? `, ${offline.length} offline` : ''}`;
        }
        md.appendMarkdown(`Executor at \`${s.url}\`\n\n`);
        if (s.port !== s.preferredPort) {
          md.appendMarkdown(`Port ${s.preferredPort} was taken. Start your app with \`${devEnvLine(s.url)}\` [Copy](command:${Commands.copyDevEnv})\n\n`);
        } else if (synced.length === 0 && !offline.length) {
          md.appendMarkdown(`Start your app with \`${appStartLine(s)}\` so the executor finds it, or [sync it by URL](command:${Commands.syncApp}).\n\n`);
        }
        for (const a of broken) {
          md.appendMarkdown(`**${escape(a.id)}**: ${escape(a.error?.message ?? 'sync failed')}`);
          if (a.error?.hint) md.appendMarkdown(`. ${escape(sentence(a.error.hint))}`);
          md.appendMarkdown(` [Copy INNGEST_DEV line](command:${Commands.copyDevEnv})\n\n`);
        }
        for (const a of offline) {
          md.appendMarkdown(`**${escape(a.id)}** is offline (${escape(a.url)} does not answer): Steplens syncs it again when it is back. If it stopped, start it with \`${appStartLine(s)}\`.\n\n`);
        }
        for (const a of synced) md.appendMarkdown(`- ${escape(a.id)}: ${plural(a.functionIds.length, 'function')} (${escape(a.url)})\n`);
        break;
      }
    }
    this.item.tooltip = md;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
