// Which import specifiers name the inngest SDK, and which SDK major a package.json dependency range
// asks for. Pure string work, no syntax trees.

export type SdkMajor = 3 | 4;

/** What an import specifier says about the SDK. */
export interface SdkSpecifier {
  /**
   * The dependency name package.json must declare for this import (`inngest`, an alias such as
   * `inngest-v3`); null for Deno / edge specifiers (`npm:inngest@3`, `https://esm.sh/inngest@3`),
   * which carry their version themselves.
   */
  depName: string | null;
  /** The major the specifier pins (`npm:inngest@3`, `https://esm.sh/inngest@4.1.0`, `inngest-v4`), when it does. */
  major: SdkMajor | null;
}

const URL_SDK = /^https?:\/\/[^/?#]+\/(?:[^?#]*\/)?inngest(?:@([^/?#]*))?(?:[/?#]|$)/i;
const NPM_SDK = /^npm:\/?inngest(?:@([^/]*))?(?:\/|$)/;

const specifierCache = new Map<string, SdkSpecifier | null>();

/** The SDK an import specifier names, or null when it is not the inngest SDK. */
export function sdkSpecifier(spec: string): SdkSpecifier | null {
  let r = specifierCache.get(spec);
  if (r === undefined) {
    r = readSdkSpecifier(spec);
    if (specifierCache.size > 1000) specifierCache.clear();
    specifierCache.set(spec, r);
  }
  return r;
}

function readSdkSpecifier(spec: string): SdkSpecifier | null {
  if (spec.startsWith('inngest')) {
    const depName = spec.split('/', 1)[0]!;
    const alias = /^inngest-v(\d+)$/.exec(depName);
    return { depName, major: alias ? toMajor(Number(alias[1])) : null };
  }
  const npm = NPM_SDK.exec(spec);
  if (npm) return { depName: null, major: npm[1] ? versionMajor(npm[1]) : null };
  const url = URL_SDK.exec(spec);
  if (url) return { depName: null, major: url[1] ? versionMajor(url[1]) : null };
  return null;
}

function toMajor(n: number): SdkMajor | null {
  return n === 3 || n === 4 ? n : null;
}

/** `3`, `^3.1`, `v3.0.0`, `~4.2.0` -> the major; anything else (a tag, a range over several majors) -> null. */
function versionMajor(v: string): SdkMajor | null {
  return parseRangeMajor(decodeURIComponent(v));
}

/**
 * The one inngest major a semver range allows: `^3.2.0`, `~3.2`, `3`, `3.x`, `3.2.1`, `=3.2.1`,
 * `>=3.2.0 <4`, `3.0.0 - 3.9.0`, `^3 || ~3.5`. Null when it is unparsable, open-ended (`>=3`, `*`,
 * `latest`), spans several majors (`^3 || ^4`), or names another major than 3 or 4.
 */
export function parseRangeMajor(range: string): SdkMajor | null {
  const alternatives = range.split('||').map((s) => s.trim());
  let major: number | null = null;
  for (const alt of alternatives) {
    const m = alternativeMajor(alt);
    if (m === null || (major !== null && m !== major)) return null;
    major = m;
  }
  return major === null ? null : toMajor(major);
}

const VERSION = /^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

function alternativeMajor(alt: string): number | null {
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(alt);
  if (hyphen) {
    const a = VERSION.exec(hyphen[1]!);
    const b = VERSION.exec(hyphen[2]!);
    return a && b && a[1] === b[1] ? Number(a[1]) : null;
  }
  const comparators = alt.split(/\s+/).filter(Boolean);
  if (comparators.length === 1) {
    const m = /^(\^|~>?|=)?\s*(.+)$/.exec(comparators[0]!)!;
    const v = VERSION.exec(m[2]!);
    return v ? Number(v[1]) : null;
  }
  // `>=3.2.0 <4.0.0`, `>=3 <4`, `>3.1 <=3.9`: a lower bound and an upper bound inside one major
  if (comparators.length === 2) {
    const lo = /^>=?\s*(.+)$/.exec(comparators[0]!);
    const hi = /^<(=?)\s*(.+)$/.exec(comparators[1]!);
    const lv = lo && VERSION.exec(lo[1]!);
    const hv = hi && VERSION.exec(hi[2]!);
    if (!lv || !hv) return null;
    const l = Number(lv[1]);
    const h = Number(hv[1]);
    if (h === l) return l;
    // `<4`, `<4.0.0`: below the next major
    const zeroRest = (!hv[2] || hv[2] === '0') && (!hv[3] || hv[3] === '0');
    return hi![1] === '' && h === l + 1 && zeroRest ? l : null;
  }
  return null;
}

/** A dependency of a package.json on the SDK: what it says and which major that is (null: not one we can tell). */
export interface SdkDependency {
  spec: string;
  major: SdkMajor | null;
}

/**
 * The SDK dependencies of a package.json's dependency maps: `inngest` itself and aliases declared as
 * `npm:inngest@x` (`"inngest-v3": "npm:inngest@3.54.2"`). A workspace/link/file/git/URL spec, a tag
 * or an open range is recorded with major null (declared, version unknown).
 */
export function sdkDependencies(maps: (Record<string, unknown> | undefined)[]): Map<string, SdkDependency> {
  const out = new Map<string, SdkDependency>();
  for (const deps of maps) {
    if (!deps || typeof deps !== 'object') continue;
    for (const [name, raw] of Object.entries(deps)) {
      if (typeof raw !== 'string' || out.has(name)) continue;
      const spec = raw.trim();
      if (spec.startsWith('npm:')) {
        const m = /^npm:inngest@(.*)$/.exec(spec);
        if (m) out.set(name, { spec: raw, major: parseRangeMajor(m[1]!) });
        else if (name === 'inngest') out.set(name, { spec: raw, major: null });
      } else if (name === 'inngest') {
        // workspace:, link:, file:, portal:, catalog:, git and URL specs name no version we can read
        out.set(name, { spec: raw, major: /^[a-z+]+:|\//i.test(spec) ? null : parseRangeMajor(spec) });
      }
    }
  }
  return out;
}
