// Offsets to LSP positions, and small helpers on TypeScript syntax nodes used by every pass.
import type ts from 'typescript';
import { tsv } from './tsv';
import type { Pos, Rng } from '../protocol';

/** Maps UTF-16 offsets of one text to zero-based line/character positions. */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  pos(offset: number): Pos {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo]! };
  }

  range(start: number, end: number): Rng {
    return { start: this.pos(start), end: this.pos(end) };
  }

  lineStart(line: number): number {
    return this.starts[Math.min(line, this.starts.length - 1)]!;
  }
}

export function containsPos(r: Rng, p: Pos): boolean {
  const afterStart = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const beforeEnd = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return afterStart && beforeEnd;
}

/** Removes parentheses, `as`, `satisfies`, `!` and type assertions around an expression. */
export function unwrap(e: ts.Expression): ts.Expression {
  for (;;) {
    if (tsv.isParenthesizedExpression(e) || tsv.isAsExpression(e) || tsv.isNonNullExpression(e) || tsv.isSatisfiesExpression(e) || tsv.isTypeAssertionExpression(e)) {
      e = e.expression;
    } else return e;
  }
}

/** A string literal or a template without substitutions. */
export function isStringLike(e: ts.Node): e is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral {
  return tsv.isStringLiteral(e) || tsv.isNoSubstitutionTemplateLiteral(e);
}

/** The name of a property (identifier, string or numeric literal), or undefined when computed. */
export function propName(n: ts.PropertyName | ts.BindingName | undefined): string | undefined {
  if (!n) return undefined;
  if (tsv.isIdentifier(n) || tsv.isPrivateIdentifier(n)) return n.text;
  if (tsv.isStringLiteral(n) || tsv.isNumericLiteral(n) || tsv.isNoSubstitutionTemplateLiteral(n)) return n.text;
  if (tsv.isComputedPropertyName(n) && isStringLike(n.expression)) return n.expression.text;
  return undefined;
}

/** The property of an object literal with the given name (last one wins, like JS). */
export function getProp(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  for (const p of obj.properties) {
    if (tsv.isPropertyAssignment(p) && propName(p.name) === name) found = p.initializer;
    else if (tsv.isShorthandPropertyAssignment(p) && p.name.text === name) found = p.name;
    else if (tsv.isMethodDeclaration(p) && propName(p.name) === name) found = undefined;
  }
  return found;
}

export function hasSpread(obj: ts.ObjectLiteralExpression): boolean {
  return obj.properties.some((p) => tsv.isSpreadAssignment(p));
}

export function isFunctionLike(n: ts.Node): n is ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration | ts.MethodDeclaration {
  return tsv.isArrowFunction(n) || tsv.isFunctionExpression(n) || tsv.isFunctionDeclaration(n) || tsv.isMethodDeclaration(n);
}

/** `a.b.c` as ['a','b','c'] when the expression is a plain dotted name chain. */
export function dottedName(e: ts.Expression): string[] | undefined {
  e = unwrap(e);
  if (tsv.isIdentifier(e)) return [e.text];
  if (tsv.isPropertyAccessExpression(e) && tsv.isIdentifier(e.name)) {
    const left = dottedName(e.expression);
    return left ? [...left, e.name.text] : undefined;
  }
  return undefined;
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate when it is plausibly a typo of `name`. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const digitless = name.replace(/\d+/g, '#');
  for (const c of candidates) {
    // `event-2` is not a typo of `event-1`, nor `order.v2` of `order.v1`: numbered siblings are distinct names
    if (c !== name && c.replace(/\d+/g, '#') === digitless) continue;
    const d = levenshtein(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(name.length, best.length) / 4));
  return bestD <= limit ? best : undefined;
}
