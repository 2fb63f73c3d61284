// Pure helpers of the panel host (no `vscode` import, so plain-Node tests load them).
import { route } from '../runtime/api';
import type { BootConfig } from '../media/messages';

/** Fills index.html's placeholders; adds a strict CSP when the template has none. Pure. */
export function renderPanelHtml(
  template: string,
  v: { nonce: string; cspSource: string; assetBase: string; boot: BootConfig },
): string {
  // index.html puts the JSON in an attribute (`content="%BOOT%"`): escape it as attribute text.
  // In a <script> element it would only need `<`, `>` and `&` escaped (they only occur in strings).
  const json = JSON.stringify(v.boot);
  const inAttribute = /=\s*["']%BOOT%["']/.test(template);
  const boot = inAttribute
    ? json.replace(/[&"'<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', "'": '&#39;', '<': '&lt;', '>': '&gt;' })[c]!)
    : json.replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  let html = template
    .replaceAll('%NONCE%', v.nonce)
    .replaceAll('%CSP_SOURCE%', v.cspSource)
    .replaceAll('%ASSET_BASE%', v.assetBase.replace(/\/$/, ''))
    .replaceAll('%BOOT%', boot);
  if (!/Content-Security-Policy/i.test(html)) {
    const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${v.cspSource} data:; font-src ${v.cspSource}; style-src ${v.cspSource} 'nonce-${v.nonce}'; script-src 'nonce-${v.nonce}';">`;
    html = html.includes('<head>') ? html.replace('<head>', `<head>\n${csp}`) : csp + html;
  }
  return html;
}

/** Only paths on the executor's origin may be proxied: a route, optionally with a query string. */
export function isProxyablePath(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !/[\s\\]/.test(path) && !path.includes('://');
}

/** The event API path, to notice panel sends (for "send last payload again"). */
export function isEventApiPath(path: string): boolean {
  const prefix = route('eventApi', { key: 'x' }).slice(0, -1);
  return path.startsWith(prefix);
}
