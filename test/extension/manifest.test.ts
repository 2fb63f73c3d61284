// package.json's "contributes" and "activationEvents" must be exactly what extension/manifest.ts
// generates, and the typed Settings object must cover every contributed setting with the same
// type and default (CONVENTIONS.md §11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Commands, SECTION, SETTINGS, SETTING_KEYS, activationEvents, type contributes, fullContributes, packageFields, readSettings, type Settings } from '../../extension/manifest';
import { SETTINGS_SECTION, settingsSchema as serverSettings } from '../../language-server/features/settings';

const pkg = JSON.parse(readFileSync(join(import.meta.dirname ?? __dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: typeof contributes;
  activationEvents: string[];
  main: string;
  icon: string;
  galleryBanner: unknown;
};

void test('package.json contributes is generated from extension/manifest.ts (run: node --import tsx extension/manifest.ts --write)', () => {
  assert.deepEqual(pkg.contributes, JSON.parse(JSON.stringify(fullContributes(serverSettings))));
  assert.deepEqual(pkg.activationEvents, activationEvents);
  assert.equal(pkg.main, './dist/extension.js');
  assert.equal(pkg.icon, packageFields.icon);
  assert.deepEqual(pkg.galleryBanner, packageFields.galleryBanner);
});

void test('contributes.configuration has exactly the keys of the typed Settings, with matching types and defaults', () => {
  const props = pkg.contributes.configuration.properties as Record<string, { type: string; default: unknown; enum?: unknown[] }>;
  const own = Object.keys(props).filter((k) => !k.startsWith(`${SETTINGS_SECTION}.`));
  assert.deepEqual(own.sort(), SETTING_KEYS.map((k) => `${SECTION}.${k}`).sort());
  assert.deepEqual(Object.keys(props).filter((k) => k.startsWith(`${SETTINGS_SECTION}.`)).sort(), Object.keys(serverSettings).sort(), 'the language server settings are contributed too');
  const defaults = readSettings(() => undefined);
  for (const key of SETTING_KEYS) {
    const p = props[`${SECTION}.${key}`]!;
    assert.ok(p.type, `${key} has a type`);
    assert.deepEqual(p.default, defaults[key], `${key} default`);
    const jsType = Array.isArray(defaults[key]) ? 'array' : typeof defaults[key];
    assert.equal(p.type, jsType, `${key}: schema says ${p.type}, Settings holds ${jsType}`);
    assert.ok(typeof (SETTINGS[key] as { description?: string }).description === 'string');
  }
});

void test('readSettings keeps valid values and falls back to defaults for invalid ones', () => {
  const given: Partial<Record<keyof Settings, unknown>> = { port: 9000, appUrls: ['http://127.0.0.1:3000/api/inngest'], logLevel: 'loud', discovery: 'yes' };
  const s = readSettings((k) => given[k] as never);
  assert.equal(s.port, 9000);
  assert.deepEqual(s.appUrls, ['http://127.0.0.1:3000/api/inngest']);
  assert.equal(s.logLevel, 'info');
  assert.equal(s.discovery, true);
  assert.equal(s.autoStart, true);
});

void test('every command the manifest declares is contributed, and command ids are unique', () => {
  const contributed = pkg.contributes.commands.map((c) => c.command);
  assert.deepEqual([...contributed].sort(), Object.values(Commands).sort());
  assert.equal(new Set(contributed).size, contributed.length);
});

void test('the .vsix ships every bundle esbuild writes (.vscodeignore keeps each outfile)', async () => {
  const root = join(import.meta.dirname ?? __dirname, '..', '..');
  const build = readFileSync(join(root, 'esbuild.mjs'), 'utf8');
  const outfiles = [...build.matchAll(/outfile:\s*'([^']+)'/g)].map((m) => m[1]!);
  assert.ok(outfiles.length >= 4, `found only ${outfiles.length} outfiles in esbuild.mjs`);
  const picomatch = (await import('picomatch')).default;
  const rules = readFileSync(join(root, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  // Later rules win, as in vsce: `**` excludes everything, `!path` brings a file back.
  const shipped = (file: string) => {
    let keep = true;
    for (const r of rules) {
      const negate = r.startsWith('!');
      if (picomatch(negate ? r.slice(1) : r, { dot: true })(file)) keep = negate;
    }
    return keep;
  };
  for (const f of [...outfiles, 'dist/node-sqlite3-wasm.wasm']) assert.ok(shipped(f), `${f} is built but .vscodeignore leaves it out of the .vsix`);
});
