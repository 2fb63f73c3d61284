// sdk-version-mismatch: a createFunction call written in the other SDK major's shape than the one
// the package's package.json depends on. v4-only `createFunction({ id, triggers }, handler)` under
// inngest 3 registers the handler as the trigger and no handler; the v3 three-argument call under
// inngest 4 throws when the module loads ("expected a handler function as the second argument").
import type { Linker } from './link';
import type { SteplensDiagnostic } from './model';
import { sdkSpecifier } from './sdk';
import type { FileSummary } from './summary';

export function versionMismatches(f: FileSummary, linker: Linker): SteplensDiagnostic[] {
  const out: SteplensDiagnostic[] = [];
  for (const fs of f.functions) {
    const shape = fs.callShape;
    if (!shape) continue;
    const client = linker.functionsByKey.get(fs.model.key)?.client ?? null;
    // only calls known to be Inngest's: on a resolved client, or in a file that imports the SDK
    const sdkFile = client ? client.declaredIn : f.sdkSpecifier !== null ? f.uri : null;
    if (sdkFile === null) continue;
    const spec = sdkFile === f.uri ? f.sdkSpecifier : linker.files.get(sdkFile)?.sdkSpecifier ?? null;
    // a client built from a re-exported `Inngest` names no specifier: the package's `inngest` dependency
    const depName = spec === null ? 'inngest' : sdkSpecifier(spec)?.depName;
    if (!depName) continue; // Deno / edge imports (`npm:inngest@3`): no package.json dependency to compare with
    const declared = linker.sdkDependency(sdkFile, depName);
    const major = declared?.dep.major;
    if (!declared || !major || major === shape.major) continue;
    if (shape.secondArgRef && isTrigger(linker, f.uri, shape.secondArgRef)) continue; // `createFunction(opts, TRIGGERS` while the handler is being typed
    const dep = `"${depName}": "${declared.dep.spec}"`;
    const message =
      shape.major === 4
        ? `This createFunction call has the v4 shape (${shape.triggersInOptions ? 'options with `triggers`' : 'options'}, then the handler), but package.json declares ${dep} (SDK v3). ` +
          `SDK v3 takes (options, trigger, handler): it reads the handler as the trigger and the function has no handler. ` +
          `Pass the trigger as the second argument, \`createFunction({ id }, { event: "..." }, handler)\`, or upgrade ${depName} to ^4.`
        : `This createFunction call has the v3 shape (options, trigger, handler), but package.json declares ${dep} (SDK v4). ` +
          `SDK v4 takes (options, handler) and throws "expected a handler function as the second argument" when this module loads. ` +
          `Move the trigger into the options, \`createFunction({ id, triggers: [{ event: "..." }] }, handler)\`, or keep ${depName} on ^3.`;
    out.push({
      code: 'sdk-version-mismatch',
      severity: 'warning',
      message,
      range: shape.range,
      relatedInformation: [{ location: { uri: declared.packageJson, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }, message: `declares ${dep}` }],
    });
  }
  return out;
}

/** A name that stands for a trigger (a trigger list or object, an event name, an eventType), not a handler. */
function isTrigger(linker: Linker, uri: string, ref: string): boolean {
  const k = linker.resolveValue(uri, ref)?.decl.kind;
  return k === 'triggerList' || k === 'constants' || k === 'string' || k === 'eventType';
}
