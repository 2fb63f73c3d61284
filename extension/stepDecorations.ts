// After a run, each step call in the source shows its last status and duration at the end of
// the line, with the output (or error) on hover over the call (from `step.` to the end of its
// line, so it works where the end-of-line text is off screen). Also the stepper's current line.
import * as vscode from 'vscode';
import type { StepInfo } from '../runtime/api';
import { functionsIn } from './codeLens';
import { stepOutputJson } from './hints';
import { formatDuration, truncate, type Model } from './model';
import { stepGlyph } from './views/icons';

export class StepDecorations {
  private readonly ok = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly bad = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('errorForeground'), fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly current = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.stackFrameHighlightBackground'),
    overviewRulerColor: new vscode.ThemeColor('editor.stackFrameHighlightBackground'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
  });
  /** Text of the decorations last applied, per file (tests read this). */
  readonly applied = new Map<string, string[]>();
  /** Their ranges (the hover area), per file, in the same order (tests read this). */
  readonly appliedRanges = new Map<string, vscode.Range[]>();

  constructor(private readonly model: Model) {}

  update(): void {
    for (const editor of vscode.window.visibleTextEditors) this.decorate(editor);
  }

  decorate(editor: vscode.TextEditor): void {
    const ok: vscode.DecorationOptions[] = [];
    const bad: vscode.DecorationOptions[] = [];
    for (const fn of functionsIn(this.model, editor.document.uri)) {
      const run = this.model.lastRun(fn.slug);
      const detail = run && this.model.detail(run.id);
      if (!detail) continue;
      for (const entry of fn.steps) {
        if (!entry.id) continue;
        const step = latest(detail.steps.filter((s) => s.userId === entry.id));
        if (!step) continue;
        const line = entry.range.start.line;
        if (line >= editor.document.lineCount) continue;
        const end = editor.document.lineAt(line).range.end;
        // The `after` text renders at the range's end (the line's end); the range is the hover area.
        const start = entry.range.start.character < end.character ? new vscode.Position(line, entry.range.start.character) : end;
        const text = stepText(step);
        const opt: vscode.DecorationOptions = {
          range: new vscode.Range(start, end),
          renderOptions: { after: { contentText: text } },
          hoverMessage: stepHover(step, detail.id),
        };
        (step.status === 'failed' ? bad : ok).push(opt);
      }
    }
    editor.setDecorations(this.ok, ok);
    editor.setDecorations(this.bad, bad);
    this.applied.set(editor.document.uri.fsPath, [...ok, ...bad].map((o) => o.renderOptions?.after?.contentText ?? ''));
    this.appliedRanges.set(editor.document.uri.fsPath, [...ok, ...bad].map((o) => o.range));
  }

  /** Highlights one line like a debugger's current line; undefined clears it everywhere. */
  highlight(editor: vscode.TextEditor | undefined, line?: number): void {
    for (const e of vscode.window.visibleTextEditors) e.setDecorations(this.current, []);
    if (editor && line !== undefined) editor.setDecorations(this.current, [new vscode.Range(line, 0, line, 0)]);
  }

  dispose(): void {
    this.ok.dispose();
    this.bad.dispose();
    this.current.dispose();
  }
}

function latest(steps: StepInfo[]): StepInfo | undefined {
  return steps.sort((a, b) => (b.index ?? 0) - (a.index ?? 0))[0];
}

export function stepText(s: StepInfo): string {
  const dur = s.startedAt !== undefined && s.endedAt !== undefined ? ` ${formatDuration(s.endedAt - s.startedAt)}` : '';
  const tries = s.attempts.length > 1 ? `, ${s.attempts.length} attempts` : '';
  const memo = s.memoizedFrom ? ' (memoized)' : '';
  if (s.status === 'failed') return `${stepGlyph(s.status)} failed: ${truncate(s.error?.message ?? 'error', 60)}${tries}`;
  return `${stepGlyph(s.status)} ${s.status}${dur}${tries}${memo}`;
}

function stepHover(s: StepInfo, runId: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${s.displayName || s.userId}** · ${s.status} · run \`${runId}\`\n\n`);
  if (s.error) {
    md.appendMarkdown(`**${s.error.name}**: ${s.error.message}\n\n`);
    if (s.error.stack) md.appendCodeblock(truncate(s.error.stack, 1500), 'text');
  } else {
    const json = stepOutputJson(s);
    if (json !== undefined) md.appendCodeblock(truncate(json, 3000), 'json');
  }
  return md;
}
