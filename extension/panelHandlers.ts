// The host side of the panel's requests (media/messages.ts), as a table: a missing kind fails to compile.
import * as vscode from 'vscode';
import { relative } from 'node:path';
import type { PanelRequestHandlers, SourceLocation, StepRef } from '../media/messages';
import { ExecutorApiError } from './executor/client';
import { isEventApiPath, isProxyablePath } from './panelHtml';
import { firstFolder, listFixtures, saveFixture } from './workspace';
import type { Steplens } from './extension';

export function panelHandlers(sl: Steplens): PanelRequestHandlers {
  return {
    api: async (r) => {
      const client = sl.session?.client;
      if (!client) throw new ExecutorApiError('The executor is not running', 0, 'Run "Steplens: Start Executor".');
      if (!isProxyablePath(r.path)) throw new ExecutorApiError(`Refusing to proxy "${r.path}"`, 0, 'Only executor routes can be called.');
      const res = await client.raw(r.method, r.path, r.body);
      if (r.method === 'POST' && isEventApiPath(r.path) && res.status < 300) rememberPayloads(sl, r.body);
      return res;
    },
    events: () =>
      Promise.resolve(
        sl.model.knownEvents.map((e) => ({ name: e.name, dataSchema: e.dataSchema, example: e.example, listeners: e.listeners })),
      ),
    openSource: async (r) => {
      const loc = await locate(sl, r.step);
      if (!loc) return null;
      const editor = await vscode.window.showTextDocument(loc.uri, { selection: loc.range, viewColumn: vscode.ViewColumn.One });
      editor.revealRange(loc.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      return sourceLocation(loc.uri, loc.range.start);
    },
    highlightSource: async (r) => {
      if (!r.step) {
        sl.decorations.highlight(undefined);
        return null;
      }
      const loc = await locate(sl, r.step);
      if (!loc) return null;
      const editor = await vscode.window.showTextDocument(loc.uri, { viewColumn: vscode.ViewColumn.One, preserveFocus: true });
      editor.revealRange(loc.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      sl.decorations.highlight(editor, loc.range.start.line);
      return sourceLocation(loc.uri, loc.range.start);
    },
    listFixtures: () => listFixtures(),
    saveFixture: (r) => saveFixture(r.fixture),
  };
}

async function locate(sl: Steplens, step: StepRef): Promise<vscode.Location | null> {
  // The language server knows every literal step id; fall back to the model's copy of its index.
  const fromServer = await sl.lsp?.stepLocation(step.functionId, step.stepId).catch(() => null);
  if (fromServer) {
    const r = fromServer.range;
    return new vscode.Location(vscode.Uri.parse(fromServer.uri), new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character));
  }
  const fn = sl.model.sourceFunction(step.functionId);
  const entry = fn?.steps.find((s) => s.id === step.stepId);
  if (!fn || !entry) return null;
  const r = entry.range;
  return new vscode.Location(vscode.Uri.parse(fn.uri), new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character));
}

function sourceLocation(uri: vscode.Uri, pos: vscode.Position): SourceLocation {
  const root = firstFolder();
  const file = root && uri.fsPath.startsWith(root.fsPath) ? relative(root.fsPath, uri.fsPath) : uri.toString();
  return { file, line: pos.line + 1, character: pos.character };
}

function rememberPayloads(sl: Steplens, body: unknown): void {
  const list = Array.isArray(body) ? body : [body];
  for (const e of list) {
    if (e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string') {
      const ev = e as { name: string; data?: Record<string, unknown> };
      sl.rememberPayload(ev.name, ev.data ?? {});
    }
  }
}
