// CEL expressions (PROTOCOL §11) through @marcbachmann/cel-js. Expressions are parsed once and
// cached; evaluation errors (a missing field, a type mismatch) count as "no match", like Go's
// lenient treatment. Nothing from an event is ever evaluated as code: events are only data here.
import { parse } from '@marcbachmann/cel-js';

type Compiled = (ctx: Record<string, unknown>) => unknown;

export class ExpressionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExpressionError';
  }
}

const cache = new Map<string, Compiled>();
const MAX_CACHE = 1000;

export function compile(expression: string): Compiled {
  let c = cache.get(expression);
  if (!c) {
    try {
      c = parse(expression) as unknown as Compiled;
    } catch (cause) {
      throw new ExpressionError(`invalid expression ${JSON.stringify(expression)}: ${String((cause as Error)?.message ?? cause).split('\n')[0]}`, { cause });
    }
    if (cache.size >= MAX_CACHE) cache.clear();
    cache.set(expression, c);
  }
  return c;
}

/** True only when the expression evaluates to exactly `true`. */
export function matches(expression: string, ctx: Record<string, unknown>): boolean {
  try {
    return compile(expression)(ctx) === true;
  } catch {
    return false;
  }
}

/** Event-name patterns: exact, or `*` wildcards (`app/*`, `app/user.*`). */
export function nameMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*') + '$');
  return re.test(name);
}
