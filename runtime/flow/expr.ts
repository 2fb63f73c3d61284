// CEL for flow control: keys, `if` filters, priority and cancellation expressions (PROTOCOL §11).
//
// Built on @marcbachmann/cel-js. Three things make it behave the way Inngest's expressions do:
// - Missing fields read as null. cel-js throws "No such key" for a missing map key; at compile time every
//   field/index chain (`event.data.x[0].y`) is rewritten into its optional form
//   (`(event.?data.?x[?0].?y).orValue(null)`), so a missing field anywhere in the chain is null.
//   Chains inside `has(...)` are left alone (has() needs a plain field selection).
// - JSON numbers that are whole become CEL ints (bigint), so `event.data.n + 1` and
//   `event.data.vip ? 120 : 0` behave as users expect; fractional numbers stay doubles.
// - Only the variables `event` and `async` exist. Anything else is a compile error, raised as an
//   `ExpressionError` that quotes the expression and says what is wrong.
// Nothing from an event is ever evaluated as code: event values only reach CEL as data, and
// `interpolateEvent` turns them into CEL literals (escaped), never into expression text of their own.

import { Environment, type ASTNode } from '@marcbachmann/cel-js';

export type ExprPhase = 'compile' | 'evaluate';

/** A CEL expression that does not compile or could not be evaluated. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    readonly expression: string,
    readonly phase: ExprPhase,
    /** One line: what is wrong. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      phase === 'compile'
        ? `expression ${JSON.stringify(expression)} does not compile: ${reason}. Expressions are CEL over \`event\` (and \`async\` in cancel/wait matches), e.g. "event.data.user_id"`
        : `expression ${JSON.stringify(expression)} failed: ${reason}`,
      options,
    );
  }
}

export interface ExprVars {
  event?: unknown;
  async?: unknown;
}

export interface CompiledExpr {
  readonly source: string;
  /** Whether the expression reads `async` (the incoming event in cancel/wait matches). */
  readonly usesAsync: boolean;
  /** Evaluates against plain JSON values; returns plain JS values (ints as numbers). Throws ExpressionError. */
  evaluate(vars: ExprVars): unknown;
}

/** The injectable evaluator every flow module takes. */
export interface ExprEvaluator {
  /** Throws ExpressionError (phase `compile`). */
  compile(source: string): CompiledExpr;
}

const VARIABLES = ['event', 'async'] as const;

function makeEnv(): Environment {
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
  });
  for (const v of VARIABLES) env.registerVariable(v, 'dyn');
  return env;
}

/** Creates the CEL evaluator. Compiled expressions are cached by source text. */
export function createCelEvaluator(): ExprEvaluator {
  const env = makeEnv();
  const cache = new Map<string, CompiledExpr>();
  return {
    compile(source: string): CompiledExpr {
      const hit = cache.get(source);
      if (hit) return hit;
      const compiled = compileWith(env, source);
      if (cache.size > 5000) cache.clear();
      cache.set(source, compiled);
      return compiled;
    },
  };
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!.trim();
}

function compileWith(env: Environment, source: string): CompiledExpr {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new ExpressionError(String(source), 'compile', 'it is empty');
  }
  let ast: ASTNode;
  try {
    ast = env.parse(source).ast;
  } catch (err) {
    throw new ExpressionError(source, 'compile', firstLine(err), { cause: err });
  }
  const check = env.check(source);
  if (!check.valid) {
    const reason = firstLine(check.error);
    throw new ExpressionError(source, 'compile', reason, { cause: check.error });
  }
  const rewritten = emit(ast, nullSafeChain);
  let fn: (ctx: Record<string, unknown>) => unknown;
  try {
    fn = env.parse(rewritten);
  } catch (err) {
    // The rewrite only adds optional selections; if it fails, the original form still works (minus null-safety).
    fn = env.parse(source);
    void err;
  }
  const usesAsync = referencesId(ast, 'async');
  return {
    source,
    usesAsync,
    evaluate(vars: ExprVars): unknown {
      const ctx: Record<string, unknown> = {
        event: toCel(vars.event ?? null),
        async: toCel(vars.async ?? null),
      };
      try {
        return fromCel(fn(ctx));
      } catch (err) {
        throw new ExpressionError(source, 'evaluate', firstLine(err), { cause: err });
      }
    },
  };
}

// --- Values --------------------------------------------------------------------------------------

/** JSON -> CEL activation values: whole numbers become bigint ints; undefined fields are dropped. */
export function toCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toCel(x);
    return out;
  }
  return v;
}

/** CEL results -> plain JS: bigint -> number, Maps -> objects, lists mapped. */
export function fromCel(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), fromCel(x)]));
  if (v instanceof Set) return [...v].map(fromCel);
  if (Array.isArray(v)) return v.map(fromCel);
  if (v && typeof v === 'object' && v.constructor === Object) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromCel(x)]));
  }
  if (v && typeof v === 'object' && typeof (v as { valueOf?: () => unknown }).valueOf === 'function') {
    const p = (v as { valueOf: () => unknown }).valueOf();
    if (typeof p === 'bigint' || typeof p === 'number') return Number(p);
  }
  return v;
}

/** A key expression's value as the bucket name: strings as they are, others as JSON; null -> ''. */
export function keyString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Writes a JSON value as a CEL literal (strings escaped, whole numbers as ints). */
export function celLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'null';
    if (Number.isSafeInteger(v)) return String(v);
    const s = String(v);
    return /[.eE]/.test(s) ? s : `${s}.0`;
  }
  if (Array.isArray(v)) return `[${v.map(celLiteral).join(', ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${celLiteral(x)}`).join(', ')}}`;
  }
  return 'null';
}

// --- AST rewriting -------------------------------------------------------------------------------

function isNode(x: unknown): x is ASTNode {
  return !!x && typeof x === 'object' && 'op' in x && 'start' in x && 'end' in x;
}

function children(node: ASTNode): ASTNode[] {
  if (node.op === 'value' || node.op === 'id') return [];
  const out: ASTNode[] = [];
  const walk = (x: unknown): void => {
    if (isNode(x)) out.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
  };
  walk(node.args);
  return out.sort((a, b) => a.start - b.start);
}

function referencesId(node: ASTNode, name: string): boolean {
  if (node.op === 'id') return node.args === name;
  return children(node).some((c) => referencesId(c, name));
}

type Replacer = (node: ASTNode, recurse: (n: ASTNode) => string) => string | undefined;

/** Re-emits the source of `node`, letting `replace` substitute any subtree (outermost first). */
function emit(node: ASTNode, replace: Replacer): string {
  const rec = (n: ASTNode): string => {
    const r = replace(n, rec);
    if (r !== undefined) return r;
    const kids = children(n);
    let out = '';
    let pos = n.start;
    for (const k of kids) {
      if (k.start < pos || k.end > n.end) continue; // defensive: overlapping ranges keep the original text
      out += n.input.slice(pos, k.start) + rec(k);
      pos = k.end;
    }
    return out + n.input.slice(pos, n.end);
  };
  return rec(node);
}

/** Splits `a.b[c].d` into its root and its links, or returns undefined for a non-chain node. */
function chainOf(node: ASTNode): { root: ASTNode; links: ({ field: string } | { index: ASTNode })[] } | undefined {
  if (node.op !== '.' && node.op !== '[]') return undefined;
  const links: ({ field: string } | { index: ASTNode })[] = [];
  let cur: ASTNode = node;
  for (;;) {
    if (cur.op === '.') {
      const [obj, field] = cur.args as [ASTNode, string];
      links.unshift({ field });
      cur = obj;
    } else if (cur.op === '[]') {
      const [obj, idx] = cur.args as [ASTNode, ASTNode];
      links.unshift({ index: idx });
      cur = obj;
    } else break;
  }
  return { root: cur, links };
}

const nullSafeChain: Replacer = (node, rec) => {
  if (node.op === 'call' && (node.args as [string, ASTNode[]])[0] === 'has') return node.input.slice(node.start, node.end);
  const chain = chainOf(node);
  if (!chain) return undefined;
  let s = rec(chain.root);
  if (chain.root.op !== 'id' && chain.root.op !== 'value') s = `(${s})`;
  for (const l of chain.links) s += 'field' in l ? `.?${l.field}` : `[?${rec(l.index)}]`;
  return `(${s}).orValue(null)`;
};

/** Resolves a static path (`data.user`, `data.items[0]`) in a JSON value; missing -> undefined. */
function resolvePath(value: unknown, path: (string | number)[]): unknown {
  let cur = value;
  for (const p of path) {
    if (cur === null || cur === undefined) return undefined;
    if (Array.isArray(cur)) cur = typeof p === 'number' ? cur[p] : undefined;
    else if (typeof cur === 'object') cur = Object.prototype.hasOwnProperty.call(cur, String(p)) ? (cur as Record<string, unknown>)[String(p)] : undefined;
    else return undefined;
  }
  return cur;
}

/**
 * Replaces every `event.…` reference whose path is static with the literal value taken from
 * `event` (PROTOCOL §11: cancel/wait `if` expressions are interpolated when the pause is created).
 * `event.data.id == async.data.id` with data.id "u1" becomes `"u1" == async.data.id`. A missing field
 * becomes `null`. Throws ExpressionError if the source does not parse.
 */
let sharedEnv: Environment | undefined;

export function interpolateEvent(source: string, event: unknown): string {
  const env = (sharedEnv ??= makeEnv());
  let ast: ASTNode;
  try {
    ast = env.parse(source).ast;
  } catch (err) {
    throw new ExpressionError(source, 'compile', firstLine(err), { cause: err });
  }
  return emit(ast, (node) => {
    if (node.op === 'id' && node.args === 'event') return celLiteral(event);
    const chain = chainOf(node);
    if (!chain || chain.root.op !== 'id' || chain.root.args !== 'event') return undefined;
    const path: (string | number)[] = [];
    for (const l of chain.links) {
      if ('field' in l) path.push(l.field);
      else if (l.index.op === 'value' && (typeof l.index.args === 'string' || typeof l.index.args === 'bigint' || typeof l.index.args === 'number')) {
        path.push(typeof l.index.args === 'string' ? l.index.args : Number(l.index.args));
      } else return undefined; // dynamic index: let the recursion interpolate the static prefix
    }
    return celLiteral(resolvePath(event, path));
  });
}
