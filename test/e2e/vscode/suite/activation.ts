// A minimal suite for the benchmark: activate the extension in the real extension host, wait for
// the language client and executor, and record the figures (no tests of behaviour).
import * as vscode from 'vscode';
import type { SteplensApi } from '../../../../extension/extension';
import { EXTENSION_ID } from '../../../../extension/manifest';
import { recordFigure, writeResult } from './signals';

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<SteplensApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} not loaded`);
  const t0 = performance.now();
  const api = await ext.activate();
  await api.ready();
  recordFigure('activationMs', api.activationMs);
  recordFigure('readyAfterActivateCallMs', performance.now() - t0);
  recordFigure('executorUrl', api.executorUrl());
  writeResult({ failures: 0, passes: 1, pending: 0 });
}
