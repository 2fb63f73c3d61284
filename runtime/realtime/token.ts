// Realtime subscription tokens: the JWT `POST /v1/realtime/token` answers and `/v1/realtime/connect`
// and `/v1/realtime/sse` take back (`?token=` or `Authorization: Bearer`). Same shape as the Inngest
// Dev Server's (HS256, issuer `rt.inngest.com`, one minute of validity, claims `env` and `topics`), but
// signed with a secret drawn at start-up: a token only works on the executor that issued it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ulid } from '../engine/ids';
import { DEV_ACCOUNT_ID, DEV_ENV_ID, type Topic } from './types';

export const TOKEN_ISSUER = 'rt.inngest.com';
/** How long a token may be used to connect (Inngest: one minute). A connection outlives it. */
export const TOKEN_TTL_SECONDS = 60;

interface Claims {
  iss: string;
  sub: string;
  exp: number;
  iat: number;
  jti: string;
  env: string;
  topics: Topic[];
}

/** A token that cannot be used, with what is wrong in words a user can act on. */
export class TokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenError';
  }
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64url');
const HEADER = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export class TokenIssuer {
  constructor(
    private readonly secret: Buffer = randomBytes(32),
    private readonly now: () => number = Date.now,
  ) {}

  /** A signed token for these topics (env ids are filled in). */
  issue(topics: Topic[]): string {
    const iat = Math.floor(this.now() / 1000);
    const claims: Claims = {
      iss: TOKEN_ISSUER,
      sub: DEV_ACCOUNT_ID,
      exp: iat + TOKEN_TTL_SECONDS,
      iat,
      jti: ulid(),
      env: DEV_ENV_ID,
      topics: topics.map((t) => ({ kind: t.kind, env_id: DEV_ENV_ID, channel: t.channel, name: t.name })),
    };
    const body = `${HEADER}.${b64(JSON.stringify(claims))}`;
    return `${body}.${this.sign(body)}`;
  }

  /** The topics a token grants; throws `TokenError` for anything but a valid, unexpired token of this executor. */
  verify(token: string | null | undefined): Topic[] {
    if (!token) throw new TokenError('no realtime token: pass ?token=<jwt> (from getSubscriptionToken or POST /v1/realtime/token)');
    const parts = token.split('.');
    if (parts.length !== 3) throw new TokenError('malformed realtime token: a JWT has three dot-separated parts');
    const [h, p, sig] = parts as [string, string, string];
    let header: { alg?: unknown };
    let claims: Partial<Claims>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: unknown };
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Partial<Claims>;
    } catch (e) {
      throw new TokenError('malformed realtime token: its header or claims are not base64url JSON', { cause: e });
    }
    if (header?.alg !== 'HS256') throw new TokenError(`realtime token signed with ${JSON.stringify(header?.alg)}; only HS256 tokens from this executor are accepted`);
    const want = Buffer.from(this.sign(`${h}.${p}`));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) {
      throw new TokenError('realtime token signature does not match: it was not issued by this executor (tokens do not survive a restart); ask for a new one');
    }
    if (claims.iss !== TOKEN_ISSUER) throw new TokenError(`realtime token issuer is ${JSON.stringify(claims.iss)}, expected ${TOKEN_ISSUER}`);
    if (typeof claims.exp !== 'number') throw new TokenError('realtime token has no expiry');
    if (claims.exp * 1000 <= this.now()) throw new TokenError(`realtime token expired (tokens are valid for ${TOKEN_TTL_SECONDS} s); ask for a new one`);
    if (!Array.isArray(claims.topics)) throw new TokenError('realtime token grants no topics');
    return claims.topics;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
