// Serves the panel (media/) at `/` and its files at `/assets/*`, for the browser mode of
// PRODUCT.md ("the same panel runs in a browser at the executor's URL").
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Reply } from './router';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export class Panel {
  constructor(private readonly mediaDir: string) {}

  index(hostHeader: string | undefined): Reply {
    const file = join(this.mediaDir, 'index.html');
    if (!existsSync(file)) {
      return {
        status: 200,
        raw: 'Steplens dev server is running.\nThe panel is not built: run `npm run build` to see it here.\nAPI: /api/health, /api/apps, /api/functions, /api/runs, /v1/events\n',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      };
    }
    const nonce = randomBytes(16).toString('base64');
    const host = hostHeader && /^[A-Za-z0-9.\-[\]:]+$/.test(hostHeader) ? hostHeader : '127.0.0.1';
    const boot = JSON.stringify({ mode: 'browser', apiBase: '', wsUrl: `ws://${host}/api/stream` });
    const html = readFileSync(file, 'utf8')
      .replaceAll('%NONCE%', nonce)
      .replaceAll('%CSP_SOURCE%', "'self'")
      .replaceAll('%ASSET_BASE%', '/assets')
      .replaceAll('%BOOT%', escapeHtml(boot));
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${nonce}' 'self'`,
      `style-src 'self' 'nonce-${nonce}'`,
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self' ws://${host}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
    return {
      status: 200,
      raw: html,
      headers: { 'content-type': TYPES['.html']!, 'content-security-policy': csp, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    };
  }

  asset(pathname: string): Reply {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname.replace(/^\/assets\/?/, ''));
    } catch {
      return { status: 400, body: { error: 'bad asset path' } };
    }
    const root = resolve(this.mediaDir);
    const full = resolve(root, normalize(rel));
    if (rel.includes('\0') || (full !== root && !full.startsWith(root + sep))) return { status: 404, body: { error: 'not found' } };
    try {
      if (!statSync(full).isFile()) return { status: 404, body: { error: 'not found' } };
    } catch {
      return { status: 404, body: { error: `no asset ${rel}` } };
    }
    return {
      status: 200,
      raw: readFileSync(full),
      headers: { 'content-type': TYPES[extname(full)] ?? 'application/octet-stream', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' },
    };
  }
}
