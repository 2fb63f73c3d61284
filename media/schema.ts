// A small JSON Schema interpreter for the composer. Ajv compiles schemas with `new Function`, which
// the panel's CSP (no 'unsafe-eval') forbids, so the panel walks the schema instead. It covers
// what event schemas generated from zod / valibot / TypeScript types use: type, properties,
// required, additionalProperties, items, enum, const, bounds, lengths, pattern, a few formats,
// anyOf / oneOf / allOf / not, and local $ref (#/definitions, #/$defs). Unknown keywords are ignored.

export interface SchemaIssue {
  /** JSON pointer-ish path: `data.user.email`, `data.items[2]`. */
  path: string;
  message: string;
}

type Schema = Record<string, unknown> | boolean;

const FORMATS: Record<string, RegExp> = {
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  'date-time': /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i,
  date: /^\d{4}-\d{2}-\d{2}$/,
  uri: /^[a-z][a-z0-9+.-]*:\S+$/i,
  url: /^[a-z][a-z0-9+.-]*:\S+$/i,
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function matchesType(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Validates `value` against `schema`; returns every issue found (empty when valid). */
export function validate(schema: Schema, value: unknown, rootPath = 'data'): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const root = schema;
  const resolve = (ref: string): Schema | undefined => {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = root;
    for (const part of ref.slice(1).split('/').filter(Boolean)) {
      node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node as Schema | undefined;
  };
  const walk = (s: Schema | undefined, v: unknown, path: string, depth: number, out: SchemaIssue[]): void => {
    if (s === undefined || s === true || depth > 64) return;
    if (s === false) {
      out.push({ path, message: 'is not allowed here' });
      return;
    }
    if (typeof s.$ref === 'string') {
      walk(resolve(s.$ref), v, path, depth + 1, out);
    }
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => matchesType(v, t))) {
        out.push({ path, message: `should be ${types.join(' or ')}, not ${typeOf(v)}` });
        return;
      }
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, v))) {
      out.push({ path, message: `should be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` });
    }
    if ('const' in s && !deepEqual(s.const, v)) out.push({ path, message: `should be ${JSON.stringify(s.const)}` });
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) out.push({ path, message: `should be ≥ ${s.minimum}` });
      if (typeof s.maximum === 'number' && v > s.maximum) out.push({ path, message: `should be ≤ ${s.maximum}` });
      if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) out.push({ path, message: `should be > ${s.exclusiveMinimum}` });
      if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) out.push({ path, message: `should be < ${s.exclusiveMaximum}` });
    }
    if (typeof v === 'string') {
      if (typeof s.minLength === 'number' && v.length < s.minLength) out.push({ path, message: `should have at least ${s.minLength} characters` });
      if (typeof s.maxLength === 'number' && v.length > s.maxLength) out.push({ path, message: `should have at most ${s.maxLength} characters` });
      if (typeof s.pattern === 'string') {
        try {
          if (!new RegExp(s.pattern, 'u').test(v)) out.push({ path, message: `should match ${s.pattern}` });
        } catch {
          /* a pattern JS cannot read is not the user's mistake */
        }
      }
      const fmt = typeof s.format === 'string' ? FORMATS[s.format] : undefined;
      if (fmt && !fmt.test(v)) out.push({ path, message: `should be a valid ${String(s.format)}` });
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) out.push({ path, message: `should have at least ${s.minItems} items` });
      if (typeof s.maxItems === 'number' && v.length > s.maxItems) out.push({ path, message: `should have at most ${s.maxItems} items` });
      const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[]) : Array.isArray(s.items) ? (s.items as Schema[]) : [];
      v.forEach((item, i) => {
        const itemSchema = i < prefix.length ? prefix[i] : Array.isArray(s.items) ? (s.additionalItems as Schema | undefined) : (s.items as Schema | undefined);
        walk(itemSchema, item, `${path}[${i}]`, depth + 1, out);
      });
    }
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      if (Array.isArray(s.required)) {
        for (const k of s.required as string[]) if (!(k in obj)) out.push({ path: `${path}.${k}`, message: 'is required' });
      }
      for (const [k, val] of Object.entries(obj)) {
        if (k in props) walk(props[k], val, `${path}.${k}`, depth + 1, out);
        else if (s.additionalProperties === false) out.push({ path: `${path}.${k}`, message: `is not in the event's schema` });
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties as Schema, val, `${path}.${k}`, depth + 1, out);
      }
    }
    if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) walk(sub, v, path, depth + 1, out);
    if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
      const alts = (s.anyOf ?? s.oneOf) as Schema[];
      const results = alts.map((sub) => {
        const o: SchemaIssue[] = [];
        walk(sub, v, path, depth + 1, o);
        return o;
      });
      const passing = results.filter((r) => r.length === 0).length;
      if (passing === 0) {
        // Report the alternative that came closest, so the message stays specific.
        const best = results.reduce((a, b) => (b.length < a.length ? b : a));
        out.push(...(best.length ? best : [{ path, message: 'matches none of the allowed shapes' }]));
      } else if (Array.isArray(s.oneOf) && passing > 1) out.push({ path, message: 'matches more than one of the allowed shapes' });
    }
    if (s.not !== undefined) {
      const o: SchemaIssue[] = [];
      walk(s.not as Schema, v, path, depth + 1, o);
      if (o.length === 0) out.push({ path, message: 'matches a shape that is not allowed' });
    }
  };
  walk(schema, value, rootPath, 0, issues);
  return issues;
}

/** Parses the editor's text; returns the value or a message with the line and column. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    // Engines differ in whether they say where; find the place ourselves.
    const at = syntaxErrorAt(text);
    const before = text.slice(0, at.offset).split('\n');
    const where = `line ${before.length}, column ${before[before.length - 1].length + 1}`;
    return { ok: false, message: at.message ? `${at.message} at ${where}` : `${e instanceof Error ? e.message : String(e)} (${where})` };
  }
}

/** A small JSON scanner that stops at the first syntax error and says what it expected. */
function syntaxErrorAt(text: string): { offset: number; message: string } {
  let i = 0;
  class Stop extends Error {}
  let found = { offset: text.length, message: '' };
  const fail = (message: string): never => {
    found = { offset: i, message };
    throw new Stop();
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(text[i] === '}' ? 'Trailing comma' : 'Expected a "quoted" property name');
        string();
        ws();
        if (text[i] !== ':') fail('Expected ":"');
        i++;
        value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail('Expected "," or "}"');
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') { i++; ws(); if (text[i] === ']') fail('Trailing comma'); continue; }
        if (text[i] === ']') { i++; return; }
        fail('Expected "," or "]"');
      }
    } else if (c === '"') string();
    else if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) fail('Invalid number');
      i += m![0].length;
    } else {
      for (const lit of ['true', 'false', 'null']) if (text.startsWith(lit, i)) { i += lit.length; return; }
      fail(c === undefined ? 'Unexpected end of input' : `Unexpected ${JSON.stringify(c)}`);
    }
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text[i] === '\n') fail('Unterminated string');
      i++;
    }
    if (i >= text.length) fail('Unterminated string');
    i++;
  };
  try {
    value();
    ws();
    if (i < text.length) fail('Unexpected text after the JSON value');
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  return found;
}
