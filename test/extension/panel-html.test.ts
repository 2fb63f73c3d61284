import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { isEventApiPath, isProxyablePath, renderPanelHtml } from '../../extension/panelHtml';

const vals = { nonce: 'abc123', cspSource: 'https://x.vscode-cdn.net', assetBase: 'https://x.vscode-cdn.net/dist/media/', boot: { mode: 'vscode' as const, route: { view: 'composer' as const, eventName: 'a"<b>' } } };

void test('fills the placeholders; BOOT in an attribute survives HTML parsing as JSON', () => {
  const tpl = '<head><meta http-equiv="Content-Security-Policy" content="script-src \'nonce-%NONCE%\'; style-src %CSP_SOURCE%"><meta name="steplens-boot" content="%BOOT%"></head><script nonce="%NONCE%" src="%ASSET_BASE%/panel.js"></script>';
  const html = renderPanelHtml(tpl, vals);
  assert.ok(!html.includes('%'), html);
  assert.match(html, /nonce-abc123/);
  assert.match(html, /src="https:\/\/x\.vscode-cdn\.net\/dist\/media\/panel\.js"/);
  const attr = /name="steplens-boot" content="([^"]*)"/.exec(html)![1]!;
  const decoded = attr.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  assert.deepEqual(JSON.parse(decoded), vals.boot);
});

void test('adds a strict CSP when the template has none', () => {
  const html = renderPanelHtml('<html><head></head><body><script nonce="%NONCE%">var b = %BOOT%;</script></body></html>', vals);
  assert.match(html, /Content-Security-Policy/);
  assert.match(html, /default-src 'none'/);
  assert.match(html, /script-src 'nonce-abc123'/);
  assert.ok(!/<\/?b>/.test(html.split('var b = ')[1]!), 'no raw < > from the payload inside the script');
});

void test('the built index.html, if present, has every placeholder the host fills', { skip: !existsSync('dist/media/index.html') && 'dist/media/index.html not built' }, () => {
  const t = readFileSync('dist/media/index.html', 'utf8');
  for (const p of ['%NONCE%', '%CSP_SOURCE%', '%ASSET_BASE%', '%BOOT%']) assert.ok(t.includes(p), `${p} missing`);
  const html = renderPanelHtml(t, vals);
  assert.match(html, /Content-Security-Policy/);
  assert.ok(!/%[A-Z_]+%/.test(html));
});

void test('only executor-relative paths are proxied for the panel', () => {
  assert.ok(isProxyablePath('/api/runs?limit=10'));
  assert.ok(!isProxyablePath('http://evil.example/api'));
  assert.ok(!isProxyablePath('//evil.example/api'));
  assert.ok(!isProxyablePath('api/runs'));
  assert.ok(isEventApiPath('/e/anykey'));
  assert.ok(!isEventApiPath('/api/events'));
});
