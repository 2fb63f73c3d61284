// A compact, serialisable description of the shape of event data, read from TypeScript type syntax
// and from zod call chains without a type checker. References to other declarations stay symbolic
// ('ref' / 'valueRef') and are resolved across files by the linker.
import type ts from 'typescript';
import { tsv } from './tsv';
import type { Loc, Pos, Rng } from '../protocol';
import { dottedName, isStringLike, propName, unwrap, type LineMap } from './text';

export type Shape =
  | { k: 'string'; format?: string }
  | { k: 'number' }
  | { k: 'boolean' }
  | { k: 'null' }
  | { k: 'undefined' }
  | { k: 'bigint' }
  | { k: 'date' }
  /** any / unknown / something we could not read: accepts everything. */
  | { k: 'any' }
  | { k: 'never' }
  | { k: 'lit'; v: string | number | boolean; loc?: Loc; valueRange?: Rng }
  | { k: 'obj'; props: PropShape[]; open: boolean; index?: Shape; insertAt?: InsertPoint }
  | { k: 'arr'; el: Shape }
  | { k: 'tuple'; els: Shape[] }
  | { k: 'union'; types: Shape[] }
  | { k: 'inter'; types: Shape[] }
  /** A type reference by (possibly dotted) name, with type arguments. */
  | { k: 'ref'; name: string; args: Shape[] }
  /** A value reference (a zod schema held in a variable). */
  | { k: 'valueRef'; name: string }
  /** `typeof x` or `z.infer<typeof x>`: the type of a value (zod schema or literal). */
  | { k: 'typeofRef'; name: string };

export interface PropShape {
  name: string;
  type: Shape;
  optional: boolean;
  loc?: Loc;
  /** For a quoted property name: the range between the quotes. */
  valueRange?: Rng;
  /** A computed key (`[USER_CREATED]`): the constant it names, resolved with the scope (`name` is then a placeholder). */
  nameRef?: string;
}

/** Where to insert a new member into a type literal / interface body (for quick fixes). */
export interface InsertPoint {
  uri: string;
  pos: Pos;
  /** Indentation for a new member line; null when the closing brace shares a line with content. */
  indent: string | null;
  /** For an inline body: what must precede the new member (`; ` when the last member has no separator). */
  prefix: string;
}

const ANY: Shape = { k: 'any' };

export class ShapeReader {
  constructor(
    private readonly uri: string,
    private readonly sf: ts.SourceFile,
    private readonly lines: LineMap,
    /** Local names that refer to zod's `z` namespace (import { z } from 'zod' and friends). */
    private readonly zodNames: Set<string>,
  ) {}

  loc(n: ts.Node): Loc {
    return { uri: this.uri, range: this.lines.range(n.getStart(this.sf), n.getEnd()) };
  }

  private insertPoint(closeBraceEnd: number, members: ts.NodeArray<ts.Node>): InsertPoint {
    const text = this.sf.text;
    const close = closeBraceEnd - 1;
    let i = close - 1;
    while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
    const braceOnOwnLine = i < 0 || text[i] === '\n' || text[i] === '\r';
    let indent: string | null = null;
    if (braceOnOwnLine) {
      const braceIndent = text.slice(i + 1, close);
      const first = members[0];
      if (first) {
        const p = this.lines.pos(first.getStart(this.sf));
        const ls = this.lines.lineStart(p.line);
        indent = text.slice(ls, ls + p.character).replace(/\S.*$/, '');
      } else indent = braceIndent + '  ';
      return { uri: this.uri, pos: this.lines.pos(i + 1), indent, prefix: '' };
    }
    const prev = text[i];
    return { uri: this.uri, pos: this.lines.pos(close), indent: null, prefix: prev === ';' || prev === ',' || prev === '{' ? '' : ';' };
  }

  quoted(n: ts.Node): Rng | undefined {
    return tsv.isStringLiteral(n) ? this.lines.range(n.getStart(this.sf) + 1, n.getEnd() - 1) : undefined;
  }

  /** A TypeScript type node as a Shape. */
  type(n: ts.TypeNode | undefined, depth = 0): Shape {
    if (!n || depth > 40) return ANY;
    switch (n.kind) {
      case tsv.SyntaxKind.StringKeyword:
        return { k: 'string' };
      case tsv.SyntaxKind.NumberKeyword:
        return { k: 'number' };
      case tsv.SyntaxKind.BooleanKeyword:
        return { k: 'boolean' };
      case tsv.SyntaxKind.NullKeyword:
        return { k: 'null' };
      case tsv.SyntaxKind.UndefinedKeyword:
      case tsv.SyntaxKind.VoidKeyword:
        return { k: 'undefined' };
      case tsv.SyntaxKind.BigIntKeyword:
        return { k: 'bigint' };
      case tsv.SyntaxKind.NeverKeyword:
        return { k: 'never' };
      case tsv.SyntaxKind.AnyKeyword:
      case tsv.SyntaxKind.UnknownKeyword:
      case tsv.SyntaxKind.ObjectKeyword:
        return ANY;
    }
    if (tsv.isLiteralTypeNode(n)) {
      const l = n.literal;
      if (l.kind === tsv.SyntaxKind.NullKeyword) return { k: 'null' };
      if (l.kind === tsv.SyntaxKind.TrueKeyword) return { k: 'lit', v: true };
      if (l.kind === tsv.SyntaxKind.FalseKeyword) return { k: 'lit', v: false };
      if (tsv.isStringLiteral(l) || tsv.isNoSubstitutionTemplateLiteral(l)) return { k: 'lit', v: l.text, loc: this.loc(l), valueRange: this.quoted(l) };
      if (tsv.isNumericLiteral(l)) return { k: 'lit', v: Number(l.text) };
      if (tsv.isPrefixUnaryExpression(l) && tsv.isNumericLiteral(l.operand)) return { k: 'lit', v: -Number(l.operand.text) };
      return ANY;
    }
    if (tsv.isParenthesizedTypeNode(n)) return this.type(n.type, depth + 1);
    if (tsv.isUnionTypeNode(n)) return { k: 'union', types: n.types.map((t) => this.type(t, depth + 1)) };
    if (tsv.isIntersectionTypeNode(n)) return { k: 'inter', types: n.types.map((t) => this.type(t, depth + 1)) };
    if (tsv.isArrayTypeNode(n)) return { k: 'arr', el: this.type(n.elementType, depth + 1) };
    if (tsv.isTupleTypeNode(n)) {
      return { k: 'tuple', els: n.elements.map((e) => this.type(tsv.isNamedTupleMember(e) ? e.type : e, depth + 1)) };
    }
    if (tsv.isTypeOperatorNode(n) && n.operator === tsv.SyntaxKind.ReadonlyKeyword) return this.type(n.type, depth + 1);
    if (tsv.isTypeLiteralNode(n)) return this.members(n.members, n.getEnd(), depth);
    if (tsv.isTemplateLiteralTypeNode(n)) return { k: 'string' };
    if (tsv.isTypeQueryNode(n)) {
      const name = entityName(n.exprName);
      return name ? { k: 'typeofRef', name } : ANY;
    }
    if (tsv.isTypeReferenceNode(n)) {
      const name = entityName(n.typeName);
      if (!name) return ANY;
      const args = (n.typeArguments ?? []).map((a) => this.type(a, depth + 1));
      if (name === 'Date') return { k: 'date' };
      return { k: 'ref', name, args };
    }
    return ANY;
  }

  /** Members of an interface or type literal. */
  members(members: ts.NodeArray<ts.TypeElement>, end: number, depth: number): Shape {
    const props: PropShape[] = [];
    let index: Shape | undefined;
    for (const m of members) {
      if (tsv.isPropertySignature(m)) {
        const name = propName(m.name);
        if (name === undefined) {
          // `[USER_CREATED]: T` / `[Names.CREATED]: T`: the key is a constant, looked up when resolved
          const ref = tsv.isComputedPropertyName(m.name) ? dottedName(m.name.expression) : undefined;
          if (ref) props.push({ name: `[${ref.join('.')}]`, nameRef: ref.join('.'), type: this.type(m.type, depth + 1), optional: !!m.questionToken, loc: this.loc(m.name) });
          else index ??= ANY;
          continue;
        }
        props.push({ name, type: this.type(m.type, depth + 1), optional: !!m.questionToken, loc: this.loc(m.name), valueRange: this.quoted(m.name) });
      } else if (tsv.isIndexSignatureDeclaration(m)) {
        index = this.type(m.type, depth + 1);
      }
    }
    // an empty type literal (`data: {}`) accepts any object in TypeScript: keep it open
    return { k: 'obj', props, open: index !== undefined || members.length === 0, index, insertAt: this.insertPoint(end, members) };
  }

  /** Is this expression rooted at a zod namespace name (z.object(...), z.string().email(), ...)? */
  isZod(e: ts.Expression): boolean {
    e = unwrap(e);
    for (let i = 0; i < 60; i++) {
      if (tsv.isCallExpression(e)) e = unwrap(e.expression);
      else if (tsv.isPropertyAccessExpression(e)) e = unwrap(e.expression);
      else break;
    }
    return tsv.isIdentifier(e) && this.zodNames.has(e.text);
  }

  /** A zod schema expression as a Shape. Identifiers become value references. */
  zod(e: ts.Expression | undefined, depth = 0): Shape {
    if (!e || depth > 60) return ANY;
    e = unwrap(e);
    if (tsv.isIdentifier(e)) return { k: 'valueRef', name: e.text };
    if (tsv.isPropertyAccessExpression(e)) {
      const name = dotted(e);
      return name ? { k: 'valueRef', name } : ANY;
    }
    if (!tsv.isCallExpression(e)) return ANY;
    const callee = unwrap(e.expression);
    if (!tsv.isPropertyAccessExpression(callee)) return ANY;
    const method = callee.name.text;
    const target = unwrap(callee.expression);
    const args = e.arguments;
    // z.<ctor>(...)
    if (tsv.isIdentifier(target) && this.zodNames.has(target.text)) return this.zodCtor(method, args, depth);
    // <schema>.<modifier>(...)
    const inner = this.zod(target, depth + 1);
    switch (method) {
      case 'optional':
      case 'nullish':
      case 'default':
      case 'catch':
        return { k: 'union', types: [inner, { k: 'undefined' }, ...(method === 'nullish' ? [{ k: 'null' } as Shape] : [])] };
      case 'nullable':
        return { k: 'union', types: [inner, { k: 'null' }] };
      case 'array':
        return { k: 'arr', el: inner };
      case 'or':
        return { k: 'union', types: [inner, this.zod(args[0], depth + 1)] };
      case 'and':
        return { k: 'inter', types: [inner, this.zod(args[0], depth + 1)] };
      case 'passthrough':
      case 'catchall':
      case 'loose':
        return inner.k === 'obj' ? { ...inner, open: true } : inner;
      case 'strict':
      case 'strip':
        return inner.k === 'obj' ? { ...inner, open: false } : inner;
      case 'extend':
      case 'merge': {
        const add = method === 'extend' ? this.zodShapeArg(args[0], depth) : this.zod(args[0], depth + 1);
        if (inner.k === 'obj' && add.k === 'obj') return mergeObjects(inner, add);
        return { k: 'inter', types: [inner, add] };
      }
      case 'partial':
        return inner.k === 'obj' ? { ...inner, props: inner.props.map((p) => ({ ...p, optional: true })) } : inner;
      case 'required':
        return inner.k === 'obj' ? { ...inner, props: inner.props.map((p) => ({ ...p, optional: false })) } : inner;
      case 'pick':
      case 'omit': {
        if (inner.k !== 'obj') return ANY;
        const keys = new Set<string>();
        const a = args[0] && unwrap(args[0]);
        if (a && tsv.isObjectLiteralExpression(a)) for (const p of a.properties) { const n = propName(p.name); if (n) keys.add(n); }
        return { ...inner, props: inner.props.filter((p) => keys.has(p.name) === (method === 'pick')) };
      }
      case 'transform':
      case 'pipe':
      case 'preprocess':
        return ANY;
      case 'email':
        return inner.k === 'string' ? { k: 'string', format: 'email' } : inner;
      case 'url':
        return inner.k === 'string' ? { k: 'string', format: 'uri' } : inner;
      case 'uuid':
        return inner.k === 'string' ? { k: 'string', format: 'uuid' } : inner;
      case 'datetime':
        return inner.k === 'string' ? { k: 'string', format: 'date-time' } : inner;
      default:
        // refinements and checks (min, max, int, describe, refine, brand, ...) keep the shape
        return inner;
    }
  }

  private zodShapeArg(a: ts.Expression | undefined, depth: number): Shape {
    const o = a && unwrap(a);
    if (!o || !tsv.isObjectLiteralExpression(o)) return ANY;
    const props: PropShape[] = [];
    for (const p of o.properties) {
      if (!tsv.isPropertyAssignment(p) && !tsv.isShorthandPropertyAssignment(p)) return { k: 'obj', props, open: true };
      const name = propName(p.name);
      if (name === undefined) continue;
      const valueExpr = tsv.isPropertyAssignment(p) ? p.initializer : p.name;
      const type = this.zod(valueExpr, depth + 1);
      props.push({ name, type, optional: acceptsUndefined(type), loc: this.loc(p.name) });
    }
    return { k: 'obj', props, open: false };
  }

  private zodCtor(method: string, args: ts.NodeArray<ts.Expression>, depth: number): Shape {
    const a0 = args[0] && unwrap(args[0]);
    switch (method) {
      case 'object':
      case 'strictObject':
        return this.zodShapeArg(a0, depth);
      case 'looseObject': {
        const s = this.zodShapeArg(a0, depth);
        return s.k === 'obj' ? { ...s, open: true } : s;
      }
      case 'string':
        return { k: 'string' };
      case 'email':
        return { k: 'string', format: 'email' };
      case 'url':
        return { k: 'string', format: 'uri' };
      case 'uuid':
        return { k: 'string', format: 'uuid' };
      case 'number':
      case 'int':
      case 'float':
        return { k: 'number' };
      case 'boolean':
        return { k: 'boolean' };
      case 'bigint':
        return { k: 'bigint' };
      case 'date':
        return { k: 'date' };
      case 'null':
        return { k: 'null' };
      case 'undefined':
      case 'void':
        return { k: 'undefined' };
      case 'literal':
        if (a0 && isStringLike(a0)) return { k: 'lit', v: a0.text, loc: this.loc(a0), valueRange: this.quoted(a0) };
        if (a0 && tsv.isNumericLiteral(a0)) return { k: 'lit', v: Number(a0.text) };
        if (a0 && a0.kind === tsv.SyntaxKind.TrueKeyword) return { k: 'lit', v: true };
        if (a0 && a0.kind === tsv.SyntaxKind.FalseKeyword) return { k: 'lit', v: false };
        return ANY;
      case 'enum':
        if (a0 && tsv.isArrayLiteralExpression(a0)) {
          const types: Shape[] = [];
          for (const el of a0.elements) {
            const u = unwrap(el);
            if (isStringLike(u)) types.push({ k: 'lit', v: u.text });
            else return { k: 'string' };
          }
          return { k: 'union', types };
        }
        return { k: 'string' };
      case 'array':
        return { k: 'arr', el: this.zod(a0, depth + 1) };
      case 'union':
      case 'discriminatedUnion': {
        const list = method === 'union' ? a0 : args[1] && unwrap(args[1]);
        if (list && tsv.isArrayLiteralExpression(list)) return { k: 'union', types: list.elements.map((x) => this.zod(x, depth + 1)) };
        return ANY;
      }
      case 'record':
        return { k: 'obj', props: [], open: true, index: this.zod(args[args.length - 1], depth + 1) };
      case 'optional':
        return { k: 'union', types: [this.zod(a0, depth + 1), { k: 'undefined' }] };
      case 'nullable':
        return { k: 'union', types: [this.zod(a0, depth + 1), { k: 'null' }] };
      case 'tuple':
        if (a0 && tsv.isArrayLiteralExpression(a0)) return { k: 'tuple', els: a0.elements.map((x) => this.zod(x, depth + 1)) };
        return ANY;
      case 'never':
        return { k: 'never' };
      default:
        return ANY;
    }
  }
}

function entityName(n: ts.EntityName): string | undefined {
  if (tsv.isIdentifier(n)) return n.text;
  const left = entityName(n.left);
  return left ? `${left}.${n.right.text}` : undefined;
}

function dotted(e: ts.Expression): string | undefined {
  e = unwrap(e);
  if (tsv.isIdentifier(e)) return e.text;
  if (tsv.isPropertyAccessExpression(e)) {
    const l = dotted(e.expression);
    return l ? `${l}.${e.name.text}` : undefined;
  }
  return undefined;
}

export function mergeObjects(a: Extract<Shape, { k: 'obj' }>, b: Extract<Shape, { k: 'obj' }>): Shape {
  const names = new Set(b.props.map((p) => p.name));
  return {
    k: 'obj',
    props: [...a.props.filter((p) => !names.has(p.name)), ...b.props],
    open: a.open || b.open,
    index: a.index ?? b.index,
    insertAt: a.insertAt,
  };
}

export function acceptsUndefined(s: Shape): boolean {
  if (s.k === 'undefined' || s.k === 'any') return true;
  if (s.k === 'union') return s.types.some(acceptsUndefined);
  return false;
}

