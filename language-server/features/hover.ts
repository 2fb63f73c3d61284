// Hover: on an event name (its data schema as a type, where it is declared and sent, who listens), on a
// cron string (plain words, next five runs, time-zone aware), on a duration (its length), on an
// invoke target (the function). Pure: takes the index and returns LSP data.
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { EventNameLiteral, WorkspaceIndex } from '../analysis/index';
import { triggerEventsOf } from './eventContext';
import { cronHoverMarkdown } from './cron';
import { durationHoverMarkdown } from './duration';
import { SDK_PARSED } from '../analysis/ctx';
import { locationLink } from './positions';
import { schemaToTs } from './schemaType';

export interface HoverContext {
  index: WorkspaceIndex;
  /** How a URI is shown to the user (workspace-relative path). */
  display: (uri: string) => string;
  now?: Date;
}

const MAX_LISTED = 8;

export function hover(ctx: HoverContext, uri: string, pos: Position): Hover | null {
  const lit = ctx.index.literalAt(uri, pos);
  if (!lit) {
    // an event named by an identifier (eventType value, string constant) or a constant's own string
    const ev = ctx.index.eventNameAt(uri, pos);
    return ev ? { contents: { kind: MarkupKind.Markdown, value: eventMarkdown(ctx, ev.name) }, range: ev.range } : null;
  }
  let value: string;
  switch (lit.kind) {
    case 'event-name':
      value = lit.role === 'invoke-target' ? invokeTargetMarkdown(ctx, lit) : eventMarkdown(ctx, lit.name);
      break;
    case 'cron':
      value = cronHoverMarkdown(lit.value, ctx.now);
      break;
    case 'duration':
      value = durationHoverMarkdown(lit.value, ctx.now, SDK_PARSED[lit.role]);
      break;
    case 'expression':
      value = expressionMarkdown(ctx, triggerEventsOf(ctx.index, uri, lit), lit.asyncEventName);
      break;
    default: {
      const never: never = lit;
      return never;
    }
  }
  return { contents: { kind: MarkupKind.Markdown, value }, range: lit.range };
}

export function eventMarkdown(ctx: HoverContext, name: string): string {
  const ev = ctx.index.event(name);
  const lines: string[] = [];
  lines.push('```ts', `// event "${name}"`, `type Data = ${ev?.dataSchema ? schemaToTs(ev.dataSchema) : 'unknown'};`, '```');
  if (!ev) {
    lines.push('', 'No schema declares this event, no function listens to it and nothing sends it.');
    return lines.join('\n');
  }
  if (ev.declaration) lines.push('', `Declared in ${locationLink(ev.declaration.uri, ev.declaration.range.start.line, ctx.display)}`);
  else if (!ev.dataSchema) lines.push('', 'No schema declares this event; its data is not checked.');
  lines.push('', `**Sent from** ${ev.senders.length === 0 ? 'nowhere in the workspace' : `${ev.senders.length} place${ev.senders.length === 1 ? '' : 's'}`}`);
  for (const s of ev.senders.slice(0, MAX_LISTED)) lines.push(`- ${locationLink(s.uri, s.range.start.line, ctx.display)}`);
  if (ev.senders.length > MAX_LISTED) lines.push(`- … and ${ev.senders.length - MAX_LISTED} more`);
  lines.push('', `**Triggers** ${ev.listeners.length === 0 ? 'no function' : `${ev.listeners.length} function${ev.listeners.length === 1 ? '' : 's'}`}`);
  for (const slug of ev.listeners.slice(0, MAX_LISTED)) {
    const fn = ctx.index.findFunction(slug);
    lines.push(fn ? `- \`${slug}\` (${locationLink(fn.uri, fn.range.start.line, ctx.display)})` : `- \`${slug}\``);
  }
  if (ev.listeners.length > MAX_LISTED) lines.push(`- … and ${ev.listeners.length - MAX_LISTED} more`);
  return lines.join('\n');
}

function invokeTargetMarkdown(ctx: HoverContext, lit: EventNameLiteral): string {
  const fn = ctx.index.findFunction(lit.name);
  if (!fn) return `**invoke** \`${lit.name}\`: no function with this id was found in the workspace.`;
  const triggers = fn.triggers
    .map((t) => (t.kind === 'event' ? `event \`${t.event}\`` : t.kind === 'cron' ? `cron \`${t.cron}\`` : 'invoke'))
    .join(', ');
  return [
    `**function** \`${fn.slug}\`${fn.name ? ` (${fn.name})` : ''}`,
    '',
    `Defined in ${locationLink(fn.uri, fn.range.start.line, ctx.display)}`,
    triggers ? `\nTriggers: ${triggers}` : '',
    fn.steps.length ? `\nSteps: ${fn.steps.map((s) => (s.id ? `\`${s.id}\`` : '(computed id)')).join(', ')}` : '',
  ].join('\n');
}

function expressionMarkdown(ctx: HoverContext, eventNames: string[], asyncName?: string): string {
  const lines = ['**CEL expression**'];
  for (const n of eventNames) {
    const ev = ctx.index.event(n);
    lines.push('', `\`event\` is \`${n}\``, '```ts', `event.data: ${ev?.dataSchema ? schemaToTs(ev.dataSchema) : 'unknown'}`, '```');
  }
  if (asyncName) {
    const ev = ctx.index.event(asyncName);
    lines.push('', `\`async\` is \`${asyncName}\``, '```ts', `async.data: ${ev?.dataSchema ? schemaToTs(ev.dataSchema) : 'unknown'}`, '```');
  }
  return lines.join('\n');
}
