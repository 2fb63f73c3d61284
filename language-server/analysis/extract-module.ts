// A file's module shape, read from its top-level statements: ES imports and exports (named,
// default, namespace, re-exports, `export *`) and their CommonJS forms (`require`, `module.exports`,
// `exports.x`). Which imports name the SDK or zod is noted on the Ctx for the readers that follow.
import type ts from 'typescript';
import type { Ctx } from './ctx';
import { sdkSpecifier } from './sdk';
import { tsv } from './tsv';
import { valueDecl } from './extract-values';
import { dottedName, isStringLike, propName, unwrap } from './text';

function bindImport(ctx: Ctx, local: string, specifier: string, imported: string): void {
  const s = ctx.summary;
  const isSdk = sdkSpecifier(specifier) !== null;
  const isZod = specifier === 'zod' || specifier.startsWith('zod/');
  if (isSdk) s.sdkSpecifier ??= specifier;
  s.imports.set(local, { specifier, imported });
  if (imported === '*') {
    if (isSdk) ctx.sdkNamespaces.add(local);
    if (isZod) ctx.zodNames.add(local);
  } else {
    if (isSdk) ctx.sdkNames.set(local, imported);
    if (isZod && (imported === 'z' || imported === 'default')) ctx.zodNames.add(local);
  }
}

/** `require('x')` -> 'x'; `require('x').y` -> ['x', 'y']. */
function requireOf(e: ts.Expression): { specifier: string; member?: string } | undefined {
  e = unwrap(e);
  if (tsv.isPropertyAccessExpression(e)) {
    const inner = requireOf(e.expression);
    return inner && !inner.member ? { specifier: inner.specifier, member: e.name.text } : undefined;
  }
  if (tsv.isCallExpression(e) && tsv.isIdentifier(e.expression) && e.expression.text === 'require' && e.arguments[0] && isStringLike(e.arguments[0])) {
    return { specifier: e.arguments[0].text };
  }
  return undefined;
}

/** CommonJS: `const { a } = require('x')`, `const m = require('x')`, `module.exports = ...`, `exports.a = ...`. */
function readCommonJs(ctx: Ctx, st: ts.Statement): void {
  const s = ctx.summary;
  if (tsv.isVariableStatement(st)) {
    for (const d of st.declarationList.declarations) {
      const req = d.initializer && requireOf(d.initializer);
      if (!req) continue;
      if (tsv.isIdentifier(d.name)) bindImport(ctx, d.name.text, req.specifier, req.member ?? '*');
      else if (tsv.isObjectBindingPattern(d.name) && !req.member) {
        for (const el of d.name.elements) if (tsv.isIdentifier(el.name)) bindImport(ctx, el.name.text, req.specifier, propName(el.propertyName ?? el.name) ?? el.name.text);
      }
    }
    return;
  }
  if (!tsv.isExpressionStatement(st) || !tsv.isBinaryExpression(st.expression) || st.expression.operatorToken.kind !== tsv.SyntaxKind.EqualsToken) return;
  const target = dottedName(st.expression.left)?.join('.');
  const right = unwrap(st.expression.right);
  const exportValue = (name: string, e: ts.Expression): void => {
    const u = unwrap(e);
    if (tsv.isIdentifier(u)) {
      s.exports.set(name, { local: u.text });
      return;
    }
    const local = `exports:${name.replace(/\./g, '$')}`; // no dot: dotted names mean member access to the resolver
    const v = valueDecl(ctx, u, local);
    if (v) s.values.set(local, v);
    s.exports.set(name, { local });
  };
  if (target === 'module.exports') {
    if (tsv.isObjectLiteralExpression(right)) {
      for (const p of right.properties) {
        if (tsv.isShorthandPropertyAssignment(p)) s.exports.set(p.name.text, { local: p.name.text });
        else if (tsv.isPropertyAssignment(p)) {
          const n = propName(p.name);
          if (n !== undefined) exportValue(n, p.initializer);
        }
      }
    } else exportValue('module.exports', right);
  } else if (target?.startsWith('exports.') || target?.startsWith('module.exports.')) {
    exportValue(target.slice(target.lastIndexOf('.') + 1), right);
  }
}

export function readModuleShape(ctx: Ctx): void {
  const s = ctx.summary;
  for (const st of ctx.sf.statements) {
    if (tsv.isImportDeclaration(st) && tsv.isStringLiteral(st.moduleSpecifier)) {
      const specifier = st.moduleSpecifier.text;
      const clause = st.importClause;
      if (!clause) {
        if (sdkSpecifier(specifier)) s.sdkSpecifier ??= specifier;
        continue;
      }
      if (clause.name) bindImport(ctx, clause.name.text, specifier, 'default');
      const nb = clause.namedBindings;
      if (nb && tsv.isNamespaceImport(nb)) bindImport(ctx, nb.name.text, specifier, '*');
      else if (nb) for (const el of nb.elements) bindImport(ctx, el.name.text, specifier, (el.propertyName ?? el.name).text);
    } else if (tsv.isExportDeclaration(st)) {
      const from = st.moduleSpecifier && tsv.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
      if (!st.exportClause) {
        if (from) s.starExports.push(from);
      } else if (tsv.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) {
          const local = (el.propertyName ?? el.name).text;
          s.exports.set(el.name.text, from ? { specifier: from, imported: local } : { local });
        }
      } else if (tsv.isNamespaceExport(st.exportClause) && from) {
        s.exports.set(st.exportClause.name.text, { specifier: from, imported: '*' });
      }
    } else if (tsv.isExportAssignment(st) && !st.isExportEquals) {
      const e = unwrap(st.expression);
      if (tsv.isIdentifier(e)) s.exports.set('default', { local: e.text });
    } else if (!hasExportModifier(st) && (tsv.isVariableStatement(st) || tsv.isExpressionStatement(st))) {
      readCommonJs(ctx, st);
    } else if (hasExportModifier(st)) {
      const isDefault = hasModifier(st, tsv.SyntaxKind.DefaultKeyword);
      if (tsv.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (tsv.isIdentifier(d.name)) s.exports.set(d.name.text, { local: d.name.text });
      } else if ((tsv.isFunctionDeclaration(st) || tsv.isClassDeclaration(st) || tsv.isInterfaceDeclaration(st) || tsv.isTypeAliasDeclaration(st) || tsv.isEnumDeclaration(st)) && st.name) {
        s.exports.set(isDefault ? 'default' : st.name.text, { local: st.name.text });
      }
    }
  }
}

function hasExportModifier(st: ts.Statement): boolean {
  return hasModifier(st, tsv.SyntaxKind.ExportKeyword);
}

/** Whether a statement carries this modifier keyword (read in place: getModifiers() copies the list for every statement). */
export function hasModifier(st: ts.Node, kind: ts.SyntaxKind): boolean {
  const mods = (st as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  if (!mods) return false;
  for (const m of mods) if (m.kind === kind) return true;
  return false;
}
