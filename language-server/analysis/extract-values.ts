// What a named value holds, read from its initializer (top-level consts, exports, class fields):
// clients (also made by a factory function), EventSchemas chains, v4 eventTypes, zod schemas, string
// constants and enums, trigger lists, and calls that may return a client. Syntax only.
import type ts from 'typescript';
import { tsv } from './tsv';
import type { Rng } from '../protocol';
import { eventTypeRef, type Ctx } from './ctx';
import { sdkSpecifier } from './sdk';
import type { Shape } from './shapes';
import type { ArgValue, IdPart, SchemaPart, SchemasExpr, TriggerItem, ValueDecl } from './summary';
import { dottedName, getProp, isStringLike, propName, unwrap } from './text';

/** What a top-level `const name = <init>` holds, when it matters to the analysis. */
export function valueDecl(ctx: Ctx, init: ts.Expression, name: string, display = name): ValueDecl | undefined {
  const e = unwrap(init);
  if (tsv.isIdentifier(e)) return { kind: 'alias', name: e.text };
  if (isStringLike(e)) return { kind: 'string', value: e.text, range: ctx.range(e) };
  if (tsv.isNewExpression(e) && ctx.sdkName(e.expression) === 'Inngest') return clientDecl(ctx, e, name, display);
  if (tsv.isCallExpression(e) || tsv.isNewExpression(e)) {
    const chain = schemasChain(ctx, e);
    if (chain) return { kind: 'eventSchemas', parts: chain };
  }
  if (tsv.isCallExpression(e)) {
    const callee = unwrap(e.expression);
    const sdk = ctx.sdkName(callee);
    if (sdk === 'eventType') return eventTypeDecl(ctx, e);
    if (sdk === 'staticSchema') return { kind: 'schema', shape: ctx.reader.type(e.typeArguments?.[0]) };
    if (tsv.isPropertyAccessExpression(callee) && callee.name.text === 'createFunction') return { kind: 'function', key: ctx.key(e) };
  }
  if (ctx.reader.isZod(e)) return { kind: 'schema', shape: ctx.reader.zod(e) };
  if (tsv.isObjectLiteralExpression(e) || tsv.isArrayLiteralExpression(e)) {
    const shape = zodEventsShape(ctx, e);
    if (shape) return { kind: 'schema', shape };
  }
  if (tsv.isArrayLiteralExpression(e)) return triggerListDecl(ctx, e);
  if (tsv.isObjectLiteralExpression(e)) {
    const members: Record<string, Extract<ValueDecl, { kind: 'eventType' }>> = {};
    for (const p of e.properties) {
      const n = tsv.isPropertyAssignment(p) ? propName(p.name) : undefined;
      const v = tsv.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
      if (n !== undefined && v && tsv.isCallExpression(v) && ctx.sdkName(v.expression) === 'eventType') members[n] = eventTypeDecl(ctx, v);
    }
    if (Object.keys(members).length) return { kind: 'eventTypeGroup', members };
    // `{ event: Events.Done }`: one trigger whose event is not a string constant
    const ev = getProp(e, 'event');
    if (ev && !isStringLike(unwrap(ev)) && e.properties.every((p) => (tsv.isPropertyAssignment(p) || tsv.isShorthandPropertyAssignment(p)) && TRIGGER_KEYS.has(propName(p.name) ?? ''))) {
      const item = triggerItem(ctx, e);
      return item ? { kind: 'triggerList', items: [item] } : undefined;
    }
    const values: Record<string, string> = {};
    const ranges: Record<string, Rng> = {};
    constantStrings(ctx, e, '', values, ranges, 0);
    if (Object.keys(values).length) return { kind: 'constants', values, ranges };
  }
  if (tsv.isCallExpression(e)) return callDecl(ctx, e);
  if (tsv.isBinaryExpression(e) && (e.operatorToken.kind === tsv.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === tsv.SyntaxKind.BarBarToken)) {
    // `globalThis.inngest ?? new Inngest({ id })`: the singleton pattern of dev servers
    const made = [unwrap(e.right), unwrap(e.left)].find((x): x is ts.NewExpression => tsv.isNewExpression(x) && ctx.sdkName(x.expression) === 'Inngest');
    if (made) return clientDecl(ctx, made, name, display);
  }
  return undefined;
}

/** String members of a const object, nested ones under dotted keys (`EVENTS.user.created` -> 'user.created'). */
function constantStrings(ctx: Ctx, o: ts.ObjectLiteralExpression, prefix: string, values: Record<string, string>, ranges: Record<string, Rng>, depth: number): void {
  for (const p of o.properties) {
    if (!tsv.isPropertyAssignment(p)) continue;
    const n = propName(p.name);
    if (n === undefined) continue;
    const v = unwrap(p.initializer);
    if (isStringLike(v)) {
      values[prefix + n] = v.text;
      ranges[prefix + n] = ctx.range(v);
    } else if (depth < 3 && tsv.isObjectLiteralExpression(v)) constantStrings(ctx, v, `${prefix}${n}.`, values, ranges, depth + 1);
  }
}

const TRIGGER_KEYS = new Set(['event', 'if', 'schema']);

/** `enum Events { Done = 'app/done' }`: its string members, as constants (`Events.Done`). */
export function enumDecl(ctx: Ctx, st: ts.EnumDeclaration): ValueDecl | undefined {
  const values: Record<string, string> = {};
  const ranges: Record<string, Rng> = {};
  for (const m of st.members) {
    const n = propName(m.name);
    const v = m.initializer && unwrap(m.initializer);
    if (n !== undefined && v && isStringLike(v)) {
      values[n] = v.text;
      ranges[n] = ctx.range(v);
    }
  }
  return Object.keys(values).length ? { kind: 'constants', values, ranges } : undefined;
}

/** `const x = f(args)`: kept small (names and literals only) and looked at only when `x` is used as a client. */
export function callDecl(ctx: Ctx, e: ts.CallExpression): ValueDecl | undefined {
  const callee = dottedName(e.expression);
  if (!callee || callee[0] === 'require' || e.arguments.length > 4) return undefined;
  return { kind: 'call', callee: callee.join('.'), args: e.arguments.map((a) => argValue(a, 0)), range: ctx.range(e) };
}

function argValue(a: ts.Expression, depth: number): ArgValue {
  const u = unwrap(a);
  if (isStringLike(u)) return { k: 'str', v: u.text };
  const ref = dottedName(u);
  if (ref) return { k: 'ref', ref: ref.join('.') };
  if (tsv.isObjectLiteralExpression(u) && depth < 3) {
    const props: Record<string, ArgValue> = {};
    for (const p of u.properties) {
      if (tsv.isPropertyAssignment(p)) {
        const n = propName(p.name);
        if (n !== undefined) props[n] = argValue(p.initializer, depth + 1);
      } else if (tsv.isShorthandPropertyAssignment(p)) props[p.name.text] = { k: 'ref', ref: p.name.text };
    }
    return { k: 'obj', props };
  }
  return { k: 'other' };
}

/** Where a factory's parameter names point: the argument index and a property path into it. */
type ParamMap = Map<string, { index: number; path: string[]; fallback?: string }>;

/**
 * An id expression as parts: a string, a name or member (`APP_ID`, `cfg.id`), a template of those,
 * or `x ?? 'fallback'`. With `params`, names that are the factory's parameters become argument parts.
 */
export function exprParts(e: ts.Expression, params?: ParamMap): IdPart[] | null {
  const u = unwrap(e);
  if (isStringLike(u)) return [u.text];
  const ref = dottedName(u);
  if (ref) {
    const p = params?.get(ref[0]!);
    return [p ? { param: p.index, path: [...p.path, ...ref.slice(1)], fallback: ref.length === 1 ? p.fallback : undefined } : { ref: ref.join('.') }];
  }
  if (tsv.isTemplateExpression(u)) {
    const parts: IdPart[] = [u.head.text];
    for (const span of u.templateSpans) {
      const inner = exprParts(span.expression, params);
      if (!inner || inner.some((x) => typeof x !== 'string' && !('ref' in x) && !('param' in x))) return null;
      parts.push(...inner, span.literal.text);
    }
    return parts;
  }
  if (tsv.isBinaryExpression(u) && (u.operatorToken.kind === tsv.SyntaxKind.QuestionQuestionToken || u.operatorToken.kind === tsv.SyntaxKind.BarBarToken)) {
    const right = unwrap(u.right);
    const left = params ? exprParts(u.left, params) : null;
    // `id: cfg.appId ?? 'my-app'` in a factory: the argument when given, else the fallback
    if (left?.length === 1 && typeof left[0] === 'object' && 'param' in left[0] && isStringLike(right)) return [{ ...left[0], fallback: right.text }];
    // `id: process.env.APP_ID ?? 'my-app'`: in development the fallback is the id the app registers with
    if (isStringLike(right)) return [right.text];
  }
  return null;
}

interface ClientOptions {
  id: string | null;
  idRange?: Rng;
  idParts?: IdPart[];
  schemas: SchemasExpr | null;
}

/** `new Inngest({ id, schemas })`: its id (literal, or parts to resolve) and its EventSchemas. */
function clientOptions(ctx: Ctx, e: ts.NewExpression, params?: ParamMap): ClientOptions {
  const arg = e.arguments?.[0] && unwrap(e.arguments[0]);
  const out: ClientOptions = { id: null, schemas: null };
  if (arg && tsv.isIdentifier(arg)) {
    // `new Inngest(config)`: the id is the argument's `id` (a factory's parameter, or a const object)
    const p = params?.get(arg.text);
    out.idParts = [p ? { param: p.index, path: [...p.path, 'id'] } : { ref: `${arg.text}.id` }];
    return out;
  }
  if (!arg || !tsv.isObjectLiteralExpression(arg)) return out;
  const idE = getProp(arg, 'id');
  if (idE) {
    const parts = exprParts(idE, params);
    if (parts?.length === 1 && typeof parts[0] === 'string') {
      out.id = parts[0];
      let u = unwrap(idE);
      if (tsv.isBinaryExpression(u)) u = unwrap(u.right);
      out.idRange = ctx.range(u);
    } else if (parts) out.idParts = parts;
  } else {
    // `new Inngest({ ...config, middleware })`: the id comes with the spread parameter or constant
    for (const p of arg.properties) {
      const src = tsv.isSpreadAssignment(p) ? unwrap(p.expression) : undefined;
      if (!src || !tsv.isIdentifier(src)) continue;
      const b = params?.get(src.text);
      out.idParts = [b ? { param: b.index, path: [...b.path, 'id'] } : { ref: `${src.text}.id` }];
    }
  }
  const sch = getProp(arg, 'schemas');
  if (sch) {
    const su = unwrap(sch);
    const chain = schemasChain(ctx, su);
    out.schemas = chain ? { kind: 'inline', parts: chain } : tsv.isIdentifier(su) ? { kind: 'ref', name: su.text } : { kind: 'opaque' };
  }
  return out;
}

function specifierMajor(ctx: Ctx, schemas: SchemasExpr | null): 3 | 4 | null {
  const spec = ctx.summary.sdkSpecifier;
  const major = spec ? sdkSpecifier(spec)?.major ?? null : null;
  return major ?? (schemas ? 3 : null);
}

function clientDecl(ctx: Ctx, e: ts.NewExpression, key: string, display: string): ValueDecl {
  const o = clientOptions(ctx, e);
  const model = { key: `${ctx.summary.uri}#${key}`, localName: display, id: o.id, idRange: o.idRange, range: ctx.range(e), hasSchemas: o.schemas !== null };
  ctx.summary.clients.push(model);
  return { kind: 'client', model, schemas: o.schemas, sdkMajor: specifierMajor(ctx, o.schemas), ...(o.idParts ? { idParts: o.idParts } : {}) };
}

/**
 * A top-level function that returns `new Inngest(...)` (`createClient(id)`, `(cfg) => new Inngest(cfg)`),
 * possibly through a local const: a client factory. Undefined for any other function.
 */
export function clientFactoryDecl(ctx: Ctx, fn: ts.FunctionLikeDeclaration): ValueDecl | undefined {
  const body = fn.body;
  if (!body) return undefined;
  let made: ts.NewExpression | ts.CallExpression | undefined;
  // `new Inngest(...)`, or a call of another (possible) factory by name: `createInngestClient()`
  const makes = (x: ts.Expression | undefined): x is ts.NewExpression | ts.CallExpression =>
    !!x && ((tsv.isNewExpression(x) && ctx.sdkName(x.expression) === 'Inngest') || (tsv.isCallExpression(x) && tsv.isIdentifier(unwrap(x.expression))));
  // `return (app ??= new Inngest(...))`: the assigned value
  const assigned = (x: ts.Expression): ts.Expression => {
    const k = tsv.isBinaryExpression(x) ? x.operatorToken.kind : undefined;
    return k === tsv.SyntaxKind.EqualsToken || k === tsv.SyntaxKind.QuestionQuestionEqualsToken || k === tsv.SyntaxKind.BarBarEqualsToken ? unwrap((x as ts.BinaryExpression).right) : x;
  };
  if (!tsv.isBlock(body)) {
    const u = assigned(unwrap(body as ts.Expression));
    if (makes(u)) made = u;
  } else {
    // names holding a client in the body: `const c = new Inngest(..)`, `client = createClient()` (lazy singletons)
    const locals = new Map<string, ts.NewExpression | ts.CallExpression>();
    const visit = (n: ts.Node): void => {
      if (made || isFunctionBoundary(n)) return;
      if (tsv.isVariableDeclaration(n) && tsv.isIdentifier(n.name) && n.initializer) {
        const u = unwrap(n.initializer);
        if (makes(u)) locals.set(n.name.text, u);
      } else if (tsv.isBinaryExpression(n) && tsv.isIdentifier(n.left) && (n.operatorToken.kind === tsv.SyntaxKind.EqualsToken || n.operatorToken.kind === tsv.SyntaxKind.QuestionQuestionEqualsToken)) {
        const u = unwrap(n.right);
        if (makes(u)) locals.set(n.left.text, u);
      } else if (tsv.isReturnStatement(n) && n.expression) {
        const u = assigned(unwrap(n.expression));
        if (makes(u)) made = u;
        else if (tsv.isIdentifier(u)) made = locals.get(u.text);
        return;
      }
      tsv.forEachChild(n, visit);
    };
    tsv.forEachChild(body, visit);
  }
  if (!made) return undefined;
  if (tsv.isCallExpression(made)) {
    if (made.arguments.length > 4) return undefined;
    const callee = (unwrap(made.expression) as ts.Identifier).text;
    return { kind: 'clientFactory', idParts: null, schemas: null, sdkMajor: null, delegate: { callee, args: made.arguments.map((a) => argValue(a, 0)) } };
  }
  const params: ParamMap = new Map();
  fn.parameters.forEach((p, index) => {
    const init = p.initializer && unwrap(p.initializer);
    if (tsv.isIdentifier(p.name)) params.set(p.name.text, { index, path: [], fallback: init && isStringLike(init) ? init.text : undefined });
    else if (tsv.isObjectBindingPattern(p.name)) {
      for (const el of p.name.elements) {
        if (!tsv.isIdentifier(el.name) || el.dotDotDotToken) continue;
        const prop = propName(el.propertyName ?? el.name);
        const dflt = el.initializer && unwrap(el.initializer);
        if (prop !== undefined) params.set(el.name.text, { index, path: [prop], fallback: dflt && isStringLike(dflt) ? dflt.text : undefined });
      }
    }
  });
  const o = clientOptions(ctx, made, params);
  return { kind: 'clientFactory', idParts: o.id !== null ? [o.id] : o.idParts ?? null, schemas: o.schemas, sdkMajor: specifierMajor(ctx, o.schemas) };
}

function isFunctionBoundary(n: ts.Node): boolean {
  return tsv.isFunctionDeclaration(n) || tsv.isFunctionExpression(n) || tsv.isArrowFunction(n) || tsv.isMethodDeclaration(n) || tsv.isClassLike(n);
}

/** `[{ event: 'a' }, { event: 'b', if: '...' }, cron('0 * * * *'), ...OTHER]`: a trigger list, or undefined when some element is not a trigger. */
function triggerListDecl(ctx: Ctx, e: ts.ArrayLiteralExpression): ValueDecl | undefined {
  const items: TriggerItem[] = [];
  let found = false;
  for (const raw of e.elements) {
    if (tsv.isSpreadElement(raw)) {
      const ref = dottedName(raw.expression);
      if (!ref) return undefined;
      items.push({ kind: 'ref', ref: ref.join('.') });
      found = true;
      continue;
    }
    const el = unwrap(raw);
    const ref = dottedName(el);
    if (ref) {
      items.push({ kind: 'ref', ref: ref.join('.') });
      continue;
    }
    const item = triggerItem(ctx, el);
    if (!item) return undefined;
    items.push(item);
    found = true;
  }
  // names only (`[userSignup, orderPlaced.event]`): v4 eventTypes, looked at only when used as triggers
  return found || items.length ? { kind: 'triggerList', items } : undefined;
}

function triggerItem(ctx: Ctx, el: ts.Expression): TriggerItem | undefined {
  if (tsv.isObjectLiteralExpression(el)) {
    const ev = getProp(el, 'event');
    const cond = getProp(el, 'if');
    const c = cond && unwrap(cond);
    const expression = c && isStringLike(c) ? c.text : undefined;
    if (ev) {
      const u = unwrap(ev);
      if (isStringLike(u)) return { kind: 'event', name: u.text, expression };
      const ref = eventTypeRef(u);
      return ref ? { kind: 'event', name: null, ref, expression } : undefined;
    }
    const cr = getProp(el, 'cron');
    const cu = cr && unwrap(cr);
    return cu ? cronItem(cu) : undefined;
  }
  if (tsv.isCallExpression(el)) {
    const sdk = ctx.sdkName(el.expression);
    const a = el.arguments[0] && unwrap(el.arguments[0]);
    if (sdk === 'cron') return a ? cronItem(a) : { kind: 'cron', cron: null };
    if (sdk === 'invoke') return { kind: 'invoke' };
    if (sdk === 'eventType' && a) return isStringLike(a) ? { kind: 'event', name: a.text } : undefined;
  }
  return undefined;
}

function cronItem(e: ts.Expression): TriggerItem {
  if (isStringLike(e)) return { kind: 'cron', cron: e.text };
  const ref = dottedName(e);
  return ref ? { kind: 'cron', cron: null, ref: ref.join('.') } : { kind: 'cron', cron: null };
}

function eventTypeDecl(ctx: Ctx, e: ts.CallExpression): Extract<ValueDecl, { kind: 'eventType' }> {
  const n = e.arguments[0] && unwrap(e.arguments[0]);
  const ev = ctx.eventName(n, 'schema-declaration');
  const opts = e.arguments[1] && unwrap(e.arguments[1]);
  const schemaExpr = opts && tsv.isObjectLiteralExpression(opts) ? getProp(opts, 'schema') : undefined;
  // `eventType(AccountSignedUp._NAME, ...)`: the name held in a constant, resolved in the link phase
  const ref = n && !isStringLike(n) ? dottedName(n) : undefined;
  return {
    kind: 'eventType',
    name: ev?.name ?? null,
    nameLoc: n && isStringLike(n) ? { uri: ctx.summary.uri, range: ctx.range(n) } : undefined,
    data: schemaExpr ? schemaShape(ctx, schemaExpr) : null,
    ...(ref ? { nameRef: ref.join('.') } : {}),
  };
}

export function schemaShape(ctx: Ctx, expr: ts.Expression): Shape {
  const u = unwrap(expr);
  if (tsv.isCallExpression(u) && ctx.sdkName(u.expression) === 'staticSchema') return ctx.reader.type(u.typeArguments?.[0]);
  if (tsv.isIdentifier(u)) return { k: 'valueRef', name: u.text };
  if (ctx.reader.isZod(u)) return ctx.reader.zod(u);
  return { k: 'any' };
}

/** `new EventSchemas().fromRecord<T>().fromUnion<U>().fromZod(z)` as its parts, or undefined when not such a chain. */
function schemasChain(ctx: Ctx, e: ts.Expression): SchemaPart[] | undefined {
  const parts: SchemaPart[] = [];
  let cur = unwrap(e);
  for (let guard = 0; guard < 50; guard++) {
    if (tsv.isNewExpression(cur)) return ctx.sdkName(cur.expression) === 'EventSchemas' ? parts.reverse() : undefined;
    if (!tsv.isCallExpression(cur)) return undefined;
    const callee = unwrap(cur.expression);
    if (!tsv.isPropertyAccessExpression(callee)) return undefined;
    const m = callee.name.text;
    if (m === 'fromRecord') parts.push({ kind: 'record', type: ctx.reader.type(cur.typeArguments?.[0]), uri: ctx.summary.uri });
    else if (m === 'fromUnion') parts.push({ kind: 'union', type: ctx.reader.type(cur.typeArguments?.[0]) });
    else if (m === 'fromZod') {
      const a = cur.arguments[0] && unwrap(cur.arguments[0]);
      const shape = a && (tsv.isIdentifier(a) ? ({ k: 'valueRef', name: a.text } as Shape) : zodEventsShape(ctx, a));
      if (!shape) parts.push({ kind: 'opaque' });
      else if (shape.k === 'union') parts.push({ kind: 'union', type: shape });
      else parts.push({ kind: 'record', type: shape, uri: ctx.summary.uri });
    } else parts.push({ kind: 'opaque' });
    cur = unwrap(callee.expression);
  }
  return undefined;
}

/** fromZod input: `{ "app/x": { data: z.object(...) } }` (record) or `[z.object({ name: z.literal(..), data })]`. */
function zodEventsShape(ctx: Ctx, e: ts.Expression): Shape | undefined {
  if (tsv.isArrayLiteralExpression(e)) {
    if (!e.elements.length || !e.elements.every((x) => ctx.reader.isZod(x) || tsv.isIdentifier(unwrap(x)))) return undefined;
    return { k: 'union', types: e.elements.map((x) => ctx.reader.zod(x)) };
  }
  if (!tsv.isObjectLiteralExpression(e) || !e.properties.length) return undefined;
  const props = [];
  for (const p of e.properties) {
    if (!tsv.isPropertyAssignment(p)) return undefined;
    const name = propName(p.name);
    if (name === undefined) return undefined;
    const v = unwrap(p.initializer);
    let type: Shape;
    if (tsv.isObjectLiteralExpression(v)) {
      const inner = [];
      for (const q of v.properties) {
        if (!tsv.isPropertyAssignment(q)) return undefined;
        const qn = propName(q.name);
        // `{ user: { created: 'user/created' } }` holds event names, not zod schemas
        if (qn === undefined || isStringLike(unwrap(q.initializer))) return undefined;
        inner.push({ name: qn, type: ctx.reader.zod(q.initializer), optional: qn !== 'data' });
      }
      type = { k: 'obj', props: inner, open: true };
    } else if (ctx.reader.isZod(v)) type = ctx.reader.zod(v);
    else return undefined;
    props.push({ name, type, optional: false, loc: { uri: ctx.summary.uri, range: ctx.range(p.name) }, valueRange: ctx.reader.quoted(p.name) });
  }
  return { k: 'obj', props, open: false };
}
