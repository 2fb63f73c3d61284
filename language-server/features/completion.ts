// Completion of event names wherever one is written (triggers, waits, sends, cancelOn, eventType) and
// of `event.data.` / `async.data.` paths inside expression strings (if, match, keys). Pure.
import { CompletionItemKind, MarkupKind, type CompletionItem, type Position, type Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { EventEntry, ExpressionLiteral, WorkspaceIndex } from '../analysis/index';
import { triggerEventsOf } from './eventContext';
import { eventMarkdown } from './hover';
import { propertiesOf, schemaAt, schemaToTs } from './schemaType';

export interface CompletionContext {
  index: WorkspaceIndex;
  display: (uri: string) => string;
}

export function completion(ctx: CompletionContext, doc: TextDocument, pos: Position): CompletionItem[] {
  const lit = ctx.index.literalAt(doc.uri, pos);
  if (lit?.kind === 'event-name') {
    if (lit.role === 'invoke-target' || lit.role === 'schema-declaration') return [];
    return eventNameItems(ctx, lit.valueRange, lit.name);
  }
  if (lit?.kind === 'expression') return expressionItems(ctx, doc, pos, lit);
  if (lit) return [];
  const str = stringAround(doc, pos);
  if (str && looksLikeEventSlot(doc.getText().slice(Math.max(0, str.startOffset - 300), str.startOffset))) {
    return eventNameItems(ctx, { start: doc.positionAt(str.startOffset + 1), end: doc.positionAt(str.endOffset) }, undefined);
  }
  return [];
}

function eventNameItems(ctx: CompletionContext, range: Range, current: string | undefined): CompletionItem[] {
  const events = ctx.index.events();
  return events
    .filter((e) => e.name !== current || e.declaration !== undefined)
    .map((e, i): CompletionItem => ({
      label: e.name,
      kind: CompletionItemKind.Event,
      detail: eventDetail(e),
      documentation: { kind: MarkupKind.Markdown, value: eventMarkdown(ctx, e.name) },
      textEdit: { range, newText: e.name },
      filterText: e.name,
      // Declared events first, then the rest, each alphabetically.
      sortText: `${e.declaration ? '0' : '1'}${String(i).padStart(5, '0')}`,
    }))
    .sort((a, b) => (a.sortText as string).localeCompare(b.sortText as string) || a.label.localeCompare(b.label));
}

function eventDetail(e: EventEntry): string {
  const parts = [e.declaration ? 'declared' : 'not declared'];
  if (e.listeners.length) parts.push(`${e.listeners.length} listener${e.listeners.length === 1 ? '' : 's'}`);
  if (e.senders.length) parts.push(`sent in ${e.senders.length} place${e.senders.length === 1 ? '' : 's'}`);
  return parts.join(', ');
}

const PATH_BEFORE_CURSOR = /\b(event|async)((?:\.[A-Za-z_$][\w$]*)*)\.([A-Za-z_$][\w$]*)?$/;
/** `match` values are a path from the event itself: `data.userId`. */
const MATCH_PATH_BEFORE_CURSOR = /^\s*(data(?:\.[A-Za-z_$][\w$]*)*)\.([A-Za-z_$][\w$]*)?$/;

function expressionItems(ctx: CompletionContext, doc: TextDocument, pos: Position, lit: ExpressionLiteral): CompletionItem[] {
  const start = doc.offsetAt(lit.valueRange.start);
  const cursor = doc.offsetAt(pos);
  if (cursor < start) return [];
  const before = doc.getText().slice(start, cursor);
  let root: 'event' | 'async' | 'match';
  let segs: string[];
  let partial: string;
  const isMatch = lit.role === 'waitForEvent-match' || lit.role === 'cancelOn-match';
  const mm = isMatch ? MATCH_PATH_BEFORE_CURSOR.exec(before) : null;
  if (mm) {
    root = 'match';
    segs = (mm[1] as string).split('.');
    partial = mm[2] ?? '';
  } else {
    const m = PATH_BEFORE_CURSOR.exec(before);
    if (!m) return [];
    root = m[1] as 'event' | 'async';
    segs = (m[2] ?? '').split('.').filter(Boolean);
    partial = m[3] ?? '';
  }
  const replace: Range = { start: doc.positionAt(cursor - partial.length), end: pos };
  if (segs.length === 0) {
    return [
      { label: 'data', kind: CompletionItemKind.Field, detail: 'the event payload', textEdit: { range: replace, newText: 'data' } },
      { label: 'name', kind: CompletionItemKind.Field, detail: 'string', textEdit: { range: replace, newText: 'name' } },
      { label: 'id', kind: CompletionItemKind.Field, detail: 'string', textEdit: { range: replace, newText: 'id' } },
      { label: 'ts', kind: CompletionItemKind.Field, detail: 'number (ms since epoch)', textEdit: { range: replace, newText: 'ts' } },
      { label: 'user', kind: CompletionItemKind.Field, detail: 'object', textEdit: { range: replace, newText: 'user' } },
    ];
  }
  if (segs[0] !== 'data') return [];
  const asyncNames = lit.asyncEventName ? [lit.asyncEventName] : [];
  // A match field must exist on both the triggering and the awaited event: offer what either has.
  const names =
    root === 'event' ? triggerEventsOf(ctx.index, doc.uri, lit) : root === 'async' ? asyncNames : [...triggerEventsOf(ctx.index, doc.uri, lit), ...asyncNames];
  const seen = new Map<string, CompletionItem>();
  for (const name of names) {
    const schema = ctx.index.event(name)?.dataSchema;
    if (!schema) continue;
    const at = segs.length === 1 ? schema : schemaAt(schema, segs.slice(1));
    if (!at) continue;
    for (const [key, sub] of propertiesOf(at)) {
      if (seen.has(key)) continue;
      const type = schemaToTs(sub);
      const nested = propertiesOf(sub).size > 0;
      seen.set(key, {
        label: key,
        kind: nested ? CompletionItemKind.Module : CompletionItemKind.Field,
        detail: type.includes('\n') ? 'object' : type,
        documentation: { kind: MarkupKind.Markdown, value: `\`${root === 'match' ? '' : `${root}.`}${[...segs, key].join('.')}\` of \`${name}\`\n\n\`\`\`ts\n${type}\n\`\`\`` },
        textEdit: { range: replace, newText: key },
      });
    }
  }
  return [...seen.values()];
}

interface StringSpan {
  /** Offset of the opening quote. */
  startOffset: number;
  /** Offset of the closing quote, or of the line end when unterminated. */
  endOffset: number;
}

/** The string literal (single line, ' " or `) the cursor is inside, found by scanning its line. */
export function stringAround(doc: TextDocument, pos: Position): StringSpan | undefined {
  const lineStart = doc.offsetAt({ line: pos.line, character: 0 });
  const lineEnd = doc.offsetAt({ line: pos.line + 1, character: 0 });
  const text = doc.getText().slice(lineStart, lineEnd).replace(/\r?\n$/, '');
  const cursor = pos.character;
  let quote: string | null = null;
  let open = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === quote) {
        if (open < cursor && cursor <= i) return { startOffset: lineStart + open, endOffset: lineStart + i };
        quote = null;
      }
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
      open = i;
    } else if (c === '/' && text[i + 1] === '/') {
      break;
    }
  }
  if (quote && open < cursor) return { startOffset: lineStart + open, endOffset: lineStart + text.length };
  return undefined;
}

/** Whether the code right before a string is a place an event name goes. */
export function looksLikeEventSlot(before: string): boolean {
  if (/\bevent\s*:\s*$/.test(before)) return true;
  if (/\beventType\(\s*$/.test(before)) return true;
  if (/\bname\s*:\s*$/.test(before) && /\b(send|sendEvent)\s*\(/.test(before)) return true;
  return false;
}
