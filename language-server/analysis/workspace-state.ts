// Holds per-file summaries and the linked cross-file view behind WorkspaceIndex. Parsing happens in
// setFile (one file); linking happens lazily on the next query and is rebuilt from summaries.
import cronstrue from 'cronstrue';
import type { Loc, Pos, Rng, StepEntry, TriggerEntry } from '../protocol';
import { checkCron } from './checks';
import { crossDiagnostics, type WorkspaceFacts } from './cross-diagnostics';
import { Linker, type CatalogCache, type LinkedFunction } from './link';
import { readPackageJson, type PackageInfo } from './modules';
import type { EventEntry, FileModel, FunctionEntry, LocatedLiteral, Logger, SteplensDiagnostic } from './model';
import { exampleOf, toJsonSchema } from './resolve-shape';
import type { Shape } from './shapes';
import { SummaryStore } from './store';
import { containsPos } from './text';

interface Linked {
  version: number;
  linker: Linker;
  facts: WorkspaceFacts;
  /** Literals that only the link phase can place (client sends, fromRecord keys), by uri. */
  extraLiterals: Map<string, LocatedLiteral[]>;
  senders: Map<string, Loc[]>;
  /** The protocol view (FunctionEntry / EventEntry), built on first request: diagnostics do not need it. */
  entries: { functions: FunctionEntry[]; events: Map<string, EventEntry> } | null;
}

export class Workspace {
  version = 0;
  private readonly summaries: SummaryStore;
  private readonly packageJsons = new Map<string, PackageInfo>();
  private linked: Linked | null = null;
  private readonly diagCache = new Map<string, SteplensDiagnostic[]>();
  private readonly modelCache = new Map<string, FileModel>();
  private warnedLarge = false;
  private readonly fingerprints = new Map<string, string>();
  private readonly schemaCache = new WeakMap<Shape, { schema: Record<string, unknown>; example: Record<string, unknown> }>();
  /** v3 catalogues survive edits to files they were not read from (most edits are inside handlers). */
  private catalogCache: CatalogCache | null = { deps: new Set(), byClient: new Map() };

  constructor(
    readonly maxDeepAnalysisBytes: number,
    readonly logger?: Logger,
  ) {
    this.summaries = new SummaryStore(logger);
  }

  setFile(uri: string, text: string): void {
    const fp = fingerprint(text);
    if (this.fingerprints.get(uri) === fp && this.has(uri)) return; // same text again (save, watcher echo): nothing changes
    this.fingerprints.set(uri, fp);
    this.invalidateCatalogs(uri);
    try {
      if (uri.endsWith('/package.json')) {
        this.packageJsons.set(uri, readPackageJson(text));
      } else {
        const shallow = text.length > this.maxDeepAnalysisBytes;
        if (shallow && !this.warnedLarge) {
          this.warnedLarge = true;
          this.logger?.log('info', `Skipping deep analysis of files larger than ${this.maxDeepAnalysisBytes} characters (first: ${uri}); only their imports and exports are read.`, { uri, size: text.length });
        }
        this.summaries.set(uri, text, shallow);
      }
    } catch (err) {
      if (!this.summaries.has(uri)) this.summaries.setEmpty(uri);
      this.logger?.log('error', `Could not analyse ${uri}; keeping its previous analysis.`, { uri, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
    this.touch();
  }

  removeFile(uri: string): void {
    this.fingerprints.delete(uri);
    this.invalidateCatalogs(uri);
    if (this.summaries.delete(uri) || this.packageJsons.delete(uri)) this.touch();
  }

  /** New, removed and package files can change module resolution; changed files only matter if read. */
  private invalidateCatalogs(uri: string): void {
    const c = this.catalogCache;
    if (!c) return;
    const known = this.summaries.has(uri) && !uri.endsWith('/package.json');
    if (!known || c.deps.has(uri)) this.catalogCache = { deps: new Set(), byClient: new Map() };
  }

  private touch(): void {
    this.version++;
    this.linked = null;
    this.diagCache.clear();
    this.modelCache.clear();
  }

  has(uri: string): boolean {
    return this.summaries.has(uri) || this.packageJsons.has(uri);
  }

  uris(): string[] {
    return [...this.summaries.keys(), ...this.packageJsons.keys()];
  }

  clear(): void {
    this.fingerprints.clear();
    this.catalogCache = { deps: new Set(), byClient: new Map() };
    this.summaries.clear();
    this.packageJsons.clear();
    this.touch();
  }

  private link(): Linked {
    if (this.linked && this.linked.version === this.version) return this.linked;
    const linker = new Linker(this.summaries, this.packageJsons, this.catalogCache);
    const extraLiterals = new Map<string, LocatedLiteral[]>();
    const addExtra = (uri: string, lit: LocatedLiteral) => {
      const list = extraLiterals.get(uri) ?? [];
      list.push(lit);
      extraLiterals.set(uri, list);
    };
    const listened = new Set<string>();
    const wildcardPrefixes: string[] = [];
    const senders = new Map<string, Loc[]>();
    for (const fn of linker.functions) {
      for (const n of fn.eventNames) {
        if (n.endsWith('*')) wildcardPrefixes.push(n.slice(0, -1));
        else listened.add(n);
      }
    }
    for (const f of this.summaries.values()) {
      for (const site of f.expressions) {
        site.literal.eventNames = (site.literal.functionKey && linker.functionsByKey.get(site.literal.functionKey)?.eventNames) || [];
        const asyncName = site.asyncName ?? (site.asyncRef ? linker.eventTypeName(f.uri, site.asyncRef) : undefined);
        if (asyncName) site.literal.asyncEventName = asyncName;
      }
      for (const lit of f.literals) {
        if (lit.kind === 'event-name' && (lit.role === 'waitForEvent' || lit.role === 'cancelOn')) listened.add(lit.name);
      }
      for (const n of f.looseWaits) listened.add(n);
      for (const r of f.looseWaitRefs) {
        const n = linker.eventTypeName(f.uri, r);
        if (n) listened.add(n);
      }
      for (const r of f.eventRefs) {
        if (r.role === 'waitForEvent' || r.role === 'cancelOn') {
          const n = linker.eventTypeName(f.uri, r.ref);
          if (n) listened.add(n);
        }
      }
      for (const s of f.sends) {
        if (s.via === 'client' && !linker.resolveClient(f.uri, s.clientRef)) continue;
        for (const p of s.payloads) {
          const name = p.name ?? (p.ref ? linker.eventTypeName(f.uri, p.ref) : undefined);
          if (!name || !p.nameRange) continue;
          const list = senders.get(name) ?? [];
          list.push({ uri: f.uri, range: p.nameRange });
          senders.set(name, list);
          if (s.via === 'client' && p.name !== null && p.nameValueRange) {
            addExtra(f.uri, { kind: 'event-name', role: 'send', name: p.name, range: p.nameRange, valueRange: p.nameValueRange });
          }
        }
      }
    }
    // fromRecord / fromUnion / fromZod keys are declarations wherever their type lives
    const seenDecl = new Set<string>();
    for (const c of linker.clients.values()) {
      for (const d of c.catalog?.events.values() ?? []) {
        if (!d.loc || !d.valueRange) continue;
        const k = `${d.loc.uri}#${d.loc.range.start.line}:${d.loc.range.start.character}`;
        if (seenDecl.has(k)) continue;
        seenDecl.add(k);
        addExtra(d.loc.uri, { kind: 'event-name', role: 'schema-declaration', name: d.name, range: d.loc.range, valueRange: d.valueRange });
      }
    }
    const duplicateIds = new Map<string, LinkedFunction[]>();
    const groups = new Map<string, LinkedFunction[]>();
    for (const fn of linker.functions) {
      // only resolved ids compare: two computed ids (`tool-${name}`) are not known to collide
      if (!fn.client || fn.id === null) continue;
      // one app = one client declaration: two entry points that each create a client with the same id
      // (a v3 and a v4 build of one demo) are served separately
      // functions made in two different inline callbacks (test cases) never exist at once
      const k = `${fn.client.model.key}|${fn.summary.callbackScope ?? ''}|${fn.id}`;
      const g = groups.get(k) ?? [];
      g.push(fn);
      groups.set(k, g);
    }
    for (const g of groups.values()) {
      if (g.length < 2) continue;
      for (const fn of g) duplicateIds.set(fn.model.key, g.filter((x) => x !== fn));
    }
    const facts: WorkspaceFacts = { linker, listened, wildcardPrefixes, duplicateIds };
    this.linked = { version: this.version, linker, facts, extraLiterals, senders, entries: null };
    return this.linked;
  }

  private entries(): { functions: FunctionEntry[]; events: Map<string, EventEntry> } {
    const linked = this.link();
    if (!linked.entries) {
      const linker = linked.linker;
      // a call whose id is not resolved is listed when it is known to be Inngest's (its client, or a file importing the SDK)
      const functions = linker.functions
        .filter((fn) => fn.id !== null || fn.client !== null || this.summaries.get(fn.uri)?.sdkSpecifier != null)
        .map((fn) => this.functionEntry(fn, linker));
      linked.entries = { functions, events: this.buildEvents(linker, functions, linked.senders, linked.facts.listened) };
    }
    return linked.entries;
  }

  private functionEntry(fn: LinkedFunction, linker: Linker): FunctionEntry {
    const triggers: TriggerEntry[] = [];
    for (const t of fn.triggers) {
      if (t.kind === 'event') {
        if (t.name) triggers.push({ kind: 'event', event: t.name, expression: t.expression, range: t.range });
      } else if (t.kind === 'cron') {
        if (t.cron !== null) triggers.push({ kind: 'cron', cron: t.cron, range: t.range, description: describeCron(t.cron) });
      } else triggers.push({ kind: 'invoke', range: t.range });
    }
    const steps: StepEntry[] = [];
    for (const src of fn.stepSources) {
      for (const s of this.summaries.get(src.uri)?.steps ?? []) {
        if (s.functionKey === src.key && !s.inFailureHandler) steps.push({ id: s.id, tool: s.tool, range: s.range, idRange: s.idRange });
      }
    }
    const entry: FunctionEntry = {
      id: fn.displayId,
      appId: fn.appId,
      slug: fn.slug,
      name: fn.model.name,
      sdkMajor: fn.sdkMajor,
      uri: fn.uri,
      range: fn.model.range,
      idRange: fn.model.idRange,
      triggers,
      steps,
      hasOnFailure: fn.model.hasOnFailure,
    };
    if (fn.id === null) entry.idUnresolved = true;
    if (fn.appId === null) entry.appIdUnresolved = true;
    return entry;
  }

  private buildEvents(linker: Linker, functions: FunctionEntry[], senders: Map<string, Loc[]>, listenedNames: Set<string>): Map<string, EventEntry> {
    const events = new Map<string, EventEntry>();
    const get = (name: string): EventEntry => {
      let e = events.get(name);
      if (!e) {
        e = { name, dataSchema: null, example: {}, senders: [], listeners: [] };
        events.set(name, e);
      }
      return e;
    };
    const catalogs = [...[...linker.clients.values()].map((c) => c.catalog), ...linker.packageCatalogs.values()];
    for (const cat of catalogs) {
      for (const d of cat?.events.values() ?? []) {
        const e = get(d.name);
        if (e.dataSchema === null && d.data.k !== 'any') {
          // cached catalogues keep their shapes across edits, so the JSON Schema is reused too
          let j = this.schemaCache.get(d.data);
          if (!j) {
            const ex = exampleOf(d.data);
            j = { schema: toJsonSchema(d.data), example: ex && typeof ex === 'object' && !Array.isArray(ex) ? (ex as Record<string, unknown>) : {} };
            this.schemaCache.set(d.data, j);
          }
          e.dataSchema = j.schema;
          e.example = j.example;
        }
        e.declaration ??= d.loc;
      }
    }
    for (const fn of functions) {
      for (const t of fn.triggers) if (t.kind === 'event' && !t.event.includes('*')) get(t.event);
    }
    // events something waits for (waitForEvent, cancelOn) are known too: a run may need one sent to it
    for (const n of listenedNames) if (!n.includes('*')) get(n);
    for (const [name, locs] of senders) get(name).senders.push(...locs);
    const exact = new Map<string, string[]>();
    const wildcards: { prefix: string; slug: string }[] = [];
    for (const fn of functions) {
      for (const t of fn.triggers) {
        if (t.kind !== 'event') continue;
        if (t.event.endsWith('*')) wildcards.push({ prefix: t.event.slice(0, -1), slug: fn.slug });
        else {
          const l = exact.get(t.event) ?? [];
          if (!l.includes(fn.slug)) l.push(fn.slug);
          exact.set(t.event, l);
        }
      }
    }
    for (const e of events.values()) {
      const l = [...(exact.get(e.name) ?? [])];
      for (const w of wildcards) if (e.name.startsWith(w.prefix) && !l.includes(w.slug)) l.push(w.slug);
      e.listeners = l;
    }
    return events;
  }

  functions(uri?: string): FunctionEntry[] {
    const all = this.safe(() => this.entries().functions, []);
    return uri ? all.filter((f) => f.uri === uri) : all;
  }

  events(): EventEntry[] {
    return this.safe(() => [...this.entries().events.values()].sort((a, b) => a.name.localeCompare(b.name)), []);
  }

  event(name: string): EventEntry | undefined {
    return this.safe(() => this.entries().events.get(name), undefined);
  }

  diagnostics(uri: string): SteplensDiagnostic[] {
    const cached = this.diagCache.get(uri);
    if (cached) return cached;
    if (this.summaries.isPending(uri)) return [];
    const s = this.summaries.get(uri);
    if (!s) return [];
    let out: SteplensDiagnostic[] = [...s.localDiagnostics];
    try {
      const linked = this.link();
      out.push(...crossDiagnostics(s, linked.facts));
    } catch (err) {
      this.logger?.log('error', `Cross-file diagnostics failed for ${uri}; showing only the local ones.`, { uri, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
    out = out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    this.diagCache.set(uri, out);
    return out;
  }

  file(uri: string): FileModel | undefined {
    const cached = this.modelCache.get(uri);
    if (cached) return cached;
    const s = this.summaries.get(uri);
    if (!s) return undefined;
    return this.safe(() => {
      const linked = this.link();
      const model: FileModel = {
        uri,
        version: this.version,
        shallow: s.shallow,
        hasSyntaxErrors: s.hasSyntaxErrors,
        clients: s.clients,
        functions: s.functions.map((f) => {
          const lf = linked.linker.functionsByKey.get(f.model.key);
          const entry = this.entries().functions.find((x) => x.uri === uri && x.range === f.model.range);
          return { ...f.model, id: lf?.id ?? f.model.id, clientKey: lf?.client ? lf.client.model.key : null, triggers: entry?.triggers ?? [] };
        }),
        literals: [...s.literals, ...(linked.extraLiterals.get(uri) ?? [])],
        eventDataAccesses: s.eventDataAccesses,
        steps: s.steps,
        invokeTargets: s.invokeTargets.map((t) => ({
          range: t.range,
          functionKey: t.functionKey,
          targetKey: t.ref ? linked.linker.resolveFunctionRef(uri, t.ref)?.model.key ?? null : null,
        })),
      };
      this.modelCache.set(uri, model);
      return model;
    }, undefined);
  }

  literalAt(uri: string, pos: Pos): LocatedLiteral | undefined {
    const m = this.file(uri);
    if (!m) return undefined;
    let best: LocatedLiteral | undefined;
    for (const l of m.literals) {
      if (!containsPos(l.range, pos)) continue;
      if (!best || l.range.start.line > best.range.start.line || (l.range.start.line === best.range.start.line && l.range.start.character >= best.range.start.character)) best = l;
    }
    return best;
  }

  eventReferences(name: string): Loc[] {
    return this.safe(() => {
      const linked = this.link();
      const out: Loc[] = [];
      for (const f of this.summaries.values()) {
        const lits = [...f.literals, ...(linked.extraLiterals.get(f.uri) ?? [])];
        for (const l of lits) if (l.kind === 'event-name' && l.name === name && l.role !== 'invoke-target') out.push({ uri: f.uri, range: l.range });
        for (const r of f.eventRefs) if (linked.linker.eventTypeName(f.uri, r.ref) === name) out.push({ uri: f.uri, range: r.range });
      }
      return out;
    }, []);
  }

  /**
   * An event name written as an identifier at a position: a v4 eventType value or a string constant
   * (`triggers: [userSignedUp]`, `{ event: CONST }`, `send({ name: CONST })`), or the string of a
   * constant that names a known event. `constLoc`: where the constant's string is, when it is one.
   */
  eventNameAt(uri: string, pos: Pos): { name: string; range: Rng; constLoc?: Loc } | undefined {
    return this.safe(() => {
      const s = this.summaries.get(uri);
      if (!s) return undefined;
      const { linker } = this.link();
      const viaRef = (ref: string, range: Rng): { name: string; range: Rng; constLoc?: Loc } | undefined => {
        const r = linker.resolveValue(uri, ref);
        if (r?.decl.kind === 'string') return { name: r.decl.value, range, constLoc: r.decl.range ? { uri: r.uri, range: r.decl.range } : undefined };
        const name = linker.eventTypeName(uri, ref);
        return name ? { name, range } : undefined;
      };
      for (const r of s.eventRefs) if (containsPos(r.range, pos)) return viaRef(r.ref, r.range);
      for (const send of s.sends) {
        for (const p of send.payloads) if (p.ref && p.name === null && p.nameRange && containsPos(p.nameRange, pos)) return viaRef(p.ref, p.nameRange);
      }
      for (const v of s.values.values()) {
        if (v.kind === 'string' && v.range && containsPos(v.range, pos) && this.entries().events.has(v.value)) return { name: v.value, range: v.range, constLoc: { uri, range: v.range } };
      }
      return undefined;
    }, undefined);
  }

  findFunction(s: string): FunctionEntry | undefined {
    return this.safe(() => {
      const linked = this.link();
      const { functions } = this.entries();
      const byKey = linked.linker.functionsByKey.get(s);
      if (byKey) return functions.find((f) => f.uri === byKey.uri && f.range === byKey.model.range);
      return (
        functions.find((f) => f.slug === s) ??
        functions.find((f) => f.id === s) ??
        // the executor's `<appId>-<id>` for a function whose client we could not resolve
        functions.find((f) => f.appId === null && !f.idUnresolved && s.endsWith(`-${f.id}`))
      );
    }, undefined);
  }

  stepLocation(functionId: string, stepId: string): Loc | null {
    return this.safe(() => this.stepLocationUnsafe(functionId, stepId), null);
  }

  private stepLocationUnsafe(functionId: string, stepId: string): Loc | null {
    const failure = functionId.endsWith('-failure') && !this.findFunction(functionId);
    const fn = this.findFunction(failure ? functionId.slice(0, -'-failure'.length) : functionId);
    if (!fn) return null;
    const s = this.summaries.get(fn.uri);
    const key = s?.functions.find((f) => f.model.range === fn.range)?.model.key;
    if (!s || !key) return null;
    const base = stepId.replace(/:\d+$/, '');
    // the function's own steps, then those of its handler passed by name (this file or imported)
    const sources = failure ? [{ uri: fn.uri, key }] : this.link().linker.functionsByKey.get(key)?.stepSources ?? [{ uri: fn.uri, key }];
    for (const want of [stepId, base]) {
      for (const src of sources) {
        const steps = this.summaries.get(src.uri)?.steps ?? [];
        const step = steps.find((x) => x.functionKey === src.key && x.inFailureHandler === failure && x.id === want);
        if (step) return { uri: src.uri, range: step.idRange ?? step.range };
      }
    }
    // steps written in helpers that receive `step`: this file first, then anywhere
    for (const f of [s, ...this.summaries.values().filter((x) => x !== s)]) {
      const h = f.steps.find((x) => x.functionKey.startsWith('helper:') && (x.id === stepId || x.id === base));
      if (h) return { uri: f.uri, range: h.idRange ?? h.range };
    }
    return null;
  }

  invokeTargetAt(uri: string, pos: Pos): FunctionEntry | undefined {
    return this.safe(() => this.invokeTargetAtUnsafe(uri, pos), undefined);
  }

  private invokeTargetAtUnsafe(uri: string, pos: Pos): FunctionEntry | undefined {
    const m = this.file(uri);
    const t = m?.invokeTargets.find((x) => containsPos(x.range, pos));
    if (t?.targetKey) return this.findFunction(t.targetKey);
    const lit = this.literalAt(uri, pos);
    return lit?.kind === 'event-name' && lit.role === 'invoke-target' ? this.findFunction(lit.name) : undefined;
  }

  private safe<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch (err) {
      this.logger?.log('error', 'Steplens analysis failed; answering with what is known.', { error: err instanceof Error ? err.stack ?? err.message : String(err) });
      return fallback;
    }
  }
}

/** Length and FNV-1a hash of a text: enough to notice that a file was set again unchanged. */
function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${text.length}:${h >>> 0}`;
}

const cronDescriptions = new Map<string, string | undefined>();

function describeCron(cron: string): string | undefined {
  if (cronDescriptions.has(cron)) return cronDescriptions.get(cron);
  const d = describeCronUncached(cron);
  if (cronDescriptions.size > 5000) cronDescriptions.clear();
  cronDescriptions.set(cron, d);
  return d;
}

function describeCronUncached(cron: string): string | undefined {
  const r = checkCron(cron);
  if (!r.ok) return undefined;
  try {
    const text = cronstrue.toString(r.pattern, { use24HourTimeFormat: true });
    return r.timezone ? `${text} (${r.timezone})` : text;
  } catch {
    return undefined;
  }
}
