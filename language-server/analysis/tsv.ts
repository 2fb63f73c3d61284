// The `typescript` values the analysis uses in its hot loops (ts.isX guards, forEachChild, SyntaxKind),
// as plain properties of one object. Bundled, `typescript` is a CommonJS module whose exports are each
// reached through two getters (esbuild's interop wrapper, then TypeScript's own export object); cold
// code (every server start) pays both on every `ts.isX(node)`. Copied once here, each is a plain load.
// Types still come from `import type ts from 'typescript'`.
import ts from 'typescript';

export const tsv: typeof ts = { ...ts };
