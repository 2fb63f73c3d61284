// Module resolution between workspace files without tsconfig or node_modules: relative paths (with
// .js -> .ts mapping and index files), workspace packages by their package.json name, and common
// path aliases (`@/`, `~/`, `#`). Also tells which package a file belongs to.
import { sdkDependencies, type SdkDependency } from './sdk';
import type { SummaryStore } from './store';

/** What the analysis reads from a package.json. */
export interface PackageInfo {
  name: string | null;
  /** Major version of the `inngest` dependency, when it names one. */
  inngestMajor: 3 | 4 | null;
  /** `inngest` and its `npm:inngest@x` aliases, from dependencies, devDependencies, peerDependencies (first wins). */
  sdkDeps: Map<string, SdkDependency>;
  /** Entry files named by `exports['.']`, `types`, `module`, `main`, `source` (relative to the package), best first. */
  entries: string[];
}

/** The paths an `exports` entry leads to (condition objects walked in order, `types` first). */
function exportTargets(e: unknown, out: string[], depth = 0): void {
  if (depth > 4 || e === null || e === undefined) return;
  if (typeof e === 'string') out.push(e);
  else if (Array.isArray(e)) for (const x of e) exportTargets(x, out, depth + 1);
  else if (typeof e === 'object') {
    const o = e as Record<string, unknown>;
    if ('types' in o) exportTargets(o.types, out, depth + 1);
    for (const [k, v] of Object.entries(o)) if (k !== 'types') exportTargets(v, out, depth + 1);
  }
}

function packageEntries(j: Record<string, unknown>): string[] {
  const out: string[] = [];
  const ex = j.exports;
  if (typeof ex === 'string' || Array.isArray(ex)) exportTargets(ex, out);
  else if (ex && typeof ex === 'object') {
    const o = ex as Record<string, unknown>;
    // `{ ".": ... }`, or conditions directly (`{ "import": "./x.js" }`)
    exportTargets(Object.keys(o).some((k) => k.startsWith('.')) ? o['.'] : o, out);
  }
  for (const k of ['types', 'typings', 'source', 'module', 'main']) if (typeof j[k] === 'string') out.push(j[k] as string);
  return [...new Set(out.filter((p) => !p.includes('*')).map((p) => p.replace(/^\.\//, '')))];
}

export function readPackageJson(text: string): PackageInfo {
  try {
    const j = JSON.parse(text) as { name?: unknown; dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown>; peerDependencies?: Record<string, unknown> } | null;
    if (!j || typeof j !== 'object') return { name: null, inngestMajor: null, sdkDeps: new Map(), entries: [] };
    const sdkDeps = sdkDependencies([j.dependencies, j.devDependencies, j.peerDependencies]);
    const range = [j.dependencies, j.devDependencies, j.peerDependencies].map((d) => d?.inngest).find((v) => typeof v === 'string') as string | undefined;
    const m = range ? /(\d+)/.exec(range.replace(/^npm:inngest@/, '')) : null;
    const major = m ? Number(m[1]) : null;
    return { name: typeof j.name === 'string' ? j.name : null, inngestMajor: major === 3 || major === 4 ? major : null, sdkDeps, entries: packageEntries(j as Record<string, unknown>) };
  } catch {
    return { name: null, inngestMajor: null, sdkDeps: new Map(), entries: [] };
  }
}

export class ModuleResolver {
  private readonly packageDirs: string[];
  private readonly packagesByDir = new Map<string, PackageInfo>();
  private readonly packageUriByDir = new Map<string, string>();
  private readonly packageDirByName = new Map<string, string>();

  constructor(
    private readonly files: SummaryStore,
    packages: Map<string, PackageInfo>,
  ) {
    for (const [u, info] of packages) {
      const dir = u.slice(0, u.lastIndexOf('/'));
      this.packagesByDir.set(dir, info);
      this.packageUriByDir.set(dir, u);
      if (info.name) this.packageDirByName.set(info.name, dir);
    }
    this.packageDirs = [...this.packagesByDir.keys()].sort((a, b) => b.length - a.length);
  }

  packageOf(uri: string): string {
    return this.packageDirs.find((d) => uri.startsWith(d + '/')) ?? '';
  }

  /** The inngest major the package containing `uri` depends on (nearest package.json naming inngest). */
  packageMajor(uri: string): 3 | 4 | null {
    for (const d of this.packageDirs) if (uri.startsWith(d + '/') && this.packagesByDir.get(d)!.inngestMajor) return this.packagesByDir.get(d)!.inngestMajor;
    return null;
  }

  /**
   * The SDK dependency `depName` (`inngest`, an alias) as the nearest package.json above `uri` that
   * declares it writes it, with that package.json's uri; undefined when none declares it.
   */
  sdkDependency(uri: string, depName: string): { dep: SdkDependency; packageJson: string } | undefined {
    for (const d of this.packageDirs) {
      if (!uri.startsWith(d + '/')) continue;
      const dep = this.packagesByDir.get(d)!.sdkDeps.get(depName);
      if (dep) return { dep, packageJson: this.packageUriByDir.get(d)! };
    }
    return undefined;
  }

  private readonly moduleMemo = new Map<string, string | undefined>();

  resolve(fromUri: string, specifier: string): string | undefined {
    const dir = fromUri.slice(0, fromUri.lastIndexOf('/'));
    const key = `${dir}|${specifier}`;
    if (this.moduleMemo.has(key)) return this.moduleMemo.get(key);
    const r = this.resolveModuleUncached(dir, specifier, fromUri);
    this.moduleMemo.set(key, r);
    return r;
  }

  private resolveModuleUncached(dir: string, specifier: string, fromUri: string): string | undefined {
    if (!specifier.startsWith('.') && !specifier.startsWith('/')) return this.resolveBare(fromUri, specifier);
    return this.resolvePath(dir, specifier, fromUri);
  }

  /**
   * Non-relative specifiers, without reading tsconfig: a workspace package by its package.json name
   * (monorepos), or a path alias such as `@/lib/x`, `~/lib/x`, `#lib/x` looked up under the package
   * root and its src/ folder.
   */
  private resolveBare(fromUri: string, specifier: string): string | undefined {
    // `node:fs`, Deno's `npm:x` / `jsr:@a/b`, `https://esm.sh/x`: never a workspace file
    if (/^[a-z][a-z0-9+.-]*:/i.test(specifier)) return undefined;
    const parts = specifier.split('/');
    const pkgName = specifier.startsWith('@') && parts.length > 1 && parts[0] !== '@' ? `${parts[0]}/${parts[1]}` : parts[0]!;
    const pkgDir = this.packageDirByName.get(pkgName);
    if (pkgDir) {
      const sub = specifier.slice(pkgName.length).replace(/^\//, '');
      // the package's declared entry (`main: './src/client.ts'`; built output `dist/x.js` read back as `src/x`)
      const entries = sub ? [] : this.packagesByDir.get(pkgDir)!.entries.flatMap((e) => {
        const built = /^(?:dist|build|lib|out)\/(.+?)(?:\.d)?\.[mc]?[jt]s$/.exec(e);
        return built ? [`${pkgDir}/${e}`, `${pkgDir}/src/${built[1]}`] : [`${pkgDir}/${e}`];
      });
      for (const base of sub ? [`${pkgDir}/src/${sub}`, `${pkgDir}/${sub}`] : [...entries, `${pkgDir}/src/index`, `${pkgDir}/index`, `${pkgDir}/src/main`]) {
        const r = this.resolvePath('', base, fromUri);
        if (r) return r;
      }
      return undefined;
    }
    const alias = /^(?:@|~|#)\/?(.+)$/.exec(specifier);
    if (alias && (!specifier.startsWith('@') || specifier.startsWith('@/'))) {
      const root = this.packageOf(fromUri) || uriRoot(fromUri);
      for (const base of [`${root}/src/${alias[1]}`, `${root}/${alias[1]}`, `${root}/app/${alias[1]}`]) {
        const r = this.resolvePath('', base, fromUri);
        if (r) return r;
      }
      return this.bySuffix(alias[1]!, fromUri);
    }
    // tsconfig `paths` / `baseUrl` we do not read: `@modules/x/y` (alias folder `modules`) or `src/x/y`
    if (!specifier.includes('/') || specifier.startsWith('inngest')) return undefined;
    const scoped = /^@([^/]+)\/(.+)$/.exec(specifier);
    return scoped ? this.bySuffix(`${scoped[1]}/${scoped[2]}`, fromUri) : this.bySuffix(specifier, fromUri);
  }

  /** Workspace files by their last path segment (extension and /index removed), built on first need. */
  private suffixIndex: Map<string, string[]> | null = null;

  /** The file whose path ends with `/tail` (or `/tail/index`), nearest to the importer. */
  private bySuffix(tail: string, fromUri: string): string | undefined {
    if (!this.suffixIndex) {
      this.suffixIndex = new Map();
      for (const k of this.files.keys()) {
        let noExt = k.replace(/\.(d\.ts|[mc]?tsx?|[mc]?jsx?)$/, '');
        if (noExt.endsWith('/index')) noExt = noExt.slice(0, -'/index'.length);
        const last = noExt.slice(noExt.lastIndexOf('/') + 1);
        const list = this.suffixIndex.get(last) ?? [];
        list.push(k);
        this.suffixIndex.set(last, list);
      }
    }
    const want = `/${tail.replace(/\.(m|c)?jsx?$/, '')}`;
    const last = want.slice(want.lastIndexOf('/') + 1);
    let best: string | undefined;
    let bestShared = -1;
    for (const k of this.suffixIndex.get(last) ?? []) {
      const noExt = k.replace(/\.(d\.ts|[mc]?tsx?|[mc]?jsx?)$/, '');
      if (!noExt.endsWith(want) && !noExt.endsWith(`${want}/index`)) continue;
      let shared = 0;
      while (shared < k.length && k[shared] === fromUri[shared]) shared++;
      if (shared > bestShared) {
        bestShared = shared;
        best = k;
      }
    }
    return best;
  }

  private resolvePath(dir: string, specifier: string, fromUri: string): string | undefined {
    const joined = normalize(!dir ? specifier : specifier.startsWith('/') ? uriRoot(fromUri) + specifier : `${dir}/${specifier}`);
    const stripped = joined.replace(/\.(m|c)?jsx?$/, '');
    const candidates = [joined];
    for (const base of stripped === joined ? [joined] : [stripped, joined]) {
      for (const ext of ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.jsx', '.mjs', '.cjs']) candidates.push(base + ext);
      for (const ext of ['.ts', '.tsx', '.js', '.jsx', '.mjs']) candidates.push(`${base}/index${ext}`);
    }
    return candidates.find((c) => this.files.has(c));
  }
}

function uriRoot(uri: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(uri);
  return m ? m[0] : '';
}

function normalize(uri: string): string {
  const root = uriRoot(uri);
  const parts = uri.slice(root.length).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '.' || (p === '' && out.length > 0)) continue;
    if (p === '..') {
      if (out.length > 1) out.pop();
    } else out.push(p);
  }
  return root + out.join('/');
}
