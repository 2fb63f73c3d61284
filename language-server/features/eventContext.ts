// Which events an expression's `event` stands for. Adapter over the analysis model: uses the linked
// `eventNames` when the analysis filled them, else the enclosing function's event triggers.
import type { ExpressionLiteral, WorkspaceIndex } from '../analysis/index';

/** The events `event` stands for in an expression: what the analysis linked, else the enclosing function's event triggers. */
export function triggerEventsOf(index: WorkspaceIndex, uri: string, lit: ExpressionLiteral): string[] {
  if (lit.eventNames.length > 0) return lit.eventNames;
  if (!lit.functionKey) return [];
  const fn = index.file(uri)?.functions.find((f) => f.key === lit.functionKey);
  return (fn?.triggers ?? []).flatMap((t) => (t.kind === 'event' ? [t.event] : []));
}
