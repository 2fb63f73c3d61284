// Quick fixes from the fix data the analysis attaches to diagnostics (did-you-mean event name, add the
// missing event to a fromRecord schema). When a client drops `data`, the fixes are looked up again.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { DIAGNOSTIC_SOURCE, type QuickFixData, type WorkspaceIndex } from '../analysis/index';

export function codeActions(index: WorkspaceIndex, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  if (only && !only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${k}.`) || k === CodeActionKind.Empty)) return [];
  const out: CodeAction[] = [];
  for (const d of params.context.diagnostics) {
    if (d.source !== DIAGNOSTIC_SOURCE) continue;
    const data = fixData(d) ?? lookUp(index, params.textDocument.uri, d);
    if (!data) continue;
    for (const fix of data.fixes) {
      const changes: Record<string, TextEdit[]> = {};
      for (const e of fix.edits) (changes[e.uri] ??= []).push({ range: e.range, newText: e.newText });
      out.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: fix.isPreferred, edit: { changes } });
    }
  }
  return out;
}

function fixData(d: Diagnostic): QuickFixData | undefined {
  const data = d.data as QuickFixData | undefined;
  return data && Array.isArray(data.fixes) ? data : undefined;
}

function lookUp(index: WorkspaceIndex, uri: string, d: Diagnostic): QuickFixData | undefined {
  const match = index
    .diagnostics(uri)
    .find(
      (x) =>
        x.code === d.code &&
        x.range.start.line === d.range.start.line &&
        x.range.start.character === d.range.start.character &&
        x.range.end.line === d.range.end.line &&
        x.range.end.character === d.range.end.character,
    );
  return match?.data;
}
