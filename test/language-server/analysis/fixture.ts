// Inline fixtures with position markers: «...» marks an expected range (markers removed before
// analysis), /*|*/ marks a position. Ranges and positions come back in source order.
import type { Pos, Rng } from '../../../language-server/protocol';
import { WorkspaceIndex, type DiagnosticCode, type SteplensDiagnostic } from '../../../language-server/analysis/index';

export interface Fixture {
  text: string;
  ranges: Rng[];
  points: Pos[];
}

export function fixture(src: string): Fixture {
  const ranges: Rng[] = [];
  const points: Pos[] = [];
  const open: Pos[] = [];
  let text = '';
  let line = 0;
  let character = 0;
  for (let i = 0; i < src.length; i++) {
    if (src.startsWith('/*|*/', i)) {
      points.push({ line, character });
      i += 4;
      continue;
    }
    const c = src[i]!;
    if (c === '«') {
      open.push({ line, character });
      continue;
    }
    if (c === '»') {
      const start = open.pop();
      if (!start) throw new Error('unbalanced » in fixture');
      ranges.push({ start, end: { line, character } });
      continue;
    }
    text += c;
    if (c === '\n') {
      line++;
      character = 0;
    } else character++;
  }
  if (open.length) throw new Error('unbalanced « in fixture');
  ranges.sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
  return { text, ranges, points };
}

/** Builds an index from files (uri -> source with markers); returns the index and each file's markers. */
export function workspace(files: Record<string, string>): { index: WorkspaceIndex; fx: Record<string, Fixture> } {
  const index = new WorkspaceIndex();
  const fx: Record<string, Fixture> = {};
  for (const [name, src] of Object.entries(files)) {
    const uri = name.includes('://') ? name : `file:///ws/${name}`;
    fx[name] = fixture(src);
    index.setFile(uri, fx[name].text);
  }
  return { index, fx };
}

export const uri = (name: string): string => `file:///ws/${name}`;

export function rangesOf(diags: SteplensDiagnostic[], code: DiagnosticCode): Rng[] {
  return diags.filter((d) => d.code === code).map((d) => d.range);
}

export function codes(diags: SteplensDiagnostic[]): string[] {
  return diags.map((d) => d.code);
}
