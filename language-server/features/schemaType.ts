// JSON Schema (as the analysis reports an event's `data`) to a TypeScript-like type for hovers, and
// property lookup by path for completion of `event.data.` inside expressions. Pure.

type Schema = Record<string, unknown>;

const MAX_DEPTH = 6;

/** `{ email: string; plan?: "free" | "pro" }` style text, indented, for a JSON Schema. */
export function schemaToTs(schema: unknown, indent = '', depth = 0): string {
  if (!schema || typeof schema !== 'object') return 'unknown';
  const s = schema as Schema;
  if (depth > MAX_DEPTH) return '…';
  if (Array.isArray(s['enum'])) return (s['enum'] as unknown[]).map((v) => JSON.stringify(v)).join(' | ') || 'never';
  if ('const' in s) return JSON.stringify(s['const']);
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[key])) return (s[key] as unknown[]).map((x) => schemaToTs(x, indent, depth + 1)).join(' | ');
  }
  if (Array.isArray(s['allOf'])) return (s['allOf'] as unknown[]).map((x) => schemaToTs(x, indent, depth + 1)).join(' & ');
  const type = s['type'];
  if (Array.isArray(type)) return type.map((t) => schemaToTs({ ...s, type: t }, indent, depth + 1)).join(' | ');
  switch (type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const items = schemaToTs(s['items'], indent, depth + 1);
      return /[|&]/.test(items) ? `Array<${items}>` : `${items}[]`;
    }
    case 'object':
    case undefined: {
      const props = s['properties'];
      if (!props || typeof props !== 'object') {
        if (type === undefined) return 'unknown';
        const extra = s['additionalProperties'];
        return extra && typeof extra === 'object' ? `Record<string, ${schemaToTs(extra, indent, depth + 1)}>` : 'Record<string, unknown>';
      }
      const required = new Set(Array.isArray(s['required']) ? (s['required'] as string[]) : []);
      const inner = `${indent}  `;
      const lines = Object.entries(props as Record<string, unknown>).map(
        ([k, v]) => `${inner}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}${required.has(k) ? '' : '?'}: ${schemaToTs(v, inner, depth + 1)};`,
      );
      if (lines.length === 0) return '{}';
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
    default:
      return 'unknown';
  }
}

/** The sub-schema at `path` below an object schema (following properties, items and unions), or undefined. */
export function schemaAt(schema: unknown, path: readonly string[]): Schema | undefined {
  let cur: unknown = schema;
  for (const seg of path) {
    const next = propertiesOf(cur).get(seg);
    if (!next) return undefined;
    cur = next;
  }
  return cur && typeof cur === 'object' ? (cur as Schema) : undefined;
}

/** Properties a value of this schema can have (merging union members). */
export function propertiesOf(schema: unknown): Map<string, Schema> {
  const out = new Map<string, Schema>();
  const visit = (x: unknown, depth: number): void => {
    if (!x || typeof x !== 'object' || depth > MAX_DEPTH) return;
    const s = x as Schema;
    const props = s['properties'];
    if (props && typeof props === 'object') {
      for (const [k, v] of Object.entries(props as Record<string, unknown>)) if (!out.has(k) && v && typeof v === 'object') out.set(k, v as Schema);
    }
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      if (Array.isArray(s[key])) for (const m of s[key] as unknown[]) visit(m, depth + 1);
    }
  };
  visit(schema, 0);
  return out;
}
