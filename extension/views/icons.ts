import * as vscode from 'vscode';
import type { RunStatus, StepStatus } from '../../runtime/api';

export function runIcon(s: RunStatus): vscode.ThemeIcon {
  switch (s) {
    case 'Completed':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'Failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'Running':
      return new vscode.ThemeIcon('sync~spin');
    case 'Queued':
      return new vscode.ThemeIcon('clock');
    case 'Cancelled':
      return new vscode.ThemeIcon('circle-slash');
  }
}

/** A glyph for inline text (decorations cannot show codicons). */
export function stepGlyph(s: StepStatus): string {
  switch (s) {
    case 'completed':
      return '✓';
    case 'failed':
      return '✗';
    case 'running':
    case 'planned':
      return '…';
    case 'retrying':
      return '↻';
    case 'sleeping':
      return '☾';
    case 'waiting':
      return '⧗';
    case 'cancelled':
      return '⊘';
  }
}
