// The V8 code cache of the server bundle, as seen from both sides: `loader.ts` (dist/language-server.js)
// compiles dist/language-server-main.js with the cache and publishes a CodeCacheHandle on globalThis;
// server.ts logs its status and asks it to save once the first index is built (the cache then holds
// the functions that indexing compiled: the parser and the extractor, not only the top level).
// Plain data and one method: no LSP, no fs here.

/** How the cache was used when the bundle was compiled. */
export type CodeCacheStatus =
  /** A cache for this exact bundle and V8 was found and V8 accepted it. */
  | { kind: 'accepted'; file: string; bytes: number }
  /** No cache file yet (first launch of this bundle with this V8). */
  | { kind: 'missing'; file: string }
  /** A cache file was there but V8 refused it (other flags, corrupt): it is rewritten after the first index. */
  | { kind: 'rejected'; file: string; bytes: number }
  /** Turned off (`--no-code-cache`) or the loader could not work out where to keep it. */
  | { kind: 'disabled'; reason: string };

export type CodeCacheSaveResult =
  | { kind: 'written'; file: string; bytes: number }
  /** The cache in use was accepted: nothing to write. */
  | { kind: 'unchanged' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; error: string };

export interface CodeCacheHandle {
  status: CodeCacheStatus;
  /** Milliseconds the loader spent reading and compiling the bundle (before running it). */
  compileMs: number;
  /** Writes the cache if the one in use was missing or rejected. Never throws; at most once. */
  save(): Promise<CodeCacheSaveResult>;
}

const KEY = Symbol.for('steplens.languageServer.codeCache');

export function publishCodeCache(handle: CodeCacheHandle): void {
  (globalThis as Record<symbol, unknown>)[KEY] = handle;
}

/** The loader's handle, or undefined when the bundle was started without the loader (e.g. directly). */
export function codeCache(): CodeCacheHandle | undefined {
  return (globalThis as Record<symbol, unknown>)[KEY] as CodeCacheHandle | undefined;
}

/** One-line description for the log. */
export function describeCodeCache(h: CodeCacheHandle): string {
  const s = h.status;
  switch (s.kind) {
    case 'accepted':
      return `code cache used (${s.bytes} bytes, ${s.file}); bundle compiled in ${Math.round(h.compileMs)} ms`;
    case 'missing':
      return `no code cache yet (${s.file}); bundle compiled in ${Math.round(h.compileMs)} ms; it is written after the first index`;
    case 'rejected':
      return `code cache rejected by V8 (${s.file}); bundle compiled in ${Math.round(h.compileMs)} ms; it is rewritten after the first index`;
    case 'disabled':
      return `code cache off: ${s.reason}`;
  }
}

export function describeSave(r: CodeCacheSaveResult): string {
  switch (r.kind) {
    case 'written':
      return `code cache written (${r.bytes} bytes, ${r.file})`;
    case 'unchanged':
      return 'code cache unchanged';
    case 'skipped':
      return `code cache not written: ${r.reason}`;
    case 'failed':
      return `code cache not written: ${r.error} (the server works without it; starts are slower)`;
  }
}
