// Go to definition (event name -> its schema declaration; step.invoke's function reference or id ->
// the function) and find references (every place an event name is written). Pure.
import type { Location, Position } from 'vscode-languageserver';
import type { FunctionEntry, WorkspaceIndex } from '../analysis/index';

export function definition(index: WorkspaceIndex, uri: string, pos: Position): Location[] {
  const lit = index.literalAt(uri, pos);
  if (lit?.kind === 'event-name') {
    if (lit.role === 'invoke-target') {
      const fn = index.invokeTargetAt(uri, pos) ?? index.findFunction(lit.name);
      return fn ? [functionLocation(fn)] : [];
    }
    const decl = index.event(lit.name)?.declaration;
    return decl ? [{ uri: decl.uri, range: decl.range }] : [];
  }
  if (lit) return [];
  const fn = index.invokeTargetAt(uri, pos);
  if (fn) return [functionLocation(fn)];
  // an event named by an identifier: its schema declaration, else the constant's string
  const ev = index.eventNameAt(uri, pos);
  const target = ev && (index.event(ev.name)?.declaration ?? ev.constLoc);
  return target ? [{ uri: target.uri, range: target.range }] : [];
}

function functionLocation(fn: FunctionEntry): Location {
  return { uri: fn.uri, range: fn.idRange ?? fn.range };
}

export function references(index: WorkspaceIndex, uri: string, pos: Position, includeDeclaration: boolean): Location[] {
  const lit = index.literalAt(uri, pos);
  const name = lit ? (lit.kind === 'event-name' && lit.role !== 'invoke-target' ? lit.name : undefined) : index.eventNameAt(uri, pos)?.name;
  if (name === undefined) return [];
  const decl = index.event(name)?.declaration;
  const refs = index.eventReferences(name);
  const same = (a: Location, b: Location): boolean =>
    a.uri === b.uri && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
  return refs.filter((r) => includeDeclaration || !decl || !same(r, decl)).map((r) => ({ uri: r.uri, range: r.range }));
}
