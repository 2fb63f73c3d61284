// Per-file extraction context: the parsed file, its line map, the summary being filled, and helpers
// that record located literals (event names, durations, crons, expressions) with their local checks.
import type ts from 'typescript';
import { tsv } from './tsv';
import type { Rng } from '../protocol';
import { checkCron, checkDuration, checkExpression } from './checks';
import type { DiagnosticCode, DurationRole, EventRole, ExpressionRole, Severity, SteplensDiagnostic } from './model';
import { ShapeReader } from './shapes';
import type { FileSummary, LiteralValue, SendPayload, ValueDecl } from './summary';
import { LineMap, dottedName, getProp, hasSpread, isStringLike, propName, unwrap } from './text';

/** Step-level durations are parsed by the SDK (ms format); flow-control periods go to the server. */
/** Whether the SDK parses a duration in this role with `ms` (single unit) rather than the executor (compounds too). */
export const SDK_PARSED: Record<DurationRole, boolean> = {
  sleep: true,
  'waitForEvent-timeout': true,
  'cancelOn-timeout': true,
  'invoke-timeout': true,
  'waitForSignal-timeout': true,
  'throttle-period': false,
  'rateLimit-period': false,
  'debounce-period': false,
  'debounce-timeout': false,
  'batchEvents-timeout': false,
  'timeouts-start': false,
  'timeouts-finish': false,
};

const DURATION_WHERE: Record<DurationRole, string> = {
  sleep: 'step.sleep',
  'waitForEvent-timeout': 'the waitForEvent timeout',
  'cancelOn-timeout': 'the cancelOn timeout',
  'invoke-timeout': 'the invoke timeout',
  'waitForSignal-timeout': 'the waitForSignal timeout',
  'throttle-period': 'throttle.period',
  'rateLimit-period': 'rateLimit.period',
  'debounce-period': 'debounce.period',
  'debounce-timeout': 'debounce.timeout',
  'batchEvents-timeout': 'batchEvents.timeout',
  'timeouts-start': 'timeouts.start',
  'timeouts-finish': 'timeouts.finish',
};

export class Ctx {
  readonly lines: LineMap;
  readonly reader: ShapeReader;
  /** Local name -> SDK export name, for names imported from a specifier starting with 'inngest'. */
  readonly sdkNames = new Map<string, string>();
  /** Local names bound to the whole SDK module (`import * as I from 'inngest'`). */
  readonly sdkNamespaces = new Set<string>();
  readonly zodNames = new Set<string>(['z']);
  /** Top-level functions by name (declarations, const arrow/function expressions): handlers may be passed by name. */
  readonly localFunctions = new Map<string, ts.FunctionLikeDeclaration>();
  /** Top-level functions' value declarations, keyed by node: they learn the key their steps were recorded under. */
  readonly handlerDecls = new Map<ts.Node, Extract<ValueDecl, { kind: 'handler' }>>();
  /** Function nodes already analysed as a function's handler, with the key their steps carry. */
  readonly analysedHandlers = new Map<ts.Node, string>();
  /** Top-level functions taking the step tools: analysed as helpers after the walk, unless used as a handler. */
  readonly helperCandidates: ts.FunctionLikeDeclaration[] = [];
  /** Top-level `let x;` declared without a value: a later `x = new Inngest(...)` gives it one. */
  readonly assignedLater = new Set<string>();
  /** The file's text mentions `Inngest` somewhere: only then can a function be a client factory. */
  readonly mentionsInngestClass: boolean;

  constructor(
    readonly sf: ts.SourceFile,
    readonly summary: FileSummary,
  ) {
    this.lines = new LineMap(sf.text);
    this.mentionsInngestClass = sf.text.includes('Inngest');
    this.reader = new ShapeReader(summary.uri, sf, this.lines, this.zodNames);
  }

  range(n: ts.Node): Rng {
    return this.lines.range(n.getStart(this.sf), n.getEnd());
  }

  /** Range of the text between the quotes of a string literal (the node's range otherwise). */
  valueRange(n: ts.Node): Rng {
    if (isStringLike(n)) return this.lines.range(n.getStart(this.sf) + 1, n.getEnd() - 1);
    return this.range(n);
  }

  key(n: ts.Node): string {
    return `${this.summary.uri}#${n.getStart(this.sf)}`;
  }

  /** The SDK export an expression names: `Inngest`, `I.Inngest`, or a well-known name used bare. */
  sdkName(e: ts.Expression): string | undefined {
    e = unwrap(e);
    if (tsv.isIdentifier(e)) {
      const n = this.sdkNames.get(e.text);
      if (n) return n;
      // distinctive names re-exported through user modules
      if (!this.summary.imports.has(e.text) || !this.summary.imports.get(e.text)!.specifier.match(/^[a-z@]/)) {
        if (e.text === 'Inngest' || e.text === 'EventSchemas' || e.text === 'eventType' || e.text === 'staticSchema') return e.text;
      }
      return undefined;
    }
    if (tsv.isPropertyAccessExpression(e) && tsv.isIdentifier(e.expression) && this.sdkNamespaces.has(e.expression.text)) return e.name.text;
    return undefined;
  }

  diag(code: DiagnosticCode, severity: Severity, message: string, range: Rng, extra: Partial<SteplensDiagnostic> = {}): void {
    this.summary.localDiagnostics.push({ code, severity, message, range, ...extra });
  }

  /** Records an event name written as a string, or a v4 eventType reference. */
  eventName(e: ts.Expression | undefined, role: EventRole, functionKey?: string, record = true): { name: string | null; ref?: string; range: Rng; valueRange?: Rng } | undefined {
    if (!e) return undefined;
    const u = unwrap(e);
    if (isStringLike(u)) {
      if (record) this.summary.literals.push({ kind: 'event-name', role, name: u.text, range: this.range(u), valueRange: this.valueRange(u), functionKey });
      return { name: u.text, range: this.range(u), valueRange: this.valueRange(u) };
    }
    const ref = eventTypeRef(u);
    if (ref && role !== 'schema-declaration' && role !== 'invoke-target') {
      if (record) this.summary.eventRefs.push({ ref, role, range: this.range(u), functionKey });
      return { name: null, ref, range: this.range(u) };
    }
    return { name: null, range: this.range(u) };
  }

  duration(e: ts.Expression | undefined, role: DurationRole, functionKey?: string): void {
    const u = e && unwrap(e);
    if (!u || !isStringLike(u)) return;
    this.summary.literals.push({ kind: 'duration', role, value: u.text, range: this.range(u), valueRange: this.valueRange(u), functionKey });
    const r = checkDuration(u.text, SDK_PARSED[role]);
    if (!r.ok) {
      const hint = SDK_PARSED[role]
        ? 'Write a number and a unit, such as "30s", "10m", "2h", "1d" or "1w" (the SDK parses it with `ms`).'
        : 'Write a duration such as "30s", "10m", "2h", "1d" or "1h30m".';
      this.diag('invalid-duration', 'error', `Invalid duration "${u.text}" for ${DURATION_WHERE[role]}: it ${r.reason}. ${hint}`, this.range(u));
    }
  }

  cron(e: ts.Expression | undefined, functionKey?: string): string | null {
    const u = e && unwrap(e);
    if (!u || !isStringLike(u)) return null;
    this.summary.literals.push({ kind: 'cron', value: u.text, range: this.range(u), valueRange: this.valueRange(u), functionKey });
    const r = checkCron(u.text);
    if (!r.ok) {
      this.diag(
        'invalid-cron',
        'error',
        `Invalid cron "${u.text}": it ${r.reason}. Use a Unix cron line such as "0 9 * * 1-5", optionally prefixed with a time zone: "TZ=Europe/Paris 0 9 * * *".`,
        this.range(u),
      );
    }
    return u.text;
  }

  /** Records a CEL expression; `match` is a dotted field path compared between `event` and `async`. */
  expression(
    e: ts.Expression | undefined,
    role: ExpressionRole,
    functionKey: string | undefined,
    asyncEvent?: { name: string | null; ref?: string },
  ): string | undefined {
    const u = e && unwrap(e);
    if (!u || !isStringLike(u)) return undefined;
    const isMatch = role === 'waitForEvent-match' || role === 'cancelOn-match';
    const raw = u.getText(this.sf);
    const exact = raw.slice(1, -1) === u.text;
    const literal = {
      kind: 'expression' as const,
      role,
      value: u.text,
      range: this.range(u),
      valueRange: this.valueRange(u),
      functionKey,
      eventNames: [] as string[],
      asyncEventName: asyncEvent?.name ?? undefined,
      exact,
    };
    this.summary.literals.push(literal);
    const valueStart = u.getStart(this.sf) + 1;
    const toRange = (s: number, end: number): Rng => (exact ? this.lines.range(valueStart + s, valueStart + Math.max(end, s + 1)) : this.range(u));
    if (isMatch) {
      if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(u.text)) {
        this.diag(
          'invalid-expression',
          'error',
          `Invalid match "${u.text}": match takes a dotted field path such as "data.userId", compared between the triggering event and the awaited one. For anything else, write an \`if\` expression.`,
          this.range(u),
        );
        return u.text;
      }
      const segs = u.text.split('.');
      let off = 0;
      const segments = segs.map((s) => {
        const r = { start: off, end: off + s.length };
        off += s.length + 1;
        return r;
      });
      for (const root of ['event', 'async'] as const) {
        this.summary.expressions.push({
          literal,
          paths: [{ root, path: segs, segments: segments.map((x) => ({ ...x })) }],
          asyncName: asyncEvent?.name ?? undefined,
          asyncRef: asyncEvent?.ref,
        });
      }
      return u.text;
    }
    const r = checkExpression(u.text);
    if (!r.ok) {
      this.diag(
        'invalid-expression',
        'error',
        `Invalid expression: ${r.message}. Expressions are CEL, e.g. "event.data.userId == async.data.userId".`,
        toRange(r.start, r.end),
      );
      return u.text;
    }
    this.summary.expressions.push({ literal, paths: r.paths, asyncName: asyncEvent?.name ?? undefined, asyncRef: asyncEvent?.ref });
    return u.text;
  }

  /** Offset-to-range for a path segment inside an expression literal. */
  literalValue(e: ts.Expression, depth = 0): LiteralValue {
    const u = unwrap(e);
    const range = this.range(u);
    if (depth > 20) return { k: 'other', range };
    if (isStringLike(u) || tsv.isTemplateExpression(u)) return { k: 'string', range };
    if (tsv.isNumericLiteral(u) || (tsv.isPrefixUnaryExpression(u) && tsv.isNumericLiteral(u.operand))) return { k: 'number', range };
    if (u.kind === tsv.SyntaxKind.TrueKeyword || u.kind === tsv.SyntaxKind.FalseKeyword) return { k: 'boolean', range };
    if (u.kind === tsv.SyntaxKind.NullKeyword) return { k: 'null', range };
    if (tsv.isObjectLiteralExpression(u)) {
      const props: { name: string; value: LiteralValue; nameRange: Rng }[] = [];
      let spread = hasSpread(u);
      for (const p of u.properties) {
        if (tsv.isPropertyAssignment(p)) {
          const name = propName(p.name);
          if (name === undefined) spread = true;
          else props.push({ name, value: this.literalValue(p.initializer, depth + 1), nameRange: this.range(p.name) });
        } else if (tsv.isShorthandPropertyAssignment(p)) {
          props.push({ name: p.name.text, value: { k: 'other', range: this.range(p) }, nameRange: this.range(p.name) });
        } else if (!tsv.isSpreadAssignment(p)) {
          const name = propName(p.name);
          if (name !== undefined) props.push({ name, value: { k: 'other', range: this.range(p) }, nameRange: this.range(p.name) });
        }
      }
      return { k: 'object', props, spread, range };
    }
    return { k: 'other', range };
  }

  /** Payloads of `inngest.send(x)` / `step.sendEvent(id, x)`: one object, an array, or v4 `ev.create(data)`. */
  payloads(e: ts.Expression | undefined, role: 'send' | 'sendEvent', functionKey?: string): SendPayload[] {
    if (!e) return [];
    const u = unwrap(e);
    // `x.send(...)` may not be an Inngest client (express's res.send): the linker records its literals once resolved
    const record = role === 'sendEvent';
    if (tsv.isArrayLiteralExpression(u)) return u.elements.flatMap((x) => (tsv.isSpreadElement(x) ? [] : this.payloads(x, role, functionKey)));
    if (tsv.isObjectLiteralExpression(u)) {
      const nameExpr = getProp(u, 'name');
      const n = this.eventName(nameExpr, role, functionKey, record);
      const dataExpr = getProp(u, 'data');
      const data = dataExpr === undefined ? (hasSpread(u) ? null : undefined) : this.literalValue(dataExpr);
      return [{ name: n?.name ?? null, ref: n?.ref, nameRange: n?.range, nameValueRange: n?.valueRange, data: data && data.k === 'other' ? null : data, range: this.range(u) }];
    }
    if (tsv.isCallExpression(u)) {
      const callee = unwrap(u.expression);
      if (tsv.isPropertyAccessExpression(callee) && callee.name.text === 'create') {
        const ref = eventTypeRef(callee.expression);
        if (ref) {
          if (record) this.summary.eventRefs.push({ ref, role, range: this.range(callee.expression), functionKey });
          const d = u.arguments[0];
          const data = d === undefined ? undefined : this.literalValue(d);
          return [{ name: null, ref, nameRange: this.range(callee.expression), data: data && data.k === 'other' ? null : data, range: this.range(u) }];
        }
      }
    }
    return [];
  }
}

/** `myEvent`, `events.myEvent`, `myEvent.name`, `myEvent.event` as the name of a v4 eventType value. */
export function eventTypeRef(e: ts.Expression): string | undefined {
  e = unwrap(e);
  if (tsv.isIdentifier(e)) return e.text === 'undefined' ? undefined : e.text;
  if (tsv.isPropertyAccessExpression(e)) {
    if ((e.name.text === 'name' || e.name.text === 'event') && tsv.isIdentifier(unwrap(e.expression))) return (unwrap(e.expression) as ts.Identifier).text;
    const left = unwrap(e.expression);
    if (tsv.isIdentifier(left)) return `${left.text}.${e.name.text}`;
    // `EVENTS.user.created` (nested const objects), `events.signup.name` (an eventType in a group)
    const chain = dottedName(e);
    if (chain && chain.length <= 5) return chain.join('.');
  }
  return undefined;
}
