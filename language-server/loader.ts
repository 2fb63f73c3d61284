// dist/language-server.js: a small loader that compiles the real server bundle
// (dist/language-server-main.js, ~11 MB with `typescript`) with a V8 code cache, then runs it as the
// CommonJS module it is. Node 20 has no module.enableCompileCache, and compiling the bundle costs
// ~150 ms of every start; with the cache, V8 deserialises bytecode instead (a few tens of ms),
// including the functions the first index compiled (parser, extractor): server.ts asks the handle to
// save after that index (codeCache.ts).
//
// Cache file: <dir>/language-server-<v8 version>-<hash>.cache, where the hash covers the bundle's
// bytes, V8's version, the arch and the node flags (V8 itself only checks the source length, so a
// changed bundle of the same length must never meet an old cache). <dir> is `--code-cache-dir DIR`,
// else $STEPLENS_CODE_CACHE_DIR, else <os tmpdir>/steplens-code-cache; `--no-code-cache` turns it off.
// A cache V8 rejects (corruption, a V8 that computes its checks differently) is rewritten. Writes are
// atomic (temp file + rename) and never fail or block the server: a read-only dir just means no cache.
// Caches unused for a week are pruned when a new one is written.
import * as buffer from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync, promises as fsp } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { publishCodeCache, type CodeCacheHandle, type CodeCacheSaveResult, type CodeCacheStatus } from './codeCache';

const MAIN = path.join(__dirname, 'language-server-main.js');
const FORMAT = 1; // bump when the cache file's meaning changes
const PREFIX = 'language-server-';

function argValue(name: string): string | undefined {
  const argv = process.argv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === name) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

function cacheDir(): string | { off: string } {
  if (process.argv.includes('--no-code-cache')) return { off: '--no-code-cache was given' };
  const dir = argValue('--code-cache-dir') ?? process.env['STEPLENS_CODE_CACHE_DIR'] ?? path.join(tmpdir(), 'steplens-code-cache');
  return dir ? path.resolve(dir) : { off: 'the code cache directory is empty' };
}

function decode(bytes: Buffer): string {
  // Most of the bundle is ASCII (esbuild escapes strings); latin1 decoding of ASCII is far cheaper than utf8.
  const isAscii = (buffer as { isAscii?: (b: Buffer) => boolean }).isAscii;
  return bytes.toString(isAscii?.(bytes) ? 'latin1' : 'utf8');
}

function v8Tag(): string {
  return `${process.versions.v8}-${process.arch}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

function load(): void {
  const started = performance.now();
  let bytes: Buffer;
  try {
    bytes = readFileSync(MAIN);
  } catch (err) {
    throw new Error(`The Steplens language server bundle ${MAIN} cannot be read; rebuild it with \`node esbuild.mjs\` or reinstall the extension.`, { cause: err });
  }
  let status: CodeCacheStatus;
  let file: string | undefined;
  let cached: Buffer | undefined;
  const dir = cacheDir();
  if (typeof dir === 'string') {
    const hash = createHash('sha1')
      .update(`${FORMAT}\0${process.versions.v8}\0${process.arch}\0${process.execArgv.join(' ')}\0`)
      .update(bytes)
      .digest('hex')
      .slice(0, 20);
    file = path.join(dir, `${PREFIX}${v8Tag()}-${hash}.cache`);
    try {
      cached = readFileSync(file);
    } catch {
      cached = undefined;
    }
    status = { kind: 'missing', file };
  } else {
    status = { kind: 'disabled', reason: dir.off };
  }
  const script = new vm.Script(Module.wrap(decode(bytes)), { filename: MAIN, cachedData: cached });
  if (file && cached) status = script.cachedDataRejected ? { kind: 'rejected', file, bytes: cached.length } : { kind: 'accepted', file, bytes: cached.length };
  const compileMs = performance.now() - started;

  let saving: Promise<CodeCacheSaveResult> | undefined;
  const handle: CodeCacheHandle = {
    status,
    compileMs,
    save: () => (saving ??= save(script, status)),
  };
  publishCodeCache(handle);

  const wrapper = script.runInThisContext({ displayErrors: true }) as (
    exports: unknown,
    require: NodeJS.Require,
    module: Module,
    filename: string,
    dirname: string,
  ) => void;
  const mod = new Module(MAIN, module);
  mod.filename = MAIN;
  mod.paths = module.paths;
  const req = createRequire(MAIN);
  wrapper.call(mod.exports, mod.exports, req, mod, MAIN, path.dirname(MAIN));
  mod.loaded = true;
}

async function save(script: vm.Script, status: CodeCacheStatus): Promise<CodeCacheSaveResult> {
  if (status.kind === 'accepted') {
    // In use: a fresh mtime keeps it from being pruned as stale.
    const now = new Date();
    await fsp.utimes(status.file, now, now).catch(() => undefined);
    return { kind: 'unchanged' };
  }
  if (status.kind === 'disabled') return { kind: 'skipped', reason: status.reason };
  const file = status.file;
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    const data = script.createCachedData();
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, file);
    await pruneOthers(file);
    return { kind: 'written', file, bytes: data.length };
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    return { kind: 'failed', error: `${file}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** A cache unused this long belongs to a bundle, V8 or node flags no longer started. */
const STALE_MS = 7 * 24 * 3600_000;

/**
 * Removes caches nobody has used for a week (older bundles; an accepted cache gets a fresh mtime on
 * every start) and temp files of writes that died (best effort). Caches of other live variants (a
 * debug launch with other node flags, another editor's V8 sharing the dir) stay: they are in use.
 */
async function pruneOthers(keep: string): Promise<void> {
  const dir = path.dirname(keep);
  const now = Date.now();
  try {
    for (const name of await fsp.readdir(dir)) {
      const full = path.join(dir, name);
      if (!name.startsWith(PREFIX) || full === keep) continue;
      const tmp = name.endsWith('.tmp');
      if (!tmp && !name.endsWith('.cache')) continue;
      const st = await fsp.stat(full).catch(() => undefined);
      if (st && now - st.mtimeMs > (tmp ? 3600_000 : STALE_MS)) await fsp.rm(full, { force: true });
    }
  } catch {
    // another process pruned first, or the dir is not listable: harmless
  }
}

load();
