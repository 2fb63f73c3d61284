// Analysis of one function handler (or onFailure handler): every step tool call with its id and
// range, nested steps, un-awaited steps, duplicate step ids, sends, waits, invokes, event.data reads.
import type ts from 'typescript';
import { tsv } from './tsv';
import type { StepTool } from '../protocol';
import type { Ctx } from './ctx';
import type { StepCallModel } from './model';
import { dottedName, getProp, isFunctionLike, isStringLike, propName, unwrap } from './text';

const TOOLS: Record<string, StepTool> = {
  run: 'run',
  sleep: 'sleep',
  sleepUntil: 'sleepUntil',
  waitForEvent: 'waitForEvent',
  sendEvent: 'sendEvent',
  invoke: 'invoke',
  'ai.infer': 'ai.infer',
  'ai.wrap': 'ai.wrap',
  fetch: 'fetch',
  waitForSignal: 'waitForSignal',
  sendSignal: 'sendSignal',
  'realtime.publish': 'realtime.publish',
};
/** Step tools whose callback runs inside the step (where other step tools must not be called). */
const CALLBACK_TOOLS = new Set(['run', 'ai.wrap']);
/** Known members of `step` that are not step tools. */
const NOT_TOOLS = new Set(['ai.models', 'ai', 'realtime']);

interface Branch {
  node: ts.Node;
  arm: number;
  /** The arm ends by leaving the function (return/throw), so code after the branching node is exclusive with it. */
  exits: boolean;
  /** `if (x)` / `if (!x)` on a name or member chain: the condition's text without negation, and the arm's truth. */
  cond?: { text: string; root: string; truth: boolean };
}

interface State {
  /** Inside a loop or a nested function (repeats are expected there). */
  repeated: boolean;
  /** The step.run / ai.wrap call whose callback we are in. */
  insideStep: { label: string } | null;
  branches: Branch[];
}

interface DupCandidate {
  id: string;
  node: ts.Node;
  branches: Branch[];
}

/**
 * `helper` mode: a plain function that receives the step tools as a parameter named `step`
 * (`async function charge(step: GetStepTools<typeof inngest>, ...)`); its steps belong to no
 * single function but still get ids, ranges and the step checks.
 */
export function analyseHandler(ctx: Ctx, fn: ts.Node, functionKey: string, inFailureHandler: boolean, mode: 'handler' | 'helper' = 'handler'): void {
  if (!isFunctionLike(fn) || !fn.body) return;
  const stepNames = new Set<string>();
  const ctxNames = new Set<string>();
  const eventNames = new Set<string>();
  /** Helper mode: other parameters, which may carry the step tools (`const { step } = args`). */
  const argNames = new Set<string>();
  const bindParam = (b: ts.BindingName | undefined): void => {
    if (!b) return;
    if (tsv.isIdentifier(b)) {
      if (mode === 'handler') ctxNames.add(b.text);
      else if (b.text === 'step') stepNames.add(b.text);
      else argNames.add(b.text);
    }
    else if (tsv.isObjectBindingPattern(b)) {
      for (const el of b.elements) {
        const key = propName(el.propertyName ?? (tsv.isIdentifier(el.name) ? el.name : undefined));
        if (!tsv.isIdentifier(el.name)) continue;
        if (key === 'step') stepNames.add(el.name.text);
        if (key === 'event') eventNames.add(el.name.text);
      }
    }
  };
  if (mode === 'handler') bindParam(fn.parameters[0]?.name);
  else {
    for (const p of fn.parameters) {
      // `tools: GetStepTools<typeof inngest>` (or an alias named Step / StepTools): the step tools under another name
      if (tsv.isIdentifier(p.name) && isStepToolsType(ctx.sf, p.type)) stepNames.add(p.name.text);
      else bindParam(p.name);
    }
  }
  if (!ctxNames.size && !stepNames.size && !eventNames.size && !argNames.size) return;

  const dups: DupCandidate[] = [];
  const pendingVars: { name: string; step: StepCallModel; label: string; node: ts.Node }[] = [];
  const idCounts = new Map<string, number>();
  const assigned = new Set<string>();

  const isStepRoot = (e: ts.Expression): boolean => {
    e = unwrap(e);
    if (tsv.isIdentifier(e)) return stepNames.has(e.text);
    if (!tsv.isPropertyAccessExpression(e) || e.name.text !== 'step') return false;
    const root = unwrap(e.expression);
    return tsv.isIdentifier(root) && (ctxNames.has(root.text) || argNames.has(root.text));
  };
  const isEventRoot = (e: ts.Expression): boolean => {
    e = unwrap(e);
    if (tsv.isIdentifier(e)) return eventNames.has(e.text);
    return tsv.isPropertyAccessExpression(e) && e.name.text === 'event' && tsv.isIdentifier(unwrap(e.expression)) && ctxNames.has((unwrap(e.expression) as ts.Identifier).text);
  };
  /** `step.run` -> 'run', `step.ai.infer` -> 'ai.infer'. */
  const stepMethod = (callee: ts.Expression): string | undefined => {
    callee = unwrap(callee);
    if (!tsv.isPropertyAccessExpression(callee)) return undefined;
    if (isStepRoot(callee.expression)) return callee.name.text;
    const inner = unwrap(callee.expression);
    if (tsv.isPropertyAccessExpression(inner) && isStepRoot(inner.expression)) return `${inner.name.text}.${callee.name.text}`;
    return undefined;
  };

  let depth = 0;
  const visit = (node: ts.Node, st: State): void => {
    if (depth > 1200) return; // pathological nesting (generated code): stop rather than overflow the stack
    depth++;
    try {
      visitNode(node, st);
    } finally {
      depth--;
    }
  };
  const visitNode = (node: ts.Node, st: State): void => {
    if (tsv.isIdentifier(node)) {
      idCounts.set(node.text, (idCounts.get(node.text) ?? 0) + 1);
      return;
    }
    // const { step, event } = ctx
    if (tsv.isVariableDeclaration(node) && tsv.isObjectBindingPattern(node.name) && node.initializer) {
      const init = unwrap(node.initializer);
      if (tsv.isIdentifier(init) && (ctxNames.has(init.text) || argNames.has(init.text))) {
        for (const el of node.name.elements) {
          const key = propName(el.propertyName ?? (tsv.isIdentifier(el.name) ? el.name : undefined));
          if (tsv.isIdentifier(el.name) && key === 'step') stepNames.add(el.name.text);
          if (tsv.isIdentifier(el.name) && key === 'event') eventNames.add(el.name.text);
        }
      }
    }
    if (tsv.isPropertyAccessExpression(node) && !tsv.isPropertyAccessExpression(node.parent)) eventDataAccess(node);
    if (tsv.isCallExpression(node)) {
      const method = stepMethod(node.expression);
      // in helpers, `step` could be something else: only the SDK's own tool names count
      if (method && !NOT_TOOLS.has(method) && (mode === 'handler' || method in TOOLS)) {
        stepCall(node, method, st);
        return;
      }
    }
    if (isFunctionLike(node) || tsv.isClassLike(node)) {
      tsv.forEachChild(node, (c) => visit(c, { ...st, repeated: true }));
      return;
    }
    if (tsv.isIterationStatement(node, false)) {
      tsv.forEachChild(node, (c) => visit(c, { ...st, repeated: true }));
      return;
    }
    if (tsv.isIfStatement(node)) {
      visit(node.expression, st);
      const c = condition(node.expression);
      const cond = (arm: number) => (c ? { text: c.text, root: c.root, truth: arm === 0 ? !c.negated : c.negated } : undefined);
      visit(node.thenStatement, { ...st, branches: [...st.branches, { node, arm: 0, exits: exits(node.thenStatement), cond: cond(0) }] });
      if (node.elseStatement) visit(node.elseStatement, { ...st, branches: [...st.branches, { node, arm: 1, exits: exits(node.elseStatement), cond: cond(1) }] });
      return;
    }
    // assignments to a name (or a member of it) make its `if (x)` / `if (!x)` arms non-exclusive
    if (tsv.isBinaryExpression(node) && node.operatorToken.kind >= tsv.SyntaxKind.FirstAssignment && node.operatorToken.kind <= tsv.SyntaxKind.LastAssignment) {
      const root = dottedName(node.left)?.[0];
      if (root) assigned.add(root);
    } else if ((tsv.isPrefixUnaryExpression(node) || tsv.isPostfixUnaryExpression(node)) && (node.operator === tsv.SyntaxKind.PlusPlusToken || node.operator === tsv.SyntaxKind.MinusMinusToken)) {
      const root = dottedName(node.operand)?.[0];
      if (root) assigned.add(root);
    }
    if (tsv.isConditionalExpression(node)) {
      visit(node.condition, st);
      visit(node.whenTrue, { ...st, branches: [...st.branches, { node, arm: 0, exits: false }] });
      visit(node.whenFalse, { ...st, branches: [...st.branches, { node, arm: 1, exits: false }] });
      return;
    }
    if (tsv.isSwitchStatement(node)) {
      visit(node.expression, st);
      node.caseBlock.clauses.forEach((c, i) => visit(c, { ...st, branches: [...st.branches, { node, arm: i, exits: exits(c) }] }));
      return;
    }
    if (tsv.isTryStatement(node)) {
      // try and catch are not exclusive in general (a step can fail after its id was used), keep them plain
      tsv.forEachChild(node, (c) => visit(c, st));
      return;
    }
    tsv.forEachChild(node, (c) => visit(c, st));
  };

  const eventDataAccess = (node: ts.PropertyAccessExpression): void => {
    const names: string[] = [];
    let cur: ts.Expression = node;
    while (tsv.isPropertyAccessExpression(cur)) {
      if (cur.expression && isEventRoot(cur.expression) && cur.name.text === 'data') {
        if (names.length) ctx.summary.eventDataAccesses.push({ path: names, range: ctx.range(node), functionKey });
        return;
      }
      names.unshift(cur.name.text);
      cur = cur.expression;
    }
  };

  const stepCall = (call: ts.CallExpression, method: string, st: State): void => {
    const tool: StepTool = TOOLS[method] ?? 'other';
    const a0 = call.arguments[0] && unwrap(call.arguments[0]);
    let idNode: ts.Expression | undefined;
    if (tool !== 'fetch' && a0) {
      if (isStringLike(a0)) idNode = a0;
      else if (tsv.isObjectLiteralExpression(a0)) {
        const i = getProp(a0, 'id');
        if (i && isStringLike(unwrap(i))) idNode = unwrap(i);
      }
    }
    const id = idNode && isStringLike(idNode) ? idNode.text : null;
    const label = `step.${method}(${id !== null ? JSON.stringify(id) : '…'})`;
    const model: StepCallModel = {
      tool,
      method,
      id,
      range: ctx.range(call),
      idRange: idNode ? ctx.range(idNode) : undefined,
      functionKey,
      inFailureHandler,
      awaited: true,
    };
    ctx.summary.steps.push(model);
    const calleeRange = ctx.range(call.expression);
    if (st.insideStep) {
      ctx.diag(
        'nested-step',
        'warning',
        `\`${label}\` is called inside the callback of \`${st.insideStep.label}\`. Nesting \`step.*\` tooling is not supported: make sure you're not using \`step.*\` tooling inside of other \`step.*\` tooling. Call it from the function handler instead, or compose plain async functions inside the step.`,
        calleeRange,
      );
    }
    const use = classifyUse(call);
    if (use === 'dropped') {
      model.awaited = false;
      unawaited(label, calleeRange);
    } else if (typeof use === 'object') {
      model.awaited = false;
      pendingVars.push({ name: use.name, step: model, label, node: call.expression });
    }
    if (id !== null && idNode && !st.repeated && !st.insideStep) dups.push({ id, node: idNode, branches: st.branches });

    const opts = call.arguments[1] && unwrap(call.arguments[1]);
    const optsObj = opts && tsv.isObjectLiteralExpression(opts) ? opts : undefined;
    switch (tool) {
      case 'sleep':
        ctx.duration(call.arguments[1], 'sleep', functionKey);
        break;
      case 'waitForEvent':
        if (optsObj) {
          const ev = ctx.eventName(getProp(optsObj, 'event'), 'waitForEvent', functionKey);
          ctx.duration(getProp(optsObj, 'timeout'), 'waitForEvent-timeout', functionKey);
          const asyncEvent = ev ? { name: ev.name, ref: ev.ref } : undefined;
          ctx.expression(getProp(optsObj, 'if'), 'waitForEvent-if', functionKey, asyncEvent);
          ctx.expression(getProp(optsObj, 'match'), 'waitForEvent-match', functionKey, asyncEvent);
        }
        break;
      case 'sendEvent': {
        const payloads = ctx.payloads(call.arguments[1], 'sendEvent', functionKey);
        ctx.summary.sends.push({ via: 'step', functionKey, payloads, range: ctx.range(call) });
        break;
      }
      case 'invoke':
        if (optsObj) {
          const f = getProp(optsObj, 'function');
          const name = f ? dottedName(f) : undefined;
          if (f) ctx.summary.invokeTargets.push({ range: ctx.range(f), functionKey, targetKey: null, ref: name ? name.join('.') : null });
          // referenceFunction({ functionId: 'fn-id', appId? }): the id is written as a string
          const fu = f && unwrap(f);
          if (fu && tsv.isCallExpression(fu) && fu.arguments[0] && tsv.isObjectLiteralExpression(unwrap(fu.arguments[0]))) {
            const idExpr = getProp(unwrap(fu.arguments[0]) as ts.ObjectLiteralExpression, 'functionId');
            if (idExpr && isStringLike(unwrap(idExpr))) ctx.eventName(idExpr, 'invoke-target', functionKey);
          }
          ctx.duration(getProp(optsObj, 'timeout'), 'invoke-timeout', functionKey);
        }
        break;
      case 'waitForSignal':
        if (optsObj) ctx.duration(getProp(optsObj, 'timeout'), 'waitForSignal-timeout', functionKey);
        break;
      default:
        break;
    }
    // visit arguments: callbacks of run/ai.wrap run inside the step
    visit(call.expression, st);
    for (const arg of call.arguments) {
      const u = unwrap(arg);
      if (CALLBACK_TOOLS.has(method) && isFunctionLike(u)) visit(u, { ...st, repeated: true, insideStep: { label } });
      else visit(arg, st);
    }
  };

  const unawaited = (label: string, range: ReturnType<Ctx['range']>): void => {
    ctx.diag(
      'unawaited-step',
      'warning',
      `\`${label}\` is not awaited. Every step must be awaited (or returned, or gathered with Promise.all) so the SDK can run it and memoize its result; add \`await\`.`,
      range,
    );
  };

  const body = fn.body;
  visit(body, { repeated: false, insideStep: null, branches: [] });

  for (const p of pendingVars) {
    // the declaration itself counts once; any other mention means the promise is used later
    if ((idCounts.get(p.name) ?? 0) <= 1) unawaited(p.label, ctx.range(p.node));
    else p.step.awaited = true;
  }
  reportDuplicates(ctx, dups, assigned);
}

/** `x`, `!x`, `!!x`, `a.b.c`: the name tested and whether it is negated; undefined for other conditions. */
function condition(e: ts.Expression): { text: string; root: string; negated: boolean } | undefined {
  let negated = false;
  e = unwrap(e);
  while (tsv.isPrefixUnaryExpression(e) && e.operator === tsv.SyntaxKind.ExclamationToken) {
    negated = !negated;
    e = unwrap(e.operand);
  }
  const name = dottedName(e);
  return name ? { text: name.join('.'), root: name[0]!, negated } : undefined;
}

/** A parameter type that names the step tools: `GetStepTools<...>`, `StepTools`, `Step` (possibly qualified). */
export function isStepToolsType(sf: ts.SourceFile, t: ts.TypeNode | undefined): boolean {
  if (!t || !tsv.isTypeReferenceNode(t)) return false;
  return /^(?:[\w$]+\.)?(?:GetStepTools|StepTools|Step)$/.test(t.typeName.getText(sf));
}

/** How the value of a step call is used: consumed (awaited, returned, passed on), dropped, or held in a variable. */
function classifyUse(call: ts.CallExpression): 'used' | 'dropped' | { name: string } {
  let n: ts.Node = call;
  for (let guard = 0; guard < 100; guard++) {
    const p = n.parent;
    if (!p) return 'used';
    if (tsv.isParenthesizedExpression(p) || tsv.isAsExpression(p) || tsv.isNonNullExpression(p) || tsv.isSatisfiesExpression(p) || tsv.isTypeAssertionExpression(p)) {
      n = p;
      continue;
    }
    if (tsv.isPropertyAccessExpression(p) && p.expression === n && ['then', 'catch', 'finally'].includes(p.name.text) && tsv.isCallExpression(p.parent) && p.parent.expression === p) {
      n = p.parent;
      continue;
    }
    if (tsv.isConditionalExpression(p) && p.condition !== n) {
      n = p;
      continue;
    }
    if (tsv.isBinaryExpression(p)) {
      const op = p.operatorToken.kind;
      if (op === tsv.SyntaxKind.BarBarToken || op === tsv.SyntaxKind.AmpersandAmpersandToken || op === tsv.SyntaxKind.QuestionQuestionToken || (op === tsv.SyntaxKind.CommaToken && p.right === n)) {
        n = p;
        continue;
      }
      return 'used';
    }
    if (tsv.isExpressionStatement(p)) return 'dropped';
    if (tsv.isVariableDeclaration(p) && p.initializer === n) return tsv.isIdentifier(p.name) ? { name: p.name.text } : 'used';
    return 'used';
  }
  return 'used';
}

/** Does this statement always leave the function (ends in return or throw)? */
function exits(s: ts.Node): boolean {
  if (tsv.isReturnStatement(s) || tsv.isThrowStatement(s)) return true;
  if (tsv.isBlock(s) || tsv.isCaseClause(s) || tsv.isDefaultClause(s)) {
    const last = s.statements[s.statements.length - 1];
    return !!last && exits(last);
  }
  if (tsv.isIfStatement(s)) return !!s.elseStatement && exits(s.thenStatement) && exits(s.elseStatement);
  return false;
}

/** Two uses exclude each other when they sit in different arms of one branch, or one arm leaves the function before the other is reached. */
function exclusive(a: DupCandidate, b: DupCandidate, assigned: Set<string>): boolean {
  for (const x of a.branches) {
    // `if (x) A` then `if (!x) B`: one of them runs, unless x is assigned in the function
    if (x.cond && !assigned.has(x.cond.root) && b.branches.some((y) => y.cond && y.node !== x.node && y.cond.text === x.cond!.text && y.cond.truth !== x.cond!.truth)) return true;
    const y = b.branches.find((z) => z.node === x.node);
    if (y && y.arm !== x.arm) return true;
    if (!y && x.exits && a.node.getStart() < b.node.getStart()) return true;
  }
  for (const y of b.branches) {
    if (!a.branches.some((x) => x.node === y.node) && y.exits && b.node.getStart() < a.node.getStart()) return true;
  }
  return false;
}

function reportDuplicates(ctx: Ctx, dups: DupCandidate[], assigned: Set<string>): void {
  const byId = new Map<string, DupCandidate[]>();
  for (const d of dups) {
    const list = byId.get(d.id) ?? [];
    list.push(d);
    byId.set(d.id, list);
  }
  for (const [id, list] of byId) {
    if (list.length < 2) continue;
    for (let i = 1; i < list.length; i++) {
      const cur = list[i]!;
      const prev = list.slice(0, i).find((p) => !exclusive(p, cur, assigned));
      if (!prev) continue;
      const prevLoc = { uri: ctx.summary.uri, range: ctx.range(prev.node) };
      ctx.diag(
        'duplicate-step-id',
        'warning',
        `Step id "${id}" is already used in this function (line ${prevLoc.range.start.line + 1}). The SDK tolerates the repeat by running it as "${id}:1" and warns (AUTOMATIC_PARALLEL_INDEXING), but memoized results can then attach to the wrong step if the order changes. Use a unique id for each step.`,
        ctx.range(cur.node),
        { relatedInformation: [{ location: prevLoc, message: `first use of step id "${id}"` }] },
      );
    }
  }
}
