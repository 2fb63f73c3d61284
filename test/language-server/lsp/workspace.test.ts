// The workspace crawler and its bookkeeping on a real temp file system (no server): symlink loops,
// files vanishing mid-crawl, exclusions, editor text winning over disk, deletes and renames, large
// files, and an index that throws.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import { mkdtemp, mkdir, rm, symlink, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Workspace, canonicalUri, type IndexSink } from '../../../language-server/workspace';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../../../language-server/features/settings';
import type { Logger } from '../../../language-server/features/logger';

let root: string;

class RecordingIndex implements IndexSink {
  readonly files = new Map<string, string>();
  onSet?: (uri: string) => void;
  setFile(uri: string, text: string): void {
    this.onSet?.(uri);
    this.files.set(uri, text);
  }
  removeFile(uri: string): void {
    this.files.delete(uri);
  }
  rel(): string[] {
    return [...this.files.keys()].map((u) => path.relative(root, new URL(u).pathname).split(path.sep).join('/')).sort();
  }
}

function recordingLogger(lines: string[]): Logger {
  const l: Logger = { log: (_lvl, msg) => void lines.push(msg), child: () => l };
  return l;
}

async function put(rel: string, text = 'export const x = 1;\n'): Promise<void> {
  const abs = path.join(root, rel);
  await mkdir(path.dirname(abs), { recursive: true });
  await writeFile(abs, text);
}

function make(settings: Partial<Settings> = {}, logs: string[] = []): { ws: Workspace; index: RecordingIndex } {
  const index = new RecordingIndex();
  const s = { ...DEFAULT_SETTINGS, ...settings };
  const ws = new Workspace({ index, logger: recordingLogger(logs), settings: () => s });
  ws.addFolder(pathToFileURL(root).href);
  return { ws, index };
}

const uri = (rel: string): string => pathToFileURL(path.join(root, rel)).href;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'steplens-ws-'));
  await put('package.json', '{"name":"app"}');
  await put('src/a.ts');
  await put('src/b.tsx');
  await put('src/c.mjs');
  await put('src/readme.md', '# not source');
  await put('src/deep/d.js');
  await put('node_modules/dep/index.js');
  await put('src/node_modules/inner.ts');
  await put('dist/out.js');
  await put('build/x.ts');
  await put('.next/server.js');
  await put('generated/g.ts');
  await put('src/thing.gen.ts');
  // a symlink loop and a link to a directory already crawled
  await symlink(path.join(root, 'src'), path.join(root, 'src/deep/loop'));
  await symlink(path.join(root, 'nowhere'), path.join(root, 'src/dangling.ts'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

void test('crawl indexes TS/JS sources and package.json, skips node_modules, build output, excludes, and survives symlink loops', async () => {
  const { ws, index } = make({ exclude: ['generated/**', '**/*.gen.ts'] });
  const n = await ws.crawl();
  assert.deepEqual(index.rel(), ['package.json', 'src/a.ts', 'src/b.tsx', 'src/c.mjs', 'src/deep/d.js']);
  assert.equal(n, 5);
});

void test('files that vanish between listing and reading are skipped, not fatal', async () => {
  await put('vanish/one.ts');
  await put('vanish/two.ts');
  await put('vanish/three.ts');
  const { ws, index } = make();
  let removed = false;
  const progress = {
    report: (done: number) => {
      // after the listing (first report, done = 0), delete files before they are read
      if (done === 0 && !removed) {
        removed = true;
        unlinkSync(path.join(root, 'vanish/two.ts'));
        unlinkSync(path.join(root, 'vanish/three.ts'));
      }
    },
  };
  await ws.crawl(progress);
  assert.ok(removed);
  assert.ok(index.files.has(uri('vanish/one.ts')));
  assert.ok(!index.files.has(uri('vanish/two.ts')));
  assert.ok(!index.files.has(uri('vanish/three.ts')));
  await rm(path.join(root, 'vanish'), { recursive: true, force: true });
});

void test('the editor text wins while open; closing brings back the disk text; deletes leave open files alone', async () => {
  const { ws, index } = make();
  await ws.crawl();
  assert.equal(index.files.get(uri('src/a.ts')), 'export const x = 1;\n');
  ws.setEditorText(uri('src/a.ts'), 'edited');
  assert.equal(index.files.get(uri('src/a.ts')), 'edited');
  await ws.fileChanged(uri('src/a.ts')); // a save on disk while open does not override the buffer
  assert.equal(index.files.get(uri('src/a.ts')), 'edited');
  ws.fileDeleted(uri('src/a.ts'));
  assert.equal(index.files.get(uri('src/a.ts')), 'edited');
  await ws.closeEditor(uri('src/a.ts'));
  assert.equal(index.files.get(uri('src/a.ts')), 'export const x = 1;\n');
  // an open untitled-on-disk file disappears on close
  ws.setEditorText(uri('src/new.ts'), 'draft');
  assert.ok(index.files.has(uri('src/new.ts')));
  await ws.closeEditor(uri('src/new.ts'));
  assert.ok(!index.files.has(uri('src/new.ts')));
  // files the index must not see are refused even from the editor
  assert.equal(ws.setEditorText(uri('node_modules/dep/index.js'), 'x'), false);
  assert.equal(ws.setEditorText(uri('src/readme.md'), 'x'), false);
});

void test('deleting a folder removes everything under it; renaming a folder re-reads it at the new place', async () => {
  await put('moving/m1.ts');
  await put('moving/sub/m2.ts');
  const { ws, index } = make();
  await ws.crawl();
  assert.ok(index.files.has(uri('moving/sub/m2.ts')));
  await rename(path.join(root, 'moving'), path.join(root, 'moved'));
  await ws.renamed(uri('moving'), uri('moved'));
  assert.ok(!index.files.has(uri('moving/m1.ts')));
  assert.ok(index.files.has(uri('moved/m1.ts')));
  assert.ok(index.files.has(uri('moved/sub/m2.ts')));
  await rm(path.join(root, 'moved'), { recursive: true });
  ws.fileDeleted(uri('moved'));
  assert.ok(![...index.files.keys()].some((k) => k.includes('/moved/')));
});

void test('changes are announced with the URIs that changed', async () => {
  const seen: string[][] = [];
  const index = new RecordingIndex();
  const ws = new Workspace({ index, logger: recordingLogger([]), settings: () => DEFAULT_SETTINGS, onDidChange: (u) => void seen.push([...u]) });
  ws.addFolder(pathToFileURL(root).href);
  await ws.crawl();
  assert.equal(seen.length, 1);
  ws.setEditorText(uri('src/b.tsx'), 'y');
  assert.deepEqual(seen.at(-1), [uri('src/b.tsx')]);
});

void test('files above maxFileSize are still given to the index (it reads them shallowly) and the server says so once', async () => {
  await put('big/huge.ts', `export const data = ${JSON.stringify('x'.repeat(5000))};\n`);
  const logs: string[] = [];
  const { ws, index } = make({ maxFileSize: 1000 }, logs);
  await ws.crawl();
  await ws.crawl();
  ws.setEditorText(uri('big/huge.ts'), 'y'.repeat(2000));
  assert.ok(index.files.has(uri('big/huge.ts')));
  assert.equal(logs.filter((l) => l.includes('huge.ts')).length, 1);
  await rm(path.join(root, 'big'), { recursive: true });
});

void test('an index that throws on a file leaves the workspace working', async () => {
  const logs: string[] = [];
  const index = new RecordingIndex();
  index.onSet = (u) => {
    if (u.endsWith('b.tsx')) throw new Error('boom');
  };
  const ws = new Workspace({ index, logger: recordingLogger(logs), settings: () => DEFAULT_SETTINGS });
  ws.addFolder(pathToFileURL(root).href);
  await ws.crawl();
  assert.ok(index.files.has(uri('src/a.ts')));
  assert.ok(!index.files.has(uri('src/b.tsx')));
  assert.ok(logs.some((l) => l.includes('analysis failed')));
});

void test('canonical URIs make the editor and the crawler agree on one file', () => {
  const p = path.join(root, 'dir with space', 'ü.ts');
  const a = pathToFileURL(p).href;
  assert.equal(canonicalUri(a.replace('%C3%BC', '%c3%bc')), a);
});

void test('settings parse from a section, a nested tree, flat keys or a files.exclude-style object', () => {
  assert.deepEqual(parseSettings({ exclude: ['a/**'], maxFileSize: 10 }).exclude, ['a/**']);
  assert.equal(parseSettings({ steplens: { languageServer: { maxFileSize: 42 } } }).maxFileSize, 42);
  assert.equal(parseSettings({ 'steplens.languageServer.hints': false }).hints, false);
  assert.deepEqual(parseSettings({ exclude: { 'x/**': true, 'y/**': false } }).exclude, ['x/**']);
  assert.equal(parseSettings({ maxFileSize: -1, logLevel: 'loud' }).maxFileSize, DEFAULT_SETTINGS.maxFileSize);
  assert.equal(parseSettings(null).logLevel, 'info');
  assert.equal(parseSettings({ logLevel: 'trace' }).logLevel, 'debug');
});
