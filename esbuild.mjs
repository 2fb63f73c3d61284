// One build context per bundle (CONVENTIONS.md). `node esbuild.mjs [--production] [--watch]`.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, cpSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Rewrites the non-ASCII UTF-16 units left in `file` after a build as \uXXXX escapes (language server bundle only). */
function asciiOutput(file) {
  return {
    name: 'ascii-output',
    setup(build) {
      build.onEnd(async (result) => {
        if (result.errors.length) return;
        const { readFile, writeFile } = await import('node:fs/promises');
        const text = await readFile(file, 'utf8');
        if (!/[^\x00-\x7f]/.test(text)) return;
        await writeFile(file, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
      });
    },
  };
}

/** @type {import('esbuild').BuildOptions[]} */
const bundles = [
  // The VS Code extension host side: the only bundle that imports `vscode`.
  { entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  // The language server, started as `node dist/language-server.js --stdio` (or over IPC by the extension):
  // that file is a small loader (language-server/loader.ts) that compiles the real server,
  // dist/language-server-main.js, with a V8 code cache. That bundle is kept pure ASCII (the loader then
  // decodes it as latin1, ~10x cheaper than utf8 on 11 MB): esbuild leaves non-ASCII characters in
  // regular expression literals, which the plugin escapes (\uXXXX means the same character there).
  { entryPoints: ['language-server/server.ts'], outfile: 'dist/language-server-main.js', platform: 'node', format: 'cjs', plugins: [asciiOutput('dist/language-server-main.js')] },
  { entryPoints: ['language-server/loader.ts'], outfile: 'dist/language-server.js', platform: 'node', format: 'cjs' },
  // The dev executor and its CLI (`steplens dev`).
  { entryPoints: ['runtime/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs' },
  // The panel: runs in a VS Code webview and in a plain browser tab.
  { entryPoints: ['media/main.ts'], outfile: 'dist/media/panel.js', platform: 'browser', format: 'iife' },
];

const common = {
  bundle: true,
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const present = bundles.filter((b) => b.entryPoints.every((e) => existsSync(e)));
const contexts = await Promise.all(present.map((b) => esbuild.context({ ...common, ...b, ...(b.platform === 'browser' ? { target: 'es2022' } : {}) })));

function copyAssets() {
  // Static files the bundles load at run time.
  mkdirSync('dist/media', { recursive: true });
  if (existsSync('media/static')) cpSync('media/static', 'dist/media', { recursive: true });
  const wasm = 'node_modules/node-sqlite3-wasm/dist/node-sqlite3-wasm.wasm';
  if (existsSync(wasm)) cpSync(wasm, 'dist/node-sqlite3-wasm.wasm');
}

if (watch) {
  copyAssets();
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  copyAssets();
}
