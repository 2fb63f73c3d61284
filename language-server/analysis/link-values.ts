// Link-phase reading of values written by name: ids made of parts (constants, templates, a client
// factory's arguments) and trigger lists held in constants or enums. Works through the Linker's
// resolveValue only; no syntax trees.
import type { Rng } from '../protocol';
import type { ArgValue, IdPart, TriggerItem, TriggerSummary, ValueDecl } from './summary';

type Resolved = { uri: string; name: string; decl: ValueDecl } | undefined;

/** The part of the Linker these readers need. */
export interface ValueResolver {
  resolveValue(uri: string, name: string): Resolved;
}

/** A trigger with its event name resolved (null when it could not be), as the protocol lists it. */
export type LinkedTrigger =
  | { kind: 'event'; name: string | null; expression?: string; range: Rng }
  | { kind: 'cron'; cron: string | null; range: Rng }
  | { kind: 'invoke'; range: Rng };

/** The string a name stands for: a string constant, a member of a const object or string enum. */
export function constantString(r: ValueResolver, uri: string, ref: string): string | null {
  const v = r.resolveValue(uri, ref);
  return v?.decl.kind === 'string' ? v.decl.value : null;
}

/** A call's arguments, read where the call is written: what a client factory's `{ param }` parts read from. */
export interface CallSite {
  uri: string;
  args: ArgValue[];
}

/**
 * Concatenates id parts: `{ ref }` parts through string constants of `uri`, `{ param }` parts from
 * the call's arguments (a literal, a constant at the call site, a property of an object argument).
 * Null when any part cannot be resolved.
 */
export function resolveParts(r: ValueResolver, uri: string, parts: IdPart[] | null, call?: CallSite): string | null {
  if (!parts) return null;
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if ('ref' in p) {
      const s = constantString(r, uri, p.ref);
      if (s === null) return null;
      out += s;
    } else {
      const s = call ? argString(r, call, p.param, p.path) : null;
      if (s !== null) out += s;
      else if (p.fallback !== undefined) out += p.fallback;
      else return null;
    }
  }
  return out;
}

function argString(r: ValueResolver, call: CallSite, index: number, path: string[]): string | null {
  let a: ArgValue | undefined = call.args[index];
  for (let i = 0; i < path.length; i++) {
    if (!a) return null;
    if (a.k === 'obj') a = Object.hasOwn(a.props, path[i]!) ? a.props[path[i]!] : undefined;
    // `createClient(CONFIG)` with `const CONFIG = { id: 'x' }`: the rest of the path into the constant
    else if (a.k === 'ref') return constantString(r, call.uri, [a.ref, ...path.slice(i)].join('.'));
    else return null;
  }
  if (!a) return null;
  if (a.k === 'str') return a.v;
  if (a.k === 'ref') return constantString(r, call.uri, a.ref);
  return null;
}

/** No function has more triggers than this (Inngest allows a handful); lists spreading lists twice stop growing here. */
const MAX_TRIGGERS = 100;

/** A function's triggers with every name resolved, trigger lists passed by name expanded in place. */
export function linkTriggers(r: ValueResolver, uri: string, triggers: TriggerSummary[]): LinkedTrigger[] {
  // written out (the common case): the summary's own list, no allocation on every relink
  let named = false;
  for (const t of triggers) if ((t.kind === 'event' && t.name === null && t.ref) || (t.kind === 'cron' && t.cron === null && t.ref)) named = true;
  if (!named) return triggers;
  const out: LinkedTrigger[] = [];
  for (const t of triggers) {
    if (t.kind === 'cron' && t.cron === null && t.ref) out.push({ kind: 'cron', cron: constantString(r, uri, t.ref), range: t.range });
    else if (t.kind !== 'event') out.push(t);
    else if (t.name !== null || !t.ref) out.push({ kind: 'event', name: t.name, expression: t.expression, range: t.range });
    else expandRef(r, uri, t.ref, t.range, t.expression, out, new Set());
  }
  return out;
}

/** What a trigger written as a name stands for: an event name, an eventType, a trigger object or a list of them. */
function expandRef(r: ValueResolver, uri: string, ref: string, range: Rng, expression: string | undefined, out: LinkedTrigger[], active: Set<string>): void {
  if (out.length >= MAX_TRIGGERS) return;
  const key = `${uri}|${ref}`;
  // a list that spreads itself (directly or through others) ends here
  const v = active.has(key) || active.size > 16 ? undefined : r.resolveValue(uri, ref);
  const d = v?.decl;
  if (!v || !d) {
    out.push({ kind: 'event', name: null, expression, range });
    return;
  }
  active.add(key);
  try {
    expandDecl(r, v.uri, d, range, expression, out, active);
  } finally {
    active.delete(key);
  }
}

function expandDecl(r: ValueResolver, uri: string, d: ValueDecl, range: Rng, expression: string | undefined, out: LinkedTrigger[], active: Set<string>): void {
  switch (d.kind) {
    case 'string':
      out.push({ kind: 'event', name: d.value, expression, range });
      return;
    case 'eventType':
      out.push({ kind: 'event', name: d.name ?? (d.nameRef ? constantString(r, uri, d.nameRef) : null), expression, range });
      return;
    case 'constants':
      // `const TRIGGER = { event: 'app/x', if: '...' }`
      if (Object.hasOwn(d.values, 'event')) out.push({ kind: 'event', name: d.values.event!, expression: d.values.if ?? expression, range });
      else if (Object.hasOwn(d.values, 'cron')) out.push({ kind: 'cron', cron: d.values.cron!, range });
      else out.push({ kind: 'event', name: null, expression, range });
      return;
    case 'triggerList':
      for (const item of d.items) expandItem(r, uri, item, range, out, active);
      return;
    case 'schema':
      // `[userSignup, orderPlaced]` reads as a fromZod-style union of names
      if (d.shape.k === 'union' && d.shape.types.every((x) => x.k === 'valueRef')) {
        for (const x of d.shape.types) if (x.k === 'valueRef') expandRef(r, uri, x.name, range, undefined, out, active);
        return;
      }
      out.push({ kind: 'event', name: null, expression, range });
      return;
    default:
      out.push({ kind: 'event', name: null, expression, range });
  }
}

function expandItem(r: ValueResolver, uri: string, item: TriggerItem, range: Rng, out: LinkedTrigger[], active: Set<string>): void {
  switch (item.kind) {
    case 'event':
      if (item.name !== null || !item.ref) out.push({ kind: 'event', name: item.name, expression: item.expression, range });
      else expandRef(r, uri, item.ref, range, item.expression, out, active);
      return;
    case 'cron':
      out.push({ kind: 'cron', cron: item.cron ?? (item.ref ? constantString(r, uri, item.ref) : null), range });
      return;
    case 'invoke':
      out.push({ kind: 'invoke', range });
      return;
    case 'ref':
      expandRef(r, uri, item.ref, range, undefined, out, active);
      return;
  }
}
