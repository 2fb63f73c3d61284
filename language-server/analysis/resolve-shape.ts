// Resolves symbolic shapes (type and value references, built-in generics) into closed trees, and
// turns resolved shapes into JSON Schema, example payloads and field-path answers.
import { acceptsUndefined, mergeObjects, type PropShape, type Shape } from './shapes';

/** Looks names up in the file a shape was read from (and through its imports). */
export interface ShapeScope {
  /** A type alias / interface by name: its shape, type parameter names, and the scope it lives in. */
  type(name: string): { shape: Shape; params: string[]; scope: ShapeScope } | undefined;
  /** A value (zod schema variable) by name. */
  value(name: string): { shape: Shape; scope: ShapeScope } | undefined;
  /** A string constant by (possibly dotted) name: computed keys `[USER_CREATED]`. */
  constant?(name: string): string | undefined;
}

const ANY: Shape = { k: 'any' };
const MAX_DEPTH = 24;

/** Replaces every reference by what it names. Unknown names and cycles become `any` (open). */
export function resolveShape(shape: Shape, scope: ShapeScope, params: Map<string, Shape> = new Map(), depth = 0): Shape {
  if (depth > MAX_DEPTH) return ANY;
  const r = (s: Shape): Shape => resolveShape(s, scope, params, depth + 1);
  switch (shape.k) {
    case 'obj': {
      let open = shape.open;
      const props: PropShape[] = [];
      for (const p of shape.props) {
        if (p.nameRef === undefined) {
          props.push({ ...p, type: r(p.type) });
          continue;
        }
        // a computed key names a constant: known, it reads like a literal key; unknown, the object stays open
        const name = scope.constant?.(p.nameRef);
        if (name === undefined) open = true;
        else props.push({ name, type: r(p.type), optional: p.optional, loc: p.loc });
      }
      return { ...shape, props, open, index: shape.index ? r(shape.index) : open && !shape.open ? ANY : undefined };
    }
    case 'arr':
      return { k: 'arr', el: r(shape.el) };
    case 'tuple':
      return { k: 'tuple', els: shape.els.map(r) };
    case 'union':
      return { k: 'union', types: shape.types.map(r) };
    case 'inter': {
      const types = shape.types.map(r);
      if (types.every((t) => t.k === 'obj')) {
        return types.slice(1).reduce<Shape>((a, b) => mergeObjects(a as Extract<Shape, { k: 'obj' }>, b as Extract<Shape, { k: 'obj' }>), types[0]!);
      }
      return types.some((t) => t.k === 'any') ? ANY : { k: 'inter', types };
    }
    case 'valueRef':
    case 'typeofRef': {
      const v = scope.value(shape.name);
      return v ? resolveShape(v.shape, v.scope, new Map(), depth + 1) : ANY;
    }
    case 'ref':
      return resolveRef(shape, scope, params, depth);
    default:
      return shape;
  }
}

function resolveRef(shape: Extract<Shape, { k: 'ref' }>, scope: ShapeScope, params: Map<string, Shape>, depth: number): Shape {
  const r = (s: Shape | undefined): Shape => (s ? resolveShape(s, scope, params, depth + 1) : ANY);
  const p = params.get(shape.name);
  if (p) return p;
  const args = shape.args;
  const base = shape.name.includes('.') ? shape.name.slice(shape.name.lastIndexOf('.') + 1) : shape.name;
  // zod's z.infer<typeof X> / z.input / z.output
  if (shape.name.includes('.') && (base === 'infer' || base === 'input' || base === 'output' || base === 'TypeOf')) return r(args[0]);
  const declared = scope.type(shape.name);
  if (declared) {
    const inner = new Map<string, Shape>();
    declared.params.forEach((name, i) => inner.set(name, args[i] ? r(args[i]) : ANY));
    return resolveShape(declared.shape, declared.scope, inner, depth + 1);
  }
  switch (shape.name) {
    case 'Array':
    case 'ReadonlyArray':
      return { k: 'arr', el: r(args[0]) };
    case 'Record': {
      const key = r(args[0]);
      const value = r(args[1]);
      const keys = literalStrings(key);
      if (keys) return { k: 'obj', props: keys.map((name) => ({ name, type: value, optional: false })), open: false };
      return { k: 'obj', props: [], open: true, index: value };
    }
    case 'Partial':
    case 'Required':
    case 'Readonly': {
      const t = r(args[0]);
      if (t.k !== 'obj' || shape.name === 'Readonly') return t;
      return { ...t, props: t.props.map((x) => ({ ...x, optional: shape.name === 'Partial' })) };
    }
    case 'Pick':
    case 'Omit': {
      const t = r(args[0]);
      const keys = literalStrings(r(args[1]));
      if (t.k !== 'obj' || !keys) return ANY;
      const set = new Set(keys);
      return { ...t, props: t.props.filter((x) => set.has(x.name) === (shape.name === 'Pick')) };
    }
    case 'NonNullable': {
      const t = r(args[0]);
      return t.k === 'union' ? { k: 'union', types: t.types.filter((x) => x.k !== 'null' && x.k !== 'undefined') } : t;
    }
    default:
      return ANY;
  }
}

function literalStrings(s: Shape): string[] | undefined {
  if (s.k === 'lit' && typeof s.v === 'string') return [s.v];
  if (s.k === 'union') {
    const out: string[] = [];
    for (const t of s.types) {
      const l = literalStrings(t);
      if (!l) return undefined;
      out.push(...l);
    }
    return out;
  }
  return undefined;
}

/** JSON Schema (draft 2020-12 vocabulary) of a resolved shape. */
export function toJsonSchema(s: Shape, depth = 0): Record<string, unknown> {
  if (depth > MAX_DEPTH) return {};
  const j = (x: Shape) => toJsonSchema(x, depth + 1);
  switch (s.k) {
    case 'string':
      return s.format ? { type: 'string', format: s.format } : { type: 'string' };
    case 'number':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'null':
      return { type: 'null' };
    case 'bigint':
      return { type: 'integer' };
    case 'date':
      return { type: 'string', format: 'date-time' };
    case 'lit':
      return { const: s.v };
    case 'obj': {
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const p of s.props) {
        properties[p.name] = j(stripUndefined(p.type));
        if (!p.optional && !acceptsUndefined(p.type)) required.push(p.name);
      }
      const out: Record<string, unknown> = { type: 'object', properties };
      if (required.length) out.required = required;
      if (s.index) out.additionalProperties = j(s.index);
      else if (!s.open) out.additionalProperties = false;
      return out;
    }
    case 'arr':
      return { type: 'array', items: j(s.el) };
    case 'tuple':
      return { type: 'array', prefixItems: s.els.map(j), minItems: s.els.length, maxItems: s.els.length };
    case 'union': {
      const types = s.types.filter((t) => t.k !== 'undefined' && t.k !== 'never');
      if (types.length === 1) return j(types[0]!);
      if (types.length && types.every((t) => t.k === 'lit')) return { enum: types.map((t) => (t as { v: unknown }).v) };
      return { anyOf: types.map(j) };
    }
    case 'inter':
      return { allOf: s.types.map(j) };
    case 'never':
      return { not: {} };
    default:
      return {};
  }
}

function stripUndefined(s: Shape): Shape {
  if (s.k !== 'union') return s;
  const types = s.types.filter((t) => t.k !== 'undefined');
  return types.length === 1 ? types[0]! : { k: 'union', types };
}

/** A plausible example value; strings look like what their field name suggests. */
export function exampleOf(s: Shape, name = '', depth = 0): unknown {
  if (depth > 8) return null;
  switch (s.k) {
    case 'string':
      return exampleString(name, s.format);
    case 'number':
      return exampleNumber(name);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'bigint':
      return 1;
    case 'date':
      return '2025-01-15T09:30:00.000Z';
    case 'lit':
      return s.v;
    case 'obj': {
      const out: Record<string, unknown> = {};
      for (const p of s.props) out[p.name] = exampleOf(stripUndefined(p.type), p.name, depth + 1);
      return out;
    }
    case 'arr':
      return [exampleOf(s.el, singular(name), depth + 1)];
    case 'tuple':
      return s.els.map((e, i) => exampleOf(e, `${name}${i}`, depth + 1));
    case 'union': {
      const t = s.types.find((x) => x.k !== 'undefined' && x.k !== 'null' && x.k !== 'never') ?? s.types[0];
      return t ? exampleOf(t, name, depth + 1) : null;
    }
    case 'inter': {
      const parts = s.types.map((t) => exampleOf(t, name, depth + 1));
      return parts.every((p) => p && typeof p === 'object' && !Array.isArray(p)) ? Object.assign({}, ...parts) : parts[0];
    }
    default:
      return name ? exampleString(name) : {};
  }
}

function singular(name: string): string {
  return name.endsWith('ies') ? name.slice(0, -3) + 'y' : name.endsWith('s') ? name.slice(0, -1) : name;
}

function exampleString(name: string, format?: string): string {
  const n = name.toLowerCase();
  if (format === 'email' || n.includes('email')) return 'jane.doe@example.com';
  if (format === 'uri' || n.endsWith('url') || n.endsWith('uri') || n.includes('link') || n === 'href') return 'https://example.com';
  if (format === 'uuid' || n === 'uuid') return '3f1c9a4e-6b2d-4c8e-9f7a-1d2e3b4c5a6f';
  if (format === 'date-time' || /(date|time|at)$/.test(n) || n.endsWith('timestamp')) return '2025-01-15T09:30:00.000Z';
  if (n === 'id' || n.endsWith('id') || n.endsWith('ids')) {
    const base = n.replace(/_?ids?$/, '') || 'item';
    return `${base}_12345`;
  }
  if (n.includes('phone')) return '+1 555 0100';
  if (n === 'firstname' || n === 'first_name') return 'Jane';
  if (n === 'lastname' || n === 'last_name') return 'Doe';
  if (n.includes('name')) return 'Jane Doe';
  if (n.includes('currency')) return 'USD';
  if (n.includes('country')) return 'US';
  if (n.includes('status')) return 'active';
  if (n.includes('message') || n.includes('description') || n.includes('text') || n.includes('body')) return 'Hello from Steplens';
  if (n.includes('token') || n.includes('key') || n.includes('secret')) return 'tok_example';
  if (n === 'ip' || n.includes('ipaddress')) return '203.0.113.7';
  return name ? `example-${name}` : 'example';
}

function exampleNumber(name: string): number {
  const n = name.toLowerCase();
  if (n.includes('amount') || n.includes('price') || n.includes('total')) return 4200;
  if (n.includes('count') || n.includes('quantity') || n.includes('qty')) return 3;
  if (n.includes('age')) return 34;
  return 1;
}

export type PathCheck = { ok: true } | { ok: false; at: number; known: string[] };

/** Does `path` exist on the resolved shape? Only answers `false` for closed objects that lack a key. */
export function checkPath(s: Shape, path: string[], i = 0, depth = 0): PathCheck {
  if (i >= path.length || depth > MAX_DEPTH) return { ok: true };
  switch (s.k) {
    case 'obj': {
      const p = s.props.find((x) => x.name === path[i]);
      if (p) return checkPath(p.type, path, i + 1, depth + 1);
      if (s.index) return checkPath(s.index, path, i + 1, depth + 1);
      if (s.open) return { ok: true };
      return { ok: false, at: i, known: s.props.map((x) => x.name) };
    }
    case 'union':
    case 'inter': {
      const members = s.types.filter((t) => t.k !== 'undefined' && t.k !== 'null');
      if (!members.length) return { ok: true };
      let firstFail: PathCheck | undefined;
      const known: string[] = [];
      for (const t of members) {
        const c = checkPath(t, path, i, depth + 1);
        if (c.ok) return c;
        firstFail ??= c;
        known.push(...c.known);
      }
      return firstFail && !firstFail.ok ? { ok: false, at: firstFail.at, known: [...new Set(known)] } : { ok: true };
    }
    default:
      return { ok: true };
  }
}

/** Is this shape a closed object (every key known)? */
export function isClosedObject(s: Shape): boolean {
  return s.k === 'obj' && !s.open && !s.index;
}

export type { PropShape };
