// Cross-file linking: follows imports and re-exports between file summaries, resolves clients,
// v3 EventSchemas and v4 eventType declarations into event catalogues, and gives every function its
// app, triggers and steps. Rebuilt after each change from the summaries alone, which is cheap.
import type { Loc } from '../protocol';
import type { ClientModel, CreateFunctionModel } from './model';
import { resolveShape, type ShapeScope } from './resolve-shape';
import type { InsertPoint, Shape } from './shapes';
import { constantString, linkTriggers, resolveParts, type LinkedTrigger } from './link-values';
import { ModuleResolver, type PackageInfo } from './modules';
import type { SummaryStore } from './store';
import type { ArgValue, FunctionSummary, SchemaPart, TypeDecl, ValueDecl } from './summary';

export interface EventDecl {
  name: string;
  /** Resolved shape of the event's `data` (`any` when unknown or untyped). */
  data: Shape;
  loc?: Loc;
  valueRange?: Loc['range'];
}

/** The events one scope declares: a v3 client's EventSchemas, or a v4 package's eventTypes. */
export interface Catalog {
  /** False when some part could not be read: then nothing is reported as unknown. */
  complete: boolean;
  events: Map<string, EventDecl>;
  /** fromRecord type bodies a new event can be added to (quick fix). */
  insertPoints: InsertPoint[];
  label: string;
  /**
   * v3 EventSchemas make every undeclared name an error. v4 allows untyped events next to eventType
   * declarations, so there only names that look like a declared one (close, or same namespace) count.
   */
  strict: boolean;
}

export interface LinkedClient {
  model: ClientModel;
  /** The app id: written as a literal, or resolved from constants or the factory call's arguments; null when unknown. */
  id: string | null;
  uri: string;
  /** The file that writes `new Inngest(...)`: `uri`, or the factory's file for a client made by a factory. */
  declaredIn: string;
  sdkMajor: 3 | 4 | null;
  catalog: Catalog | null;
}

export interface LinkedFunction {
  summary: FunctionSummary;
  model: CreateFunctionModel;
  uri: string;
  client: LinkedClient | null;
  appId: string | null;
  /** The id: written as a literal or resolved from constants; null when it cannot be resolved. */
  id: string | null;
  /** The id to show: `id`, or `{<source text of the id expression>}` when unresolved. */
  displayId: string;
  slug: string;
  sdkMajor: 3 | 4 | null;
  /** The triggers, names resolved, lists passed by name expanded. */
  triggers: LinkedTrigger[];
  /** Resolved trigger event names (literal or through eventType references). */
  eventNames: string[];
  /** True when some event trigger could not be resolved to a name. */
  unresolvedTrigger: boolean;
  /** Where the handler's steps are recorded: (file, functionKey) pairs; more than the function's own key for a handler passed by name. */
  stepSources: { uri: string; key: string }[];
}

type Resolved = { uri: string; name: string; decl: ValueDecl } | undefined;

/** Resolved v3 client catalogues kept across links; the owner drops it when a file in `deps` changes or files come and go. */
export interface CatalogCache {
  deps: Set<string>;
  byClient: Map<string, Catalog | null>;
}

const ANY: Shape = { k: 'any' };

export class Linker {
  private readonly valueMemo = new Map<string, Resolved>();
  private readonly typeMemo = new Map<string, { decl: TypeDecl; uri: string } | undefined>();
  private readonly scopes = new Map<string, ShapeScope>();
  private readonly modules: ModuleResolver;
  readonly clients = new Map<string, LinkedClient>();
  readonly functions: LinkedFunction[] = [];
  readonly functionsByKey = new Map<string, LinkedFunction>();
  readonly packageCatalogs = new Map<string, Catalog>();
  /** `const x = f(...)` values already found not to be client factory calls. */
  private readonly notFactories = new Set<string>();

  private readonly relevant;

  /** Files read while resolving catalogues (for the cache's validity). */
  private track: Set<string> | null = null;

  constructor(
    readonly files: SummaryStore,
    packages: Map<string, PackageInfo>,
    /** Catalogues of v3 clients from the previous link, valid while none of `deps` changed. */
    private readonly catalogCache: CatalogCache | null = null,
  ) {
    this.relevant = files.values();
    this.modules = new ModuleResolver(files, packages);
    this.linkClients();
    this.linkPackages();
    this.linkFunctions();
  }

  packageOf(uri: string): string {
    return this.modules.packageOf(uri);
  }

  /** The SDK dependency `depName` as the nearest package.json above `uri` declaring it writes it. */
  sdkDependency(uri: string, depName: string): ReturnType<ModuleResolver['sdkDependency']> {
    const key = `${uri}|${depName}`;
    if (this.sdkDepMemo.has(key)) return this.sdkDepMemo.get(key);
    const r = this.modules.sdkDependency(uri, depName);
    this.sdkDepMemo.set(key, r);
    return r;
  }

  private readonly sdkDepMemo = new Map<string, ReturnType<ModuleResolver['sdkDependency']>>();

  resolveModule(fromUri: string, specifier: string): string | undefined {
    return this.modules.resolve(fromUri, specifier);
  }


  /** A top-level value by local name in a file, following aliases, imports and re-exports. */
  resolveValue(uri: string, name: string, depth = 0): Resolved {
    const key = `${uri}|${name}`;
    if (this.valueMemo.has(key)) return this.valueMemo.get(key);
    this.valueMemo.set(key, undefined); // cycle guard
    const r = depth > 30 ? undefined : this.resolveValueUncached(uri, name, depth);
    this.valueMemo.set(key, r);
    return r;
  }

  private resolveValueUncached(uri: string, name: string, depth: number): Resolved {
    this.track?.add(uri);
    const f = this.files.get(uri);
    if (!f) return undefined;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const head = name.slice(0, dot);
      const rest = name.slice(dot + 1);
      const imp = f.imports.get(head);
      if (imp?.imported === '*') {
        const target = this.resolveModule(uri, imp.specifier);
        if (!target) return undefined;
        // `ns.EVENTS.user.created`: the export, then the member path inside it
        const dot2 = rest.indexOf('.');
        return dot2 < 0 ? this.resolveExport(target, rest, depth + 1) : member(this.resolveExport(target, rest.slice(0, dot2), depth + 1), name, rest.slice(dot2 + 1));
      }
      return member(this.resolveValue(uri, head, depth + 1), name, rest);
    }
    const local = f.values.get(name);
    if (local) return local.kind === 'alias' ? this.resolveValue(uri, local.name, depth + 1) : { uri, name, decl: local };
    if (name.startsWith('this:')) return this.inheritedField(uri, name, depth);
    const imp = f.imports.get(name);
    if (imp) {
      const target = this.resolveModule(uri, imp.specifier);
      if (!target) return undefined;
      // `const client = require('./client')` where the module did `module.exports = client`
      if (imp.imported === '*') return this.resolveExport(target, 'module.exports', depth + 1);
      return this.resolveExport(target, imp.imported, depth + 1) ?? (imp.imported === 'default' ? this.resolveExport(target, 'module.exports', depth + 1) : undefined);
    }
    return undefined;
  }

  /** `this.inngest` in a class that does not declare it: the field of its base class (`extends InngestFunctions`), in any file. */
  private inheritedField(uri: string, name: string, depth: number): Resolved {
    const m = /^this:([^:]+):(.+)$/.exec(name);
    const cls = m ? this.files.get(uri)?.values.get(m[1]!) : undefined;
    if (cls?.kind !== 'class' || !cls.base) return undefined;
    const base = this.resolveValue(uri, cls.base, depth + 1);
    return base?.decl.kind === 'class' ? this.resolveValue(base.uri, `this:${base.name}:${m![2]}`, depth + 1) : undefined;
  }

  resolveExport(uri: string, exported: string, depth = 0): Resolved {
    this.track?.add(uri);
    const f = this.files.get(uri);
    if (!f || depth > 30) return undefined;
    const e = f.exports.get(exported);
    if (e) {
      if ('local' in e) return this.resolveValue(uri, e.local, depth + 1);
      const target = this.resolveModule(uri, e.specifier);
      return target ? this.resolveExport(target, e.imported, depth + 1) : undefined;
    }
    for (const spec of f.starExports) {
      const target = this.resolveModule(uri, spec);
      const r = target ? this.resolveExport(target, exported, depth + 1) : undefined;
      if (r) return r;
    }
    return undefined;
  }

  resolveType(uri: string, name: string, depth = 0): { decl: TypeDecl; uri: string } | undefined {
    const key = `${uri}|${name}`;
    if (this.typeMemo.has(key)) return this.typeMemo.get(key);
    this.typeMemo.set(key, undefined);
    const r = depth > 30 ? undefined : this.resolveTypeUncached(uri, name, depth);
    this.typeMemo.set(key, r);
    return r;
  }

  private resolveTypeUncached(uri: string, name: string, depth: number): { decl: TypeDecl; uri: string } | undefined {
    this.track?.add(uri);
    const f = this.files.get(uri);
    if (!f) return undefined;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const imp = f.imports.get(name.slice(0, dot));
      if (imp?.imported !== '*') return undefined;
      const target = this.resolveModule(uri, imp.specifier);
      return target ? this.resolveTypeExport(target, name.slice(dot + 1), depth + 1) : undefined;
    }
    const local = f.types.get(name);
    if (local) return { decl: local, uri };
    const imp = f.imports.get(name);
    if (imp && imp.imported !== '*') {
      const target = this.resolveModule(uri, imp.specifier);
      return target ? this.resolveTypeExport(target, imp.imported, depth + 1) : undefined;
    }
    return undefined;
  }

  private resolveTypeExport(uri: string, exported: string, depth: number): { decl: TypeDecl; uri: string } | undefined {
    this.track?.add(uri);
    const f = this.files.get(uri);
    if (!f || depth > 30) return undefined;
    const e = f.exports.get(exported);
    if (e) {
      if ('local' in e) return this.resolveType(uri, e.local, depth + 1);
      const target = this.resolveModule(uri, e.specifier);
      return target ? this.resolveTypeExport(target, e.imported, depth + 1) : undefined;
    }
    for (const spec of f.starExports) {
      const target = this.resolveModule(uri, spec);
      const r = target ? this.resolveTypeExport(target, exported, depth + 1) : undefined;
      if (r) return r;
    }
    return undefined;
  }

  scope(uri: string): ShapeScope {
    let s = this.scopes.get(uri);
    if (!s) {
      s = {
        type: (name) => {
          const r = this.resolveType(uri, name);
          return r ? { shape: r.decl.shape, params: r.decl.params, scope: this.scope(r.uri) } : undefined;
        },
        value: (name) => {
          const r = this.resolveValue(uri, name);
          if (r?.decl.kind === 'schema') return { shape: r.decl.shape, scope: this.scope(r.uri) };
          return undefined;
        },
        constant: (name) => {
          const r = this.resolveValue(uri, name);
          return r?.decl.kind === 'string' ? r.decl.value : undefined;
        },
      };
      this.scopes.set(uri, s);
    }
    return s;
  }

  // ---- clients and catalogues ----

  private linkClients(): void {
    const cache = this.catalogCache;
    for (const f of this.relevant) {
      for (const [name, decl] of f.values) {
        if (decl.kind !== 'client') continue;
        const key = `${f.uri}#${name}`;
        let catalog: Catalog | null;
        if (cache?.byClient.has(key)) catalog = cache.byClient.get(key)!;
        else {
          this.track = cache ? cache.deps : null;
          this.track?.add(f.uri);
          try {
            catalog = this.clientCatalog(f.uri, decl);
          } finally {
            this.track = null;
          }
          cache?.byClient.set(key, catalog);
        }
        const id = decl.model.id ?? (decl.idParts ? resolveParts(this, f.uri, decl.idParts) : null);
        this.clients.set(key, { model: decl.model, id, uri: f.uri, declaredIn: f.uri, sdkMajor: decl.sdkMajor ?? this.modules.packageMajor(f.uri), catalog });
      }
    }
  }

  private clientCatalog(uri: string, decl: { model: ClientModel; schemas: Extract<ValueDecl, { kind: 'client' }>['schemas'] }): Catalog | null {
    const label = decl.model.id ? `the EventSchemas of client "${decl.model.id}"` : 'the client\'s EventSchemas';
    if (decl.schemas?.kind === 'inline') return this.catalogFromParts(decl.schemas.parts, uri, label);
    if (decl.schemas?.kind === 'ref') {
      const r = this.resolveValue(uri, decl.schemas.name);
      return r?.decl.kind === 'eventSchemas' ? this.catalogFromParts(r.decl.parts, r.uri, label) : { complete: false, events: new Map(), insertPoints: [], label, strict: true };
    }
    return decl.schemas ? { complete: false, events: new Map(), insertPoints: [], label, strict: true } : null;
  }

  private catalogFromParts(parts: SchemaPart[], uri: string, label: string): Catalog {
    const cat: Catalog = { complete: true, events: new Map(), insertPoints: [], label, strict: true };
    const scope = this.scope(uri);
    for (const part of parts) {
      if (part.kind === 'opaque') {
        cat.complete = false;
        continue;
      }
      const shape = resolveShape(part.type, scope);
      // fromZod(x) with x an array of z.object({ name, data }) held in a variable reads as a union
      if (part.kind === 'record' && shape.k !== 'union') {
        if (shape.k !== 'obj' || shape.open) cat.complete = false;
        if (shape.k !== 'obj') continue;
        if (shape.insertAt && !shape.open) cat.insertPoints.push(shape.insertAt);
        for (const p of shape.props) cat.events.set(p.name, { name: p.name, data: dataOf(p.type), loc: p.loc, valueRange: p.valueRange });
      } else {
        const members = shape.k === 'union' ? shape.types : [shape];
        for (const m of members) {
          const nameProp = m.k === 'obj' ? m.props.find((p) => p.name === 'name') : undefined;
          if (!nameProp || nameProp.type.k !== 'lit' || typeof nameProp.type.v !== 'string') {
            cat.complete = false;
            continue;
          }
          const lit = nameProp.type;
          cat.events.set(lit.v as string, { name: lit.v as string, data: dataOf(m), loc: lit.loc, valueRange: lit.valueRange });
        }
      }
    }
    return cat;
  }

  private linkPackages(): void {
    for (const f of this.relevant) {
      for (const inline of f.inlineEventSchemas) {
        const pkg = this.packageOf(f.uri);
        let cat = this.packageCatalogs.get(pkg);
        if (!cat) {
          cat = { complete: true, events: new Map(), insertPoints: [], label: 'the eventType declarations of this package', strict: false };
          this.packageCatalogs.set(pkg, cat);
        }
        if (!cat.events.has(inline.name)) cat.events.set(inline.name, { name: inline.name, data: resolveShape(inline.data, this.scope(f.uri)), loc: inline.loc });
      }
      if (f.values.size === 0) continue;
      const decls: ValueDecl[] = [];
      for (const d of f.values.values()) {
        if (d.kind === 'eventType') decls.push(d);
        else if (d.kind === 'eventTypeGroup') decls.push(...Object.values(d.members));
      }
      for (const decl of decls) {
        if (decl.kind !== 'eventType') continue;
        const pkg = this.packageOf(f.uri);
        let cat = this.packageCatalogs.get(pkg);
        if (!cat) {
          cat = { complete: true, events: new Map(), insertPoints: [], label: 'the eventType declarations of this package', strict: false };
          this.packageCatalogs.set(pkg, cat);
        }
        const name = decl.name ?? (decl.nameRef ? constantString(this, f.uri, decl.nameRef) : null);
        if (name === null) {
          cat.complete = false;
          continue;
        }
        const data = decl.data ? resolveShape(decl.data, this.scope(f.uri)) : ANY;
        cat.events.set(name, { name, data, loc: decl.nameLoc });
      }
    }
  }

  /** The name of the v4 eventType a reference (`myEvent`, `ns.myEvent`) points at, from a file. */
  eventTypeName(uri: string, ref: string): string | undefined {
    const r = this.resolveValue(uri, ref);
    if (r?.decl.kind === 'string') return r.decl.value;
    if (r?.decl.kind !== 'eventType') return undefined;
    return r.decl.name ?? (r.decl.nameRef ? constantString(this, r.uri, r.decl.nameRef) ?? undefined : undefined);
  }

  resolveClient(uri: string, ref: string | null | undefined): LinkedClient | null {
    if (!ref) return null;
    const r = this.resolveValue(uri, ref);
    if (r?.decl.kind === 'call') return this.factoryClient(r.uri, r.name, r.decl);
    if (r?.decl.kind !== 'client') return null;
    return this.clients.get(`${r.uri}#${r.name}`) ?? null;
  }

  /** `const inngest = createClient('order-service')` with `createClient` returning `new Inngest(...)`: a client made by a factory. */
  private factoryClient(uri: string, name: string, call: Extract<ValueDecl, { kind: 'call' }>): LinkedClient | null {
    const key = `${uri}#${name}`;
    const known = this.clients.get(key);
    if (known || this.notFactories.has(key)) return known ?? null;
    const made = this.factoryMade(uri, call, 0);
    if (!made) {
      this.notFactories.add(key);
      return null;
    }
    const { id, decl } = made;
    // a getter (no arguments: a singleton or one fixed configuration) gives every caller the same app: one key for
    // duplicate ids across files; a factory called with arguments makes a client per call site
    const shared = id !== null && call.args.length === 0;
    const model: ClientModel = { key: shared ? `${made.uri}#factory:${call.callee}:${id}` : key, localName: name, id, range: call.range, hasSchemas: decl.schemas !== null };
    const catalog = decl.schemas ? this.clientCatalog(made.uri, { model, schemas: decl.schemas }) : null;
    const client: LinkedClient = { model, id, uri, declaredIn: made.uri, sdkMajor: decl.sdkMajor ?? this.modules.packageMajor(made.uri), catalog };
    this.clients.set(key, client);
    return client;
  }

  /** The factory a call reaches (through getters that return another factory's call) and the id it gives the client. */
  private factoryMade(uri: string, call: { callee: string; args: ArgValue[] }, depth: number): { uri: string; id: string | null; decl: Extract<ValueDecl, { kind: 'clientFactory' }> } | null {
    const f = depth > 6 ? undefined : this.resolveValue(uri, call.callee);
    if (f?.decl.kind !== 'clientFactory') return null;
    if (f.decl.delegate) return this.factoryMade(f.uri, f.decl.delegate, depth + 1);
    return { uri: f.uri, id: resolveParts(this, f.uri, f.decl.idParts, { uri, args: call.args }), decl: f.decl };
  }

  private linkFunctions(): void {
    for (const f of this.relevant) {
      for (const fs of f.functions) {
        const client = this.resolveClient(f.uri, fs.clientRef);
        const appId = client?.id ?? null;
        const id = fs.model.id ?? resolveParts(this, f.uri, fs.idSource?.parts ?? null);
        // braces: a placeholder can never equal or end a slug the executor reports (slugs are [a-z0-9-])
        const displayId = id ?? `{${fs.idSource?.text ?? 'id'}}`;
        const triggers = linkTriggers(this, f.uri, fs.triggers);
        const eventNames: string[] = [];
        let unresolvedTrigger = false;
        for (const t of triggers) {
          if (t.kind !== 'event') continue;
          if (t.name) eventNames.push(t.name);
          else unresolvedTrigger = true;
        }
        const stepSources = [{ uri: f.uri, key: fs.model.key }];
        if (fs.handlerKey) stepSources.push({ uri: f.uri, key: fs.handlerKey });
        if (fs.handlerRef) {
          const h = this.resolveValue(f.uri, fs.handlerRef);
          if (h?.decl.kind === 'handler' && h.decl.key) stepSources.push({ uri: h.uri, key: h.decl.key });
        }
        const lf: LinkedFunction = {
          summary: fs,
          model: fs.model,
          uri: f.uri,
          client,
          appId,
          id,
          displayId,
          slug: appId ? `${appId}-${displayId}` : displayId,
          sdkMajor: fs.model.sdkMajor ?? client?.sdkMajor ?? null,
          triggers,
          eventNames,
          unresolvedTrigger,
          stepSources,
        };
        this.functions.push(lf);
        this.functionsByKey.set(fs.model.key, lf);
      }
    }
  }

  /** The catalogue that decides which events exist for a function or a client's send. */
  catalogFor(uri: string, client: LinkedClient | null, sdkMajor: 3 | 4 | null): Catalog | null {
    if (client?.catalog) return client.catalog;
    if (sdkMajor === 3 || client?.sdkMajor === 3) return null;
    return this.packageCatalogs.get(this.packageOf(uri)) ?? null;
  }

  /** The function a `step.invoke({ function: ref })` points at. */
  resolveFunctionRef(uri: string, ref: string): LinkedFunction | undefined {
    const r = this.resolveValue(uri, ref);
    return r?.decl.kind === 'function' ? this.functionsByKey.get(r.decl.key) : undefined;
  }
}

/**
 * A member of a resolved value: a string of a const object or enum (`EV.done`, nested
 * `EVENTS.user.created`), an eventType of a group (`events.signup`, also `.name` / `.event` on it).
 */
function member(obj: Resolved, name: string, rest: string): Resolved {
  if (obj?.decl.kind === 'constants' && Object.hasOwn(obj.decl.values, rest)) {
    return { uri: obj.uri, name, decl: { kind: 'string', value: obj.decl.values[rest]!, range: obj.decl.ranges?.[rest] } };
  }
  if (obj?.decl.kind === 'class' && obj.decl.statics && Object.hasOwn(obj.decl.statics, rest)) {
    return { uri: obj.uri, name, decl: { kind: 'string', value: obj.decl.statics[rest]!, range: obj.decl.staticRanges?.[rest] } };
  }
  if (obj?.decl.kind === 'eventTypeGroup') {
    const key = Object.hasOwn(obj.decl.members, rest) ? rest : rest.replace(/\.(name|event)$/, '');
    if (Object.hasOwn(obj.decl.members, key)) return { uri: obj.uri, name, decl: obj.decl.members[key]! };
  }
  return undefined;
}

/** The `data` member of an event's shape (`{ data: ... }`), or `any`. */
function dataOf(s: Shape): Shape {
  if (s.k !== 'obj') return ANY;
  const d = s.props.find((p) => p.name === 'data');
  return d ? d.type : ANY;
}
