// Status glyphs and badges shared by the views.
import type { RunPause, RunStatus, StepStatus } from '../../runtime/api';
import { h, icon, type IconName } from '../dom';

const RUN_ICON: Record<RunStatus, IconName> = {
  Queued: 'queued', Running: 'running', Completed: 'check', Failed: 'error', Cancelled: 'cancelled',
};
const STEP_ICON: Record<StepStatus, IconName> = {
  planned: 'queued', running: 'running', retrying: 'replay', completed: 'check', failed: 'error',
  sleeping: 'sleep', waiting: 'wait', cancelled: 'cancelled',
};

export function statusIcon(status: RunStatus): HTMLElement {
  return h('span', { class: `status-icon st-${status.toLowerCase()}` }, icon(RUN_ICON[status], status));
}
/** A running run that sleeps or waits: the step glyph instead of a spinner. */
export function pausedIcon(p: RunPause): HTMLElement {
  const status: StepStatus = p.kind === 'sleep' ? 'sleeping' : 'waiting';
  return h('span', { class: `status-icon st-${status}` }, icon(STEP_ICON[status], status));
}
export function stepStatusIcon(status: StepStatus): HTMLElement {
  return h('span', { class: `status-icon st-${status}` }, icon(STEP_ICON[status], status));
}
export function statusBadge(status: RunStatus | StepStatus): HTMLElement {
  return h('span', { class: `badge st-${status.toLowerCase()}` }, status);
}
