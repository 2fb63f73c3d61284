// Small position/range helpers shared by the features (LSP positions: zero-based, UTF-16).
import type { Pos, Rng } from '../protocol';

export function cmp(a: Pos, b: Pos): number {
  return a.line - b.line || a.character - b.character;
}

/** Inclusive of both ends, so a cursor right after the last character still counts. */
export function contains(r: Rng, p: Pos): boolean {
  return cmp(r.start, p) <= 0 && cmp(p, r.end) <= 0;
}

/** A markdown link to a location, shown as `path:line`. */
export function locationLink(uri: string, line: number, display: (uri: string) => string): string {
  return `[${display(uri)}:${line + 1}](${uri}#L${line + 1})`;
}
