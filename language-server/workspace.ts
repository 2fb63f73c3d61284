// The workspace: which files exist, what text each has (editor buffer first, disk otherwise), and the
// feeding of that text into the analysis index. Knows files and folders, not LSP: server.ts turns
// connection events into calls here, features/ read the index.
//
// - crawl(): every TS/JS file under the workspace folders, skipping node_modules, build output and the
//   `exclude` setting; follows symlinks once (loops are cut by real path); files that vanish mid-crawl
//   are skipped; yields to the event loop between batches so requests keep being answered.
// - open/change/close: the editor's text wins while a document is open; on close the disk text returns.
// - fileChanged/fileDeleted/renamed: from workspace/didChangeWatchedFiles and workspace/did*Files.
import { promises as fsp, readFileSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import picomatch from 'picomatch';
import { BUILTIN_EXCLUDED_DIRS, type Settings } from './features/settings';
import type { Logger } from './features/logger';

/** What the workspace feeds. The analysis WorkspaceIndex satisfies it. */
export interface IndexSink {
  setFile(uri: string, text: string): unknown;
  removeFile(uri: string): unknown;
}

export interface Progress {
  report(done: number, total: number, message?: string): void;
  /** The work is over (called once, before the results are announced). */
  done?(): void;
}

export const SOURCE_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);

/** Canonical form of a file URI so the editor's and the crawler's spellings of one file compare equal. */
export function canonicalUri(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return pathToFileURL(fileURLToPath(uri)).href;
  } catch {
    return uri;
  }
}

export function uriToPath(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

/** Absolute POSIX paths that pathToFileURL leaves as they are: no character needs percent-encoding. */
const PLAIN_POSIX_PATH = /^\/[A-Za-z0-9/._-]*$/;

export function pathToUri(p: string): string {
  // The crawl turns every file's path into a URI: the plain case is a concatenation (pathToFileURL
  // builds a URL object each time, ~5 µs). Anything else takes the full path.
  if (path.sep === '/' && PLAIN_POSIX_PATH.test(p) && path.posix.normalize(p) === p) return `file://${p}`;
  return pathToFileURL(p).href;
}

/** TS/JS sources, and package.json files (they tell the analysis where packages start and which SDK major each uses). */
export function isSourceFile(p: string): boolean {
  return SOURCE_EXTENSIONS.has(path.extname(p).toLowerCase()) || path.basename(p) === 'package.json';
}

/** Never read files above this size at all (the index reads files above maxFileSize only shallowly). */
export const HARD_MAX_FILE_BYTES = 32 * 1024 * 1024;

export class WorkspaceCrawlError extends Error {
  override readonly name = 'WorkspaceCrawlError';
}

interface FolderState {
  root: string;
  excluded: (rel: string) => boolean;
}

export interface FileRecord {
  /** Where the current text came from. */
  source: 'disk' | 'editor';
  size: number;
}

export interface WorkspaceOptions {
  index: IndexSink;
  logger: Logger;
  settings: () => Settings;
  /** Called after any change to the index with the URIs that changed (set or removed). */
  onDidChange?: (uris: readonly string[]) => void;
}

const BATCH = 64;

export class Workspace {
  private readonly folders = new Map<string, FolderState>();
  private readonly files = new Map<string, FileRecord>();
  private readonly open = new Map<string, string>();
  private readonly toldTooLarge = new Set<string>();
  private disposed = false;

  constructor(private opts: WorkspaceOptions) {}

  /** Swap the index (e.g. after maxFileSize changed); call crawl() next to refill it. */
  replaceIndex(index: IndexSink): void {
    this.opts.index = index;
    this.files.clear();
    for (const [uri, text] of this.open) {
      this.files.set(uri, { source: 'editor', size: text.length });
      this.safeSet(uri, text);
    }
  }

  /** URIs currently fed into the index. */
  indexedUris(): string[] {
    return [...this.files.keys()];
  }

  has(uri: string): boolean {
    return this.files.has(canonicalUri(uri));
  }

  /** Text of an open document, if the editor has it open. */
  openText(uri: string): string | undefined {
    return this.open.get(canonicalUri(uri));
  }

  folderRoots(): string[] {
    return [...this.folders.values()].map((f) => f.root);
  }

  /** Add a workspace folder (no crawl yet). */
  addFolder(folderUri: string): void {
    const root = uriToPath(folderUri);
    if (!root) {
      this.opts.logger.log('warn', 'ignoring a workspace folder that is not on disk', { folderUri });
      return;
    }
    this.folders.set(path.resolve(root), { root: path.resolve(root), excluded: this.makeExcluder() });
  }

  /** Forget a folder and drop its files from the index. */
  removeFolder(folderUri: string): void {
    const root = uriToPath(folderUri);
    if (!root) return;
    const abs = path.resolve(root);
    this.folders.delete(abs);
    const removed: string[] = [];
    for (const uri of [...this.files.keys()]) {
      const p = uriToPath(uri);
      if (p && isInside(abs, p) && !this.folderOf(p) && !this.open.has(uri)) {
        this.files.delete(uri);
        this.safeRemove(uri);
        removed.push(uri);
      }
    }
    this.emit(removed);
  }

  /** Settings changed: rebuild exclude matchers; call crawl() again to apply them. */
  refreshSettings(): void {
    for (const f of this.folders.values()) f.excluded = this.makeExcluder();
  }

  /**
   * Crawl every folder and (re)feed the index. Files no longer found are removed. Returns the count of
   * files indexed. Never throws for a single unreadable file or directory.
   */
  async crawl(progress?: Progress): Promise<number> {
    const found = new Set<string>();
    const candidates: string[] = [];
    for (const folder of this.folders.values()) {
      await this.walk(folder, candidates);
    }
    const total = candidates.length;
    progress?.report(0, total, `${total} files`);
    const changed: string[] = [];
    for (let i = 0; i < candidates.length; i += BATCH) {
      if (this.disposed) break;
      for (const p of candidates.slice(i, i + BATCH)) {
        // Synchronous reads: for thousands of small files they cost a fraction of the promise API's
        // open/fstat/read/close round trips; the batch is small and the loop yields after it.
        const text = this.readSourceSync(p);
        if (text === undefined) continue;
        const uri = pathToUri(p);
        found.add(uri);
        if (this.open.has(uri)) continue; // the editor's text wins
        this.files.set(uri, { source: 'disk', size: text.length });
        this.safeSet(uri, text);
        changed.push(uri);
      }
      progress?.report(Math.min(i + BATCH, total), total);
      await yieldToEventLoop();
    }
    for (const uri of [...this.files.keys()]) {
      if (!found.has(uri) && !this.open.has(uri)) {
        this.files.delete(uri);
        this.safeRemove(uri);
        changed.push(uri);
      }
    }
    this.emit(changed);
    return found.size;
  }

  /** textDocument/didOpen and didChange: the editor's text replaces the disk text. */
  setEditorText(rawUri: string, text: string): boolean {
    const uri = canonicalUri(rawUri);
    if (!this.accepts(uri, true)) return false;
    this.open.set(uri, text);
    this.noteSize(text.length, () => uri);
    this.files.set(uri, { source: 'editor', size: text.length });
    this.safeSet(uri, text);
    this.emit([uri]);
    return true;
  }

  /** textDocument/didClose: back to what is on disk (or gone, if the file never existed there). */
  async closeEditor(rawUri: string): Promise<void> {
    const uri = canonicalUri(rawUri);
    if (!this.open.delete(uri)) return;
    await this.fileChanged(uri);
  }

  /** A file was created or changed on disk (watched files). Ignored while the editor has it open. */
  async fileChanged(rawUri: string): Promise<void> {
    const uri = canonicalUri(rawUri);
    if (this.open.has(uri)) return;
    const p = uriToPath(uri);
    if (!p || !this.accepts(uri)) return;
    const text = await this.readSource(p);
    if (this.open.has(uri)) return;
    if (text === undefined) {
      this.fileDeleted(uri);
      return;
    }
    this.files.set(uri, { source: 'disk', size: text.length });
    this.safeSet(uri, text);
    this.emit([uri]);
  }

  /** A file or folder was deleted on disk. A folder URI removes everything under it. */
  fileDeleted(rawUri: string): void {
    const uri = canonicalUri(rawUri);
    const removed: string[] = [];
    const prefix = uri.endsWith('/') ? uri : `${uri}/`;
    for (const known of [...this.files.keys()]) {
      if ((known === uri || known.startsWith(prefix)) && !this.open.has(known)) {
        this.files.delete(known);
        this.safeRemove(known);
        removed.push(known);
      }
    }
    this.emit(removed);
  }

  /** A file or folder was renamed: drop the old URIs, read the new place from disk. */
  async renamed(oldUri: string, newUri: string): Promise<void> {
    this.fileDeleted(oldUri);
    const p = uriToPath(canonicalUri(newUri));
    if (!p) return;
    let isDir = false;
    try {
      isDir = (await fsp.stat(p)).isDirectory();
    } catch {
      return;
    }
    if (!isDir) {
      await this.fileChanged(newUri);
      return;
    }
    const folder = this.folderOf(p);
    if (!folder) return;
    const found: string[] = [];
    await this.walkDir(folder, p, found, new Set());
    for (const f of found) await this.fileChanged(pathToUri(f));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.files.clear();
    this.open.clear();
  }

  /** Whether this URI belongs in the index: a source file inside a folder and not excluded (open files outside folders count). */
  accepts(uri: string, fromEditor = false): boolean {
    const p = uriToPath(uri);
    if (!p || !isSourceFile(p)) return false;
    const folder = this.folderOf(p);
    if (!folder) return fromEditor || this.open.has(uri) || this.folders.size === 0;
    const rel = path.relative(folder.root, p).split(path.sep);
    for (let i = 0; i < rel.length - 1; i++) if (BUILTIN_EXCLUDED_DIRS.has(rel[i] as string)) return false;
    return !folder.excluded(rel.join('/'));
  }

  private folderOf(p: string): FolderState | undefined {
    let best: FolderState | undefined;
    for (const f of this.folders.values()) {
      if (isInside(f.root, p) && (!best || f.root.length > best.root.length)) best = f;
    }
    return best;
  }

  private makeExcluder(): (rel: string) => boolean {
    const globs = this.opts.settings().exclude;
    if (globs.length === 0) return EXCLUDE_NOTHING;
    try {
      return picomatch(globs, { dot: true });
    } catch (err) {
      this.opts.logger.log('warn', 'ignoring invalid steplens.languageServer.exclude globs', { globs, error: err });
      return EXCLUDE_NOTHING;
    }
  }

  private async walk(folder: FolderState, out: string[]): Promise<void> {
    await this.walkDir(folder, folder.root, out, new Set());
  }

  private async walkDir(folder: FolderState, start: string, out: string[], seen: Set<string>): Promise<void> {
    const stack = [start];
    while (stack.length) {
      const dir = stack.pop() as string;
      let real: string;
      try {
        real = await fsp.realpath(dir);
      } catch {
        continue; // vanished or dangling
      }
      if (seen.has(real)) continue; // symlink loop or the same tree reached twice
      seen.add(real);
      let entries: Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (err) {
        this.opts.logger.log('debug', 'cannot read directory, skipping it', { dir, error: err });
        continue;
      }
      for (const e of entries) {
        const full = path.join(dir, e.name);
        // The folder-relative path only matters to `exclude` globs: not worked out for every entry without them.
        const rel = folder.excluded === EXCLUDE_NOTHING ? '' : path.relative(folder.root, full).split(path.sep).join('/');
        let isDir = e.isDirectory();
        let isFile = e.isFile();
        if (e.isSymbolicLink()) {
          try {
            const st = await fsp.stat(full);
            isDir = st.isDirectory();
            isFile = st.isFile();
          } catch {
            continue; // dangling link
          }
        }
        if (isDir) {
          if (BUILTIN_EXCLUDED_DIRS.has(e.name) || folder.excluded(rel)) continue;
          stack.push(full);
        } else if (isFile && isSourceFile(e.name) && !folder.excluded(rel)) {
          out.push(full);
        }
      }
    }
  }

  /**
   * readSource without the promise API (for the crawl's batches). One read call and no stat: for
   * thousands of small files the stat costs as much as the read. The hard size limit is checked on
   * the text instead (a file above it is read once, then dropped). The walk lists regular files
   * only (never a FIFO that would block the read).
   */
  private readSourceSync(p: string): string | undefined {
    try {
      const text = readFileSync(p, 'utf8');
      return this.withinHardLimit(text.length, p) ? this.noted(text, p) : undefined;
    } catch (err) {
      return this.unreadable(err, p);
    }
  }

  /** The file's text, or undefined when it is gone, unreadable or above the hard size limit. */
  private async readSource(p: string): Promise<string | undefined> {
    try {
      const st = await fsp.stat(p);
      return st.isFile() && this.withinHardLimit(st.size, p) ? this.noted(await fsp.readFile(p, 'utf8'), p) : undefined;
    } catch (err) {
      return this.unreadable(err, p);
    }
  }

  /** Within the hard size limit (a file above it is noted and skipped). */
  private withinHardLimit(size: number, p: string): boolean {
    if (size <= HARD_MAX_FILE_BYTES) return true;
    this.noteSize(size, () => pathToUri(p));
    return false;
  }

  private noted(text: string, p: string): string {
    this.noteSize(text.length, () => pathToUri(p));
    return text;
  }

  /** A file that vanished is skipped quietly; any other read error is logged at debug. */
  private unreadable(err: unknown, p: string): undefined {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') this.opts.logger.log('debug', 'cannot read file, skipping it', { path: p, error: err });
    return undefined;
  }

  /** Say once per file that it is too large for deep analysis (the index reads only its imports/exports). */
  private noteSize(size: number, uriOf: () => string): void {
    const max = this.opts.settings().maxFileSize;
    if (size <= max) return;
    const uri = uriOf(); // only for the rare large file: a URI per crawled file costs more than the check
    if (this.toldTooLarge.has(uri)) return;
    this.toldTooLarge.add(uri);
    const what = size > HARD_MAX_FILE_BYTES ? 'not reading' : 'reading only the imports and exports of';
    this.opts.logger.log('info', `${what} ${uri}: ${size} bytes is above steplens.languageServer.maxFileSize (${max}); raise the setting to analyse it`);
  }

  private safeSet(uri: string, text: string): void {
    try {
      this.opts.index.setFile(uri, text);
    } catch (err) {
      this.opts.logger.log('error', 'the analysis failed on a file; it is left out of the index', { uri, error: err });
      try {
        this.opts.index.removeFile(uri);
      } catch {
        // already reported
      }
    }
  }

  private safeRemove(uri: string): void {
    try {
      this.opts.index.removeFile(uri);
    } catch (err) {
      this.opts.logger.log('error', 'the analysis failed removing a file', { uri, error: err });
    }
  }

  private emit(uris: string[]): void {
    if (uris.length === 0 || this.disposed) return;
    try {
      this.opts.onDidChange?.(uris);
    } catch (err) {
      this.opts.logger.log('error', 'index change listener failed', { error: err });
    }
  }
}

const EXCLUDE_NOTHING = (): boolean => false;

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
