// Reads one file's syntax tree (no type checker) into a FileSummary: imports/exports, type
// declarations, clients, EventSchemas chains, v4 eventTypes, zod schemas, createFunction calls with
// their options and handlers, and `client.send(...)` calls.
import type ts from 'typescript';
import { tsv } from './tsv';
import type { Rng } from '../protocol';
import { Ctx } from './ctx';
import { analyseHandler, isStepToolsType } from './handler';
import { callDecl, clientFactoryDecl, enumDecl, schemaShape, valueDecl } from './extract-values';
import type { CreateFunctionModel } from './model';
import { hasModifier, readModuleShape } from './extract-module';
import type { Shape } from './shapes';
import { emptySummary, type FileSummary, type FunctionSummary, type IdSource, type TriggerSummary, type ValueDecl } from './summary';
import { dottedName, getProp, isFunctionLike, isStringLike, propName, unwrap } from './text';

const PARSE_OPTIONS: ts.CreateSourceFileOptions = { languageVersion: tsv.ScriptTarget.Latest, jsDocParsingMode: tsv.JSDocParsingMode.ParseNone };

export function scriptKindOf(uri: string): ts.ScriptKind {
  if (/\.tsx$/i.test(uri)) return tsv.ScriptKind.TSX;
  if (/\.jsx$/i.test(uri)) return tsv.ScriptKind.JSX;
  if (/\.[cm]?js$/i.test(uri)) return tsv.ScriptKind.JS;
  return tsv.ScriptKind.TS;
}

/** Parses and summarises one file. `shallow`: only imports and exports (for very large files). */
export function extractFile(uri: string, text: string, shallow: boolean): FileSummary {
  // JSDoc comments are never read here: not parsing them saves parse time on commented code.
  const sf = tsv.createSourceFile(uri, text, PARSE_OPTIONS, true, scriptKindOf(uri));
  const summary = emptySummary(uri);
  summary.shallow = shallow;
  summary.hasSyntaxErrors = ((sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length ?? 0) > 0;
  const ctx = new Ctx(sf, summary);
  readModuleShape(ctx);
  if (shallow) return summary;
  for (const st of sf.statements) topLevel(ctx, st);
  walk(ctx, sf);
  for (const fn of ctx.helperCandidates) {
    if (ctx.analysedHandlers.has(fn)) continue;
    const key = `helper:${ctx.key(fn)}`;
    analyseHandler(ctx, fn, key, false, 'helper');
    const decl = ctx.handlerDecls.get(fn);
    if (decl) decl.key = key;
  }
  return summary;
}

function topLevel(ctx: Ctx, st: ts.Statement): void {
  const s = ctx.summary;
  if (tsv.isInterfaceDeclaration(st)) {
    let shape: Shape = ctx.reader.members(st.members, st.getEnd(), 0);
    const bases = (st.heritageClauses ?? []).flatMap((h) => h.types.map((t) => {
      const name = dottedName(t.expression);
      return name ? ({ k: 'ref', name: name.join('.'), args: (t.typeArguments ?? []).map((a) => ctx.reader.type(a)) } as Shape) : ({ k: 'any' } as Shape);
    }));
    if (bases.length) shape = { k: 'inter', types: [...bases, shape] };
    s.types.set(st.name.text, { shape, params: (st.typeParameters ?? []).map((p) => p.name.text) });
  } else if (tsv.isTypeAliasDeclaration(st)) {
    s.types.set(st.name.text, { shape: ctx.reader.type(st.type), params: (st.typeParameters ?? []).map((p) => p.name.text) });
  } else if (tsv.isVariableStatement(st)) {
    for (const d of st.declarationList.declarations) {
      if (tsv.isIdentifier(d.name) && !d.initializer) ctx.assignedLater.add(d.name.text);
      if (!tsv.isIdentifier(d.name) || !d.initializer) continue;
      const v = valueDecl(ctx, d.initializer, d.name.text);
      if (v) s.values.set(d.name.text, v);
      const init = unwrap(d.initializer);
      if (tsv.isArrowFunction(init) || tsv.isFunctionExpression(init)) topLevelFunction(ctx, d.name.text, init);
    }
  } else if (tsv.isClassDeclaration(st) && st.name) {
    const ext = st.heritageClauses?.find((h) => h.token === tsv.SyntaxKind.ExtendsKeyword)?.types[0];
    const base = ext ? dottedName(ext.expression) : undefined;
    const decl: ValueDecl = { kind: 'class', base: base ? base.join('.') : null };
    for (const m of st.members) {
      // `static readonly _NAME = 'account/signed-up'`: event names, ids and crons kept on classes
      if (!tsv.isPropertyDeclaration(m) || !m.initializer || !hasModifier(m, tsv.SyntaxKind.StaticKeyword)) continue;
      const n = propName(m.name);
      const v = unwrap(m.initializer);
      if (n === undefined || !isStringLike(v)) continue;
      (decl.statics ??= {})[n] = v.text;
      (decl.staticRanges ??= {})[n] = ctx.range(v);
    }
    s.values.set(st.name.text, decl);
  } else if (tsv.isEnumDeclaration(st)) {
    const v = enumDecl(ctx, st);
    if (v) s.values.set(st.name.text, v);
  } else if (tsv.isFunctionDeclaration(st)) {
    if (st.name) topLevelFunction(ctx, st.name.text, st);
    else if (hasModifier(st, tsv.SyntaxKind.DefaultKeyword)) {
      topLevelFunction(ctx, 'default', st);
      s.exports.set('default', { local: 'default' });
    }
  } else if (tsv.isExportAssignment(st) && !st.isExportEquals) {
    const v = valueDecl(ctx, st.expression, 'default');
    if (v) {
      s.values.set('default', v);
      s.exports.set('default', { local: 'default' });
    }
    const e = unwrap(st.expression);
    if (tsv.isArrowFunction(e) || tsv.isFunctionExpression(e)) {
      topLevelFunction(ctx, 'default', e);
      s.exports.set('default', { local: 'default' });
    }
  }
}

/**
 * A top-level function: a handler passed by name to createFunction in this file (analysed there), or,
 * when it takes the step tools, a helper or a handler another file imports (analysed after the walk).
 */
function topLevelFunction(ctx: Ctx, name: string, fn: ts.FunctionLikeDeclaration): void {
  ctx.localFunctions.set(name, fn);
  if (ctx.mentionsInngestClass && !ctx.summary.values.has(name) && ctx.sf.text.slice(fn.pos, fn.end).includes('Inngest')) {
    const factory = clientFactoryDecl(ctx, fn);
    // a function returning another call is a factory only if it is no step helper
    if (factory?.kind === 'clientFactory' && !(factory.delegate && takesStep(ctx, fn))) {
      ctx.summary.values.set(name, factory);
      return;
    }
  }
  if (!takesStep(ctx, fn)) return;
  ctx.helperCandidates.push(fn);
  if (!ctx.summary.values.has(name)) {
    const decl: Extract<ValueDecl, { kind: 'handler' }> = { kind: 'handler', key: null };
    ctx.summary.values.set(name, decl);
    ctx.handlerDecls.set(fn, decl);
  }
}

/** A top-level helper that receives the step tools (`step` parameter, or `{ step }` destructured). */
function takesStep(ctx: Ctx, fn: ts.FunctionLikeDeclaration): boolean {
  // only in files that use the SDK, or when the parameter's type says it holds step tools
  return fn.parameters.some((p) => {
    const typed = !!p.type && /Step/.test(p.type.getText(ctx.sf));
    if (!typed && ctx.summary.sdkSpecifier === null) return false;
    if (tsv.isIdentifier(p.name)) return p.name.text === 'step' || isStepToolsType(ctx.sf, p.type) || (!!fn.body && takesStepFrom(ctx, fn.body, p.name.text));
    return tsv.isObjectBindingPattern(p.name) && p.name.elements.some((e) => propName(e.propertyName ?? (tsv.isIdentifier(e.name) ? e.name : undefined)) === 'step');
  });
}

/** `const { step } = args` or `args.step.run(...)` in a body (a helper or handler that receives the step tools inside an object argument). */
function takesStepFrom(ctx: Ctx, body: ts.Node, param: string): boolean {
  const text = ctx.sf.text.slice(body.pos, body.end);
  if (!text.includes('step')) return false;
  if (text.includes(`${param}.step.`)) return true;
  return new RegExp(`\\{[^}]*\\bstep\\b[^}]*\\}\\s*=\\s*${param.replace(/\$/g, '\\$')}(?![\\w$])`).test(text);
}

/** Finds createFunction and send calls anywhere in the file, and clients held in class fields. */
function walk(ctx: Ctx, root: ts.Node): void {
  /** The class whose members are being visited (`this.x` names its field x), or null. */
  let cls: string | null = null;
  const visit = (n: ts.Node, depth: number): void => {
    if (depth > 1500) return;
    if (tsv.isCallExpression(n)) {
      const callee = unwrap(n.expression);
      if (tsv.isPropertyAccessExpression(callee)) {
        const m = callee.name.text;
        if (m === 'createFunction' && n.arguments.length >= 2) {
          createFunction(ctx, n, callee, localRef(ctx, n, clientRefOf(ctx, callee.expression, cls)));
          for (const a of n.arguments) visit(a, depth + 1);
          return;
        }
        if (m === 'waitForEvent' && n.arguments.length >= 2) {
          // a wait anywhere (handlers of workflow libraries, helpers) makes its event listened to
          const o = unwrap(n.arguments[1]!);
          const ev = tsv.isObjectLiteralExpression(o) ? getProp(o, 'event') : undefined;
          const evu = ev && unwrap(ev);
          if (evu && isStringLike(evu)) ctx.summary.looseWaits.push(evu.text);
          else if (evu) {
            // a constant or an eventType (`{ event: APPROVED }`, `EV.DONE`): resolved in the link phase
            const ref = dottedName(evu);
            if (ref) ctx.summary.looseWaitRefs.push(ref.join('.'));
          }
        }
        if (m === 'send' && n.arguments.length >= 1) {
          const ref = localRef(ctx, n, clientRefOf(ctx, callee.expression, cls));
          if (ref) {
            const payloads = ctx.payloads(n.arguments[0], 'send');
            if (payloads.length) ctx.summary.sends.push({ via: 'client', clientRef: ref, payloads, range: ctx.range(n) });
          }
        }
      }
    } else if (tsv.isClassLike(n)) {
      const outer = cls;
      cls = n.name?.text ?? `class@${n.pos}`;
      for (const member of n.members) {
        // `private inngest = new Inngest({ id })` (also a factory call or another client's name)
        if (tsv.isPropertyDeclaration(member) && member.initializer && !hasModifier(member, tsv.SyntaxKind.StaticKeyword)) thisField(ctx, cls, member.name, member.initializer);
      }
      tsv.forEachChild(n, (c) => visit(c, depth + 1));
      cls = outer;
      return;
    } else if (tsv.isBinaryExpression(n) && n.operatorToken.kind === tsv.SyntaxKind.EqualsToken) {
      const left = n.left;
      const right = unwrap(n.right);
      const clientLike = tsv.isNewExpression(right) || tsv.isCallExpression(right) || tsv.isIdentifier(right);
      // `this.inngest = new Inngest({ id })` in a constructor or method
      if (cls !== null && clientLike && tsv.isPropertyAccessExpression(left) && left.expression.kind === tsv.SyntaxKind.ThisKeyword) thisField(ctx, cls, left.name, right);
      // `let client: Inngest;` at the top, `client = new Inngest(...)` in a setup function (test hooks)
      else if (clientLike && tsv.isIdentifier(left) && ctx.assignedLater.has(left.text) && !ctx.summary.values.has(left.text)) {
        const v = valueDecl(ctx, right, left.text);
        if (v) ctx.summary.values.set(left.text, v);
      }
    }
    tsv.forEachChild(n, (c) => visit(c, depth + 1));
  };
  visit(root, 0);
}

/** The value name of a class field: `this:<Class>:<field>` (no dot: dotted names are member accesses to the resolver). */
function thisKey(cls: string, field: string): string {
  return `this:${cls}:${field}`;
}

function thisField(ctx: Ctx, cls: string, name: ts.PropertyName, init: ts.Expression): void {
  const field = propName(name);
  if (field === undefined) return;
  const key = thisKey(cls, field);
  if (ctx.summary.values.has(key)) return;
  const v = valueDecl(ctx, init, key, `this.${field}`);
  if (v) ctx.summary.values.set(key, v);
}

/**
 * A client named by a variable declared in an enclosing block or function (a client created inside a
 * test or a setup function), not at the top level: recorded as a value `local@<pos>:<name>` of its own.
 */
function localRef(ctx: Ctx, at: ts.Node, ref: string | null): string | null {
  if (ref === null || !/^[\w$]+$/.test(ref) || ctx.summary.values.has(ref) || ctx.summary.imports.has(ref)) return ref;
  for (let p = at.parent; p && !tsv.isSourceFile(p); p = p.parent) {
    const statements = tsv.isBlock(p) || tsv.isModuleBlock(p) || tsv.isCaseClause(p) || tsv.isDefaultClause(p) ? p.statements : undefined;
    if (!statements) continue;
    for (const st of statements) {
      if (!tsv.isVariableStatement(st)) continue;
      for (const d of st.declarationList.declarations) {
        if (!tsv.isIdentifier(d.name) || d.name.text !== ref || !d.initializer) continue;
        const key = `local@${d.pos}:${ref}`;
        if (ctx.summary.values.has(key)) return key;
        const v = valueDecl(ctx, d.initializer, key, ref);
        if (!v) return ref;
        ctx.summary.values.set(key, v);
        return key;
      }
    }
  }
  return ref;
}

/**
 * What a client expression names: `inngest`, `clients.main`, `this.inngest` inside a class, or a
 * call with literal or named arguments (`getInngestClient()`, `createClient('orders')`), recorded as a
 * value of its own (one per distinct call text, so calls alike share their client).
 */
function clientRefOf(ctx: Ctx, e: ts.Expression, cls: string | null): string | null {
  const u = unwrap(e);
  if (cls !== null && tsv.isPropertyAccessExpression(u) && u.expression.kind === tsv.SyntaxKind.ThisKeyword) return thisKey(cls, u.name.text);
  if (tsv.isCallExpression(u)) {
    const call = callDecl(ctx, u);
    if (call?.kind !== 'call' || call.args.some((a) => a.k !== 'str' && a.k !== 'ref')) return null;
    const args = call.args.map((a) => (a.k === 'str' ? JSON.stringify(a.v) : a.k === 'ref' ? a.ref : ''));
    // no dot in a value name: dotted names are member accesses to the resolver
    const key = `call:${call.callee}(${args.join(',')})`.replace(/\./g, '\u2024');
    if (!ctx.summary.values.has(key)) ctx.summary.values.set(key, call);
    return key;
  }
  return dottedName(u)?.join('.') ?? null;
}

/** Calls whose callbacks all run, so what they create coexists (`list.map(x => createFunction(...))`). */
const COEXISTING_CALLBACKS = new Set(['map', 'flatMap', 'forEach', 'reduce', 'reduceRight', 'filter', 'some', 'every', 'find', 'findIndex', 'sort', 'from', 'then', 'catch', 'finally']);

/**
 * The nearest enclosing function written inline as another call's argument where each such callback
 * stands apart (`test('a', () => ...)`, `it`, `describe`, `beforeEach`), if any. Callbacks of array
 * and promise methods do not count: theirs all run.
 */
function callbackScope(node: ts.Node): ts.Node | undefined {
  for (let n: ts.Node | undefined = node.parent; n && !tsv.isSourceFile(n); n = n.parent) {
    if (!(tsv.isArrowFunction(n) || tsv.isFunctionExpression(n))) continue;
    const call = n.parent;
    if (!call || !tsv.isCallExpression(call) || !call.arguments.includes(n as ts.Expression)) continue;
    const callee = unwrap(call.expression);
    const method = tsv.isPropertyAccessExpression(callee) ? callee.name.text : tsv.isIdentifier(callee) ? callee.text : undefined;
    if (method !== undefined && !COEXISTING_CALLBACKS.has(method)) return n;
  }
  return undefined;
}

function createFunction(ctx: Ctx, call: ts.CallExpression, callee: ts.PropertyAccessExpression, clientRef: string | null): void {
  const key = ctx.key(call);
  const args = call.arguments;
  const opts = unwrap(args[0]!);
  const optsObj = tsv.isObjectLiteralExpression(opts) ? opts : undefined;
  const v3 = args.length >= 3;
  const sdkMajor: 3 | 4 | null = v3 ? 3 : optsObj && getProp(optsObj, 'triggers') ? 4 : args.length === 2 ? 4 : null;
  let id: string | null = null;
  let idRange;
  let name: string | undefined;
  let idSource: IdSource | undefined;
  if (optsObj) {
    const i = getProp(optsObj, 'id');
    const u = i && unwrap(i);
    if (u && isStringLike(u)) {
      id = u.text;
      idRange = ctx.range(u);
    } else if (u) {
      idRange = ctx.range(u);
      idSource = { text: sourceText(ctx, u), parts: idParts(u) };
    } else idSource = { text: 'no id', parts: null };
    const n = getProp(optsObj, 'name');
    if (n && isStringLike(unwrap(n))) name = (unwrap(n) as ts.StringLiteral).text;
  } else {
    // options held in a variable (`createFunction(opts, ...)`) or built by a call
    const ref = dottedName(opts);
    idSource = { text: `${sourceText(ctx, opts)}.id`, parts: ref ? [{ ref: `${ref.join('.')}.id` }] : null };
  }
  const triggerExpr = v3 ? args[1] : optsObj ? getProp(optsObj, 'triggers') : undefined;
  const triggers: TriggerSummary[] = [];
  if (triggerExpr) {
    const t = unwrap(triggerExpr);
    const list = tsv.isArrayLiteralExpression(t) ? t.elements : [t];
    for (const el of list) {
      const tr = trigger(ctx, unwrap(el), key);
      if (tr) triggers.push(tr);
    }
  }
  const onFailure = optsObj ? getProp(optsObj, 'onFailure') : undefined;
  const model: CreateFunctionModel = {
    key,
    id,
    idRange,
    name,
    range: ctx.range(call),
    sdkMajor,
    clientKey: null,
    triggers: [],
    hasOnFailure: !!onFailure,
  };
  const fs: FunctionSummary = { model, clientRef, triggers, idSource };
  const scope = callbackScope(call);
  if (scope) fs.callbackScope = ctx.key(scope);
  const shape = callShape(args);
  if (shape) {
    fs.callShape = { major: shape, range: ctx.range(callee.name) };
    if (shape === 4) {
      fs.callShape.triggersInOptions = !!optsObj && getProp(optsObj, 'triggers') !== undefined;
      const second = dottedName(args[1]!);
      if (second) fs.callShape.secondArgRef = second.join('.');
    }
  }
  ctx.summary.functions.push(fs);
  if (optsObj) options(ctx, optsObj, key);
  const handler = args[args.length - 1] && unwrap(args[args.length - 1]!);
  if (handler && isFunctionLike(handler)) analyseHandler(ctx, handler, key, false);
  else if (handler && tsv.isIdentifier(handler)) {
    // a handler passed by name: declared in this file (analysed here, once), or imported (linked later)
    const local = ctx.localFunctions.get(handler.text);
    const done = local && ctx.analysedHandlers.get(local);
    if (done) fs.handlerKey = done;
    else if (local) {
      ctx.analysedHandlers.set(local, key);
      analyseHandler(ctx, local, key, false);
      const decl = ctx.handlerDecls.get(local);
      if (decl) decl.key = key;
    } else if (ctx.summary.imports.has(handler.text)) fs.handlerRef = handler.text;
  }
  const of = onFailure && unwrap(onFailure);
  if (of && isFunctionLike(of)) analyseHandler(ctx, of, key, true);
}

/**
 * The SDK major a createFunction call's shape belongs to: three arguments are v3's (options,
 * trigger, handler); two whose second is a handler (a function, or a name) are v4's (options with
 * triggers, handler). Two arguments whose second is an object or array are a v3 call being typed.
 */
function callShape(args: ts.NodeArray<ts.Expression>): 3 | 4 | null {
  if (args.length >= 3) return 3;
  if (args.length !== 2) return null;
  const h = unwrap(args[1]!);
  return isFunctionLike(h) || tsv.isIdentifier(h) || tsv.isPropertyAccessExpression(h) ? 4 : null;
}

/** Source text of an expression on one line, shortened: the placeholder of an id that cannot be resolved. */
function sourceText(ctx: Ctx, e: ts.Node): string {
  const t = e.getText(ctx.sf).replace(/\s+/g, ' ');
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

/** `name`, `FN.sync`, `` `${PREFIX}-x` `` as parts to concatenate; null when the id is computed otherwise. */
function idParts(e: ts.Expression): (string | { ref: string })[] | null {
  const ref = dottedName(e);
  if (ref) return [{ ref: ref.join('.') }];
  if (tsv.isTemplateExpression(e)) {
    const parts: (string | { ref: string })[] = [e.head.text];
    for (const span of e.templateSpans) {
      const r = dottedName(unwrap(span.expression));
      if (!r) return null;
      parts.push({ ref: r.join('.') }, span.literal.text);
    }
    return parts;
  }
  return null;
}

function trigger(ctx: Ctx, el: ts.Expression, fnKey: string): TriggerSummary | undefined {
  const range = ctx.range(el);
  if (tsv.isSpreadElement(el)) {
    // `[...TRIGGERS, { event: 'c' }]`: a trigger list held in a constant, expanded in the link phase
    const ref = dottedName(el.expression);
    return ref ? { kind: 'event', name: null, ref: ref.join('.'), range: ctx.range(el.expression) } : undefined;
  }
  if (tsv.isObjectLiteralExpression(el)) {
    const ev = getProp(el, 'event');
    if (ev) {
      // `{ event: eventType('app/x', { schema }) }`: the eventType's name is the event
      const evu = unwrap(ev);
      const inline = tsv.isCallExpression(evu) && ctx.sdkName(evu.expression) === 'eventType' ? evu : undefined;
      const n = ctx.eventName(inline ? inline.arguments[0] : ev, 'trigger', fnKey);
      const inlineOpts = inline?.arguments[1] && unwrap(inline.arguments[1]);
      const inlineSchema = inlineOpts && tsv.isObjectLiteralExpression(inlineOpts) ? getProp(inlineOpts, 'schema') : undefined;
      if (inlineSchema && n?.name) ctx.summary.inlineEventSchemas.push({ name: n.name, data: schemaShape(ctx, inlineSchema), loc: { uri: ctx.summary.uri, range: n.range } });
      const expression = ctx.expression(getProp(el, 'if'), 'trigger-if', fnKey);
      const schema = getProp(el, 'schema');
      if (schema && n?.name) ctx.summary.inlineEventSchemas.push({ name: n.name, data: schemaShape(ctx, schema), loc: { uri: ctx.summary.uri, range: n.range } });
      return { kind: 'event', name: n?.name ?? null, ref: n?.ref, range: n?.range ?? range, expression };
    }
    const cr = getProp(el, 'cron');
    if (cr) return cronTrigger(ctx.cron(cr, fnKey), cr, ctx.range(cr));
    return undefined;
  }
  if (tsv.isCallExpression(el)) {
    const sdk = ctx.sdkName(el.expression);
    if (sdk === 'cron') return cronTrigger(ctx.cron(el.arguments[0], fnKey), el.arguments[0], el.arguments[0] ? ctx.range(el.arguments[0]) : range);
    if (sdk === 'invoke') return { kind: 'invoke', range };
    if (sdk === 'eventType') {
      const n = ctx.eventName(el.arguments[0], 'trigger', fnKey);
      return { kind: 'event', name: n?.name ?? null, ref: n?.ref, range: n?.range ?? range };
    }
    return undefined;
  }
  const n = ctx.eventName(el, 'trigger', fnKey);
  if (n?.ref) return { kind: 'event', name: null, ref: n.ref, range };
  return undefined;
}

/** A cron trigger; written as a name (`Job.CRON`), the name is resolved in the link phase. */
function cronTrigger(cron: string | null, e: ts.Expression | undefined, range: Rng): TriggerSummary {
  const ref = cron === null && e ? dottedName(e) : undefined;
  return ref ? { kind: 'cron', cron, ref: ref.join('.'), range } : { kind: 'cron', cron, range };
}

/** cancelOn, flow control, timeouts: expressions and durations in the function's options. */
function options(ctx: Ctx, o: ts.ObjectLiteralExpression, fnKey: string): void {
  const obj = (name: string): ts.ObjectLiteralExpression[] => {
    const v = getProp(o, name);
    const u = v && unwrap(v);
    if (!u) return [];
    if (tsv.isObjectLiteralExpression(u)) return [u];
    if (tsv.isArrayLiteralExpression(u)) return u.elements.map(unwrap).filter(tsv.isObjectLiteralExpression);
    return [];
  };
  for (const c of obj('cancelOn')) {
    const ev = ctx.eventName(getProp(c, 'event'), 'cancelOn', fnKey);
    const asyncEvent = ev ? { name: ev.name, ref: ev.ref } : undefined;
    ctx.expression(getProp(c, 'if'), 'cancelOn-if', fnKey, asyncEvent);
    ctx.expression(getProp(c, 'match'), 'cancelOn-match', fnKey, asyncEvent);
    ctx.duration(getProp(c, 'timeout'), 'cancelOn-timeout', fnKey);
  }
  for (const c of obj('concurrency')) ctx.expression(getProp(c, 'key'), 'concurrency-key', fnKey);
  for (const c of obj('throttle')) {
    ctx.expression(getProp(c, 'key'), 'throttle-key', fnKey);
    ctx.duration(getProp(c, 'period'), 'throttle-period', fnKey);
  }
  for (const c of obj('rateLimit')) {
    ctx.expression(getProp(c, 'key'), 'rateLimit-key', fnKey);
    ctx.duration(getProp(c, 'period'), 'rateLimit-period', fnKey);
  }
  for (const c of obj('debounce')) {
    ctx.expression(getProp(c, 'key'), 'debounce-key', fnKey);
    ctx.duration(getProp(c, 'period'), 'debounce-period', fnKey);
    ctx.duration(getProp(c, 'timeout'), 'debounce-timeout', fnKey);
  }
  for (const c of obj('batchEvents')) {
    ctx.expression(getProp(c, 'key'), 'batchEvents-key', fnKey);
    ctx.expression(getProp(c, 'if'), 'batchEvents-if', fnKey);
    ctx.duration(getProp(c, 'timeout'), 'batchEvents-timeout', fnKey);
  }
  for (const c of obj('priority')) ctx.expression(getProp(c, 'run'), 'priority-run', fnKey);
  for (const c of obj('singleton')) ctx.expression(getProp(c, 'key'), 'singleton-key', fnKey);
  for (const c of obj('timeouts')) {
    ctx.duration(getProp(c, 'start'), 'timeouts-start', fnKey);
    ctx.duration(getProp(c, 'finish'), 'timeouts-finish', fnKey);
  }
  const idem = getProp(o, 'idempotency');
  if (idem) ctx.expression(idem, 'idempotency', fnKey);
}
