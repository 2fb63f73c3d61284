// Diagnostics that need the linked workspace: unknown-event, unknown-event-field,
// invalid-event-payload, duplicate-function-id, event-without-listener and sdk-version-mismatch.
import type { Rng } from '../protocol';
import type { Catalog, EventDecl, Linker, LinkedFunction } from './link';
import type { QuickFix, SteplensDiagnostic } from './model';
import { checkPath } from './resolve-shape';
import type { Shape } from './shapes';
import type { FileSummary, LiteralValue } from './summary';
import { closest } from './text';
import { versionMismatches } from './version-check';

export interface WorkspaceFacts {
  linker: Linker;
  /** Exact event names something listens to (triggers, waitForEvent, cancelOn). */
  listened: Set<string>;
  /** Prefixes of wildcard triggers (`app/*` -> `app/`). */
  wildcardPrefixes: string[];
  /** function key -> other functions of the same app sharing its id. */
  duplicateIds: Map<string, LinkedFunction[]>;
}

export function isInternal(name: string): boolean {
  return name.startsWith('inngest/');
}

export function isListened(facts: WorkspaceFacts, name: string): boolean {
  return facts.listened.has(name) || facts.wildcardPrefixes.some((p) => name.startsWith(p));
}

export function crossDiagnostics(f: FileSummary, facts: WorkspaceFacts): SteplensDiagnostic[] {
  const out: SteplensDiagnostic[] = [];
  const { linker } = facts;
  const fnOf = (key: string | undefined) => (key ? linker.functionsByKey.get(key) : undefined);
  const catalogOfFn = (fn: LinkedFunction | undefined) => (fn ? linker.catalogFor(f.uri, fn.client, fn.sdkMajor) : null);

  // unknown-event on literals bound to a function (triggers, waits, step.sendEvent, cancelOn)
  for (const lit of f.literals) {
    if (lit.kind !== 'event-name' || lit.role === 'schema-declaration' || lit.role === 'invoke-target' || lit.role === 'send') continue;
    const cat = catalogOfFn(fnOf(lit.functionKey));
    const d = unknownEvent(linker, f.uri, lit.name, cat, lit.range, lit.valueRange);
    if (d) out.push(d);
  }

  // client sends: unknown-event, plus payload checks for both kinds of sends
  for (const s of f.sends) {
    const fn = fnOf(s.functionKey);
    const client = s.via === 'client' ? linker.resolveClient(f.uri, s.clientRef) : fn?.client ?? null;
    if (s.via === 'client' && !client) continue;
    const cat = s.via === 'client' ? linker.catalogFor(f.uri, client, client?.sdkMajor ?? null) : catalogOfFn(fn);
    for (const p of s.payloads) {
      const name = p.name ?? (p.ref ? linker.eventTypeName(f.uri, p.ref) : undefined);
      if (!name) continue;
      let unknown = false;
      if (p.name !== null && p.nameRange && p.nameValueRange) {
        const d = unknownEvent(linker, f.uri, p.name, cat, p.nameRange, p.nameValueRange);
        unknown = !!d;
        if (d && s.via === 'client') out.push(d); // step.sendEvent names are reported with the other literals
      }
      const decl = cat?.events.get(name) ?? declaredAnywhere(linker, f.uri, name);
      if (decl && p.data !== null) out.push(...payloadProblems(name, decl, p.data, p.range));
      // a name already reported as unknown (a typo) needs no second hint
      if (!unknown && !isInternal(name) && linker.functions.length > 0 && !isListened(facts, name) && p.nameRange) {
        out.push({
          code: 'event-without-listener',
          severity: 'hint',
          message: `No function in this workspace is triggered by "${name}" or waits for it, so sending it starts nothing here. Add a function with \`{ event: "${name}" }\` as its trigger, or check the event name.`,
          range: p.nameRange,
        });
      }
    }
  }

  // unknown-event-field in expressions
  for (const site of f.expressions) {
    const fn = fnOf(site.literal.functionKey);
    const cat = catalogOfFn(fn);
    const asyncName = site.asyncName ?? (site.asyncRef ? linker.eventTypeName(f.uri, site.asyncRef) : undefined);
    for (const path of site.paths) {
      if (path.path[0] !== 'data' || path.path.length < 2) continue;
      let shapes: { name: string; data: Shape }[] | undefined;
      if (path.root === 'event') {
        if (!fn || fn.unresolvedTrigger || !fn.eventNames.length) continue;
        shapes = [];
        for (const n of fn.eventNames) {
          const decl = cat?.events.get(n);
          if (!decl || n.includes('*')) {
            shapes = undefined;
            break;
          }
          shapes.push({ name: n, data: decl.data });
        }
      } else {
        const decl = asyncName ? cat?.events.get(asyncName) : undefined;
        shapes = decl ? [{ name: decl.name, data: decl.data }] : undefined;
      }
      if (!shapes?.length) continue;
      const rest = path.path.slice(1);
      const fails = shapes.map((s) => checkPath(s.data, rest));
      if (fails.some((c) => c.ok)) continue;
      const first = fails[0]!;
      if (first.ok) continue;
      const seg = path.segments[first.at + 1];
      const lit = site.literal;
      const start = lit.valueRange.start;
      const range: Rng =
        lit.exact && seg && lit.valueRange.start.line === lit.valueRange.end.line
          ? { start: { line: start.line, character: start.character + seg.start }, end: { line: start.line, character: start.character + seg.end } }
          : lit.range;
      const field = `${path.root}.data.${rest.slice(0, first.at + 1).join('.')}`;
      const known = first.known.length ? ` Known fields: ${first.known.slice(0, 12).join(', ')}.` : '';
      const suggestion = closest(rest[first.at]!, first.known);
      out.push({
        code: 'unknown-event-field',
        severity: 'warning',
        message: `\`${field}\` is not in the schema of "${shapes.map((s) => s.name).join('" / "')}"${suggestion ? `. Did you mean "${suggestion}"?` : '.'}${known} The expression would read a missing field (null) at run time.`,
        range,
      });
    }
  }

  out.push(...versionMismatches(f, linker));

  // duplicate-function-id
  for (const fs of f.functions) {
    const others = facts.duplicateIds.get(fs.model.key);
    if (!others?.length) continue;
    const first = others[0]!;
    const lf = linker.functionsByKey.get(fs.model.key);
    const app = lf?.appId;
    const id = lf?.id ?? fs.model.id;
    out.push({
      code: 'duplicate-function-id',
      severity: 'error',
      message: `Duplicate function ID "${id}"${app ? ` in app "${app}"` : ''}: another function of the same client already uses it (${first.uri.slice(first.uri.lastIndexOf('/') + 1)}:${first.model.range.start.line + 1}). Serving both fails with "Duplicate function ID"; give each function a unique id.`,
      range: fs.model.idRange ?? fs.model.range,
      relatedInformation: others.map((o) => ({ location: { uri: o.uri, range: o.model.idRange ?? o.model.range }, message: `function "${id}" also declared here` })),
    });
  }
  return out;
}

function declaredAnywhere(linker: Linker, uri: string, name: string): EventDecl | undefined {
  return linker.packageCatalogs.get(linker.packageOf(uri))?.events.get(name);
}

/** Some package of the workspace declares `name` (a shared events package in a monorepo). */
function declaredInWorkspace(linker: Linker, name: string): boolean {
  for (const cat of linker.packageCatalogs.values()) if (cat.events.has(name)) return true;
  return false;
}

function unknownEvent(linker: Linker, uri: string, name: string, cat: Catalog | null, range: Rng, valueRange: Rng): SteplensDiagnostic | undefined {
  if (!cat || !cat.complete || cat.events.size === 0) return undefined;
  if (isInternal(name) || name.includes('*') || cat.events.has(name)) return undefined;
  // v4 lets any string name an event, typed or not: only a near miss of a declared eventType is
  // worth a warning (a typo), and a name another package of the workspace declares is not unknown.
  if (!cat.strict && declaredInWorkspace(linker, name)) return undefined;
  const suggestion = closest(name, cat.events.keys());
  if (!cat.strict && !suggestion) return undefined;
  const fixes: QuickFix[] = [];
  if (suggestion) {
    fixes.push({
      kind: 'replace-event-name',
      title: `Change to "${suggestion}"`,
      edits: [{ uri, range: valueRange, newText: suggestion }],
      isPreferred: true,
    });
  }
  for (const ip of cat.insertPoints.slice(0, 1)) {
    const member = `${JSON.stringify(name)}: { data: Record<string, unknown> };`;
    const newText = ip.indent !== null ? `${ip.indent}${member}\n` : `${ip.prefix} ${member} `;
    fixes.push({ kind: 'add-event-to-schema', title: `Add "${name}" to the event schemas`, edits: [{ uri: ip.uri, range: { start: ip.pos, end: ip.pos }, newText }] });
  }
  return {
    code: 'unknown-event',
    severity: 'warning',
    message: `Unknown event "${name}".${suggestion ? ` Did you mean "${suggestion}"?` : ''} It is not declared in ${cat.label}; ${
      cat.strict ? 'add it to the schemas (fromRecord, fromUnion or fromZod)' : `declare it with \`eventType("${name}")\``
    } or fix the name.`,
    range,
    data: fixes.length ? { fixes } : undefined,
  };
}


const TYPE_WORD: Record<string, string> = { string: 'a string', number: 'a number', boolean: 'a boolean', null: 'null' };

function accepts(s: Shape, v: LiteralValue): boolean | undefined {
  switch (s.k) {
    case 'any':
      return true;
    case 'string':
    case 'date':
      return v.k === 'string';
    case 'number':
    case 'bigint':
      return v.k === 'number';
    case 'boolean':
      return v.k === 'boolean';
    case 'null':
      return v.k === 'null';
    case 'undefined':
      return false;
    case 'lit':
      return v.k === (typeof s.v === 'string' ? 'string' : typeof s.v === 'number' ? 'number' : 'boolean');
    case 'obj':
      return v.k === 'object';
    case 'arr':
    case 'tuple':
      return false;
    case 'union':
      return s.types.some((t) => accepts(t, v) !== false);
    default:
      return true;
  }
}

function payloadProblems(event: string, decl: EventDecl, data: LiteralValue | undefined, payloadRange: Rng): SteplensDiagnostic[] {
  const out: SteplensDiagnostic[] = [];
  const walk = (shape: Shape, value: LiteralValue | undefined, path: string, range: Rng, depth: number): void => {
    if (depth > 10 || shape.k !== 'obj') return;
    if (value === undefined) {
      const required = shape.props.filter((p) => !p.optional && !acceptsUndef(p.type));
      if (required.length && path === 'data') {
        out.push({
          code: 'invalid-event-payload',
          severity: 'error',
          message: `The payload of "${event}" has no \`data\`, but its schema requires ${required.map((p) => `\`data.${p.name}\``).join(', ')}. Add a \`data\` object with these fields.`,
          range,
        });
      }
      return;
    }
    if (value.k !== 'object') return;
    if (!value.spread) {
      for (const p of shape.props) {
        if (p.optional || acceptsUndef(p.type)) continue;
        if (!value.props.some((x) => x.name === p.name)) {
          out.push({
            code: 'invalid-event-payload',
            severity: 'error',
            message: `The payload of "${event}" misses the required field \`${path}.${p.name}\`. Add it: the event's schema declares it as required.`,
            range: value.range,
          });
        }
      }
    }
    for (const x of value.props) {
      const p = shape.props.find((q) => q.name === x.name);
      if (!p) continue;
      if (x.value.k === 'other') continue;
      const ok = accepts(p.type, x.value);
      if (ok === false) {
        out.push({
          code: 'invalid-event-payload',
          severity: 'error',
          message: `\`${path}.${x.name}\` of "${event}" is ${TYPE_WORD[x.value.k] ?? `an ${x.value.k}`}, but the event's schema expects ${describe(p.type)}.`,
          range: x.value.range,
        });
      } else if (x.value.k === 'object') {
        const objShape = p.type.k === 'union' ? p.type.types.find((t) => t.k === 'obj') : p.type;
        if (objShape) walk(objShape, x.value, `${path}.${x.name}`, x.value.range, depth + 1);
      }
    }
  };
  walk(decl.data, data, 'data', payloadRange, 0);
  return out;
}

function acceptsUndef(s: Shape): boolean {
  return s.k === 'any' || s.k === 'undefined' || (s.k === 'union' && s.types.some(acceptsUndef));
}

function describe(s: Shape): string {
  switch (s.k) {
    case 'lit':
      return JSON.stringify(s.v);
    case 'union':
      return s.types.filter((t) => t.k !== 'undefined').map(describe).join(' or ');
    case 'obj':
      return 'an object';
    case 'arr':
    case 'tuple':
      return 'an array';
    case 'date':
      return 'a date string';
    default:
      return TYPE_WORD[s.k] ?? s.k;
  }
}
