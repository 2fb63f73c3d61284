// Document symbols (clients, functions with their steps, declared events) and workspace symbols
// (functions and events across the workspace). Pure.
import { SymbolKind, type DocumentSymbol, type SymbolInformation } from 'vscode-languageserver';
import type { FunctionEntry, WorkspaceIndex } from '../analysis/index';
import type { Rng } from '../protocol';
import { cmp } from './positions';

export function documentSymbols(index: WorkspaceIndex, uri: string): DocumentSymbol[] {
  const file = index.file(uri);
  if (!file) return [];
  const out: DocumentSymbol[] = [];
  for (const c of file.clients) {
    out.push({ name: c.id ?? c.localName, detail: `Inngest client ${c.localName}`, kind: SymbolKind.Object, range: c.range, selectionRange: c.range });
  }
  const byKey = new Map<string, DocumentSymbol>();
  for (const f of file.functions) {
    const sym: DocumentSymbol = {
      name: f.id ?? f.name ?? '(function without id)',
      detail: triggerSummary(f.triggers),
      kind: SymbolKind.Function,
      range: f.range,
      selectionRange: f.idRange && within(f.idRange, f.range) ? f.idRange : f.range,
      children: [],
    };
    byKey.set(f.key, sym);
    out.push(sym);
  }
  for (const s of file.steps) {
    const parent = byKey.get(s.functionKey);
    const sym: DocumentSymbol = {
      name: s.id ?? '(computed id)',
      detail: `step.${s.method}${s.inFailureHandler ? ' (onFailure)' : ''}`,
      kind: SymbolKind.Method,
      range: s.range,
      selectionRange: s.idRange && within(s.idRange, s.range) ? s.idRange : s.range,
    };
    if (parent && within(s.range, parent.range)) parent.children?.push(sym);
    else out.push(sym);
  }
  for (const lit of file.literals) {
    if (lit.kind === 'event-name' && lit.role === 'schema-declaration') {
      out.push({ name: lit.name, detail: 'event schema', kind: SymbolKind.Event, range: lit.range, selectionRange: lit.range });
    }
  }
  return out.sort((a, b) => cmp(a.range.start, b.range.start));
}

export function workspaceSymbols(index: WorkspaceIndex, query: string, limit = 500): SymbolInformation[] {
  const q = query.toLowerCase();
  const out: SymbolInformation[] = [];
  for (const f of index.functions()) {
    if (out.length >= limit) break;
    if (!fuzzy(f.slug.toLowerCase(), q) && !fuzzy((f.name ?? '').toLowerCase(), q)) continue;
    out.push({ name: f.id, kind: SymbolKind.Function, location: { uri: f.uri, range: f.idRange ?? f.range }, containerName: f.appId ?? undefined });
  }
  for (const e of index.events()) {
    if (out.length >= limit) break;
    if (!e.declaration || !fuzzy(e.name.toLowerCase(), q)) continue;
    out.push({ name: e.name, kind: SymbolKind.Event, location: e.declaration, containerName: 'event schema' });
  }
  return out;
}

function triggerSummary(triggers: FunctionEntry['triggers']): string {
  return triggers
    .map((t) => {
      switch (t.kind) {
        case 'event':
          return t.event;
        case 'cron':
          return `cron ${t.cron}`;
        case 'invoke':
          return 'invoke';
        default: {
          const never: never = t;
          return never;
        }
      }
    })
    .join(', ');
}

function within(inner: Rng, outer: Rng): boolean {
  return cmp(outer.start, inner.start) <= 0 && cmp(inner.end, outer.end) <= 0;
}

/** Characters of `q` appear in `s` in order (VS Code's usual workspace-symbol filter). */
function fuzzy(s: string, q: string): boolean {
  let i = 0;
  for (const c of s) if (c === q[i]) i++;
  return i >= q.length;
}
