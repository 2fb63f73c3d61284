// Request signatures for apps in cloud mode (PROTOCOL §10): `t=<unix s>&s=hmac_sha256(key, body+t)`
// with the key's `signkey-<env>-` prefix removed and the rest used as ASCII text. The body must be
// canonical JSON (JCS), because the SDK verifies over canonicalize(JSON.parse(body)).
import { createHmac } from 'node:crypto';
import canonicalize from 'canonicalize';

export function stripKeyPrefix(key: string): string {
  return key.replace(/^signkey-[A-Za-z0-9]+-/, '');
}

export function signBody(body: string, key: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const s = createHmac('sha256', stripKeyPrefix(key)).update(body + String(t)).digest('hex');
  return `t=${t}&s=${s}`;
}

/** JSON text: canonical (JCS) when it will be signed, plain JSON.stringify otherwise (faster). */
export function serializeBody(value: unknown, canonical: boolean): string {
  if (canonical) return canonicalize(value) ?? 'null';
  return JSON.stringify(value);
}
