// The selected step: output as a JSON tree, error with stack, attempts, timing, Go to source,
// and the replay actions that start from it.
import type { RunDetail, SerializedError, StepInfo } from '../../runtime/api';
import { h, icon } from '../dom';
import { attemptNote, clock, duration, shortId, unwrapOutput } from '../format';
import { jsonTree } from './jsonTree';
import { statusBadge } from './status';

export interface StepDetailActions {
  goToSource(step: StepInfo): void;
  /** Text shown instead of the button when the editor is not there (browser mode). */
  sourceText(step: StepInfo): string | null;
  replayFrom(step: StepInfo): void;
  editOutput(step: StepInfo): void;
  openRun(runId: string): void;
  /** The edited output pending for the next replay, if any. */
  editedOutput(step: StepInfo): { value: unknown } | undefined;
}

export function errorBlock(err: SerializedError): HTMLElement {
  return h('div', { class: 'error-block', role: 'group', 'aria-label': 'Error' },
    h('div', { class: 'error-title' }, icon('error'), ` ${err.name}: ${err.message}`),
    err.stack ? h('details', null, h('summary', null, 'Stack'), h('pre', { class: 'stack' }, err.stack)) : null);
}

export function stepDetail(run: RunDetail, s: StepInfo, a: StepDetailActions): HTMLElement {
  const start = s.startedAt ?? s.attempts[0]?.startedAt;
  const sourceText = a.sourceText(s);
  const edited = a.editedOutput(s);
  const canEdit = s.status === 'completed' && s.kind !== 'sleep';
  const laterThanFailed = run.status === 'Failed' && s.status === 'failed';
  return h('section', { class: 'step-detail', 'aria-label': `Step ${s.displayName}` },
    h('div', { class: 'detail-head' },
      h('h3', null, s.displayName || s.userId),
      statusBadge(s.status),
      h('span', { class: 'muted' }, ` ${s.kind}${s.index ? ` #${s.index}` : ''}`),
      h('span', { class: 'spacer' }),
      sourceText
        ? h('code', { class: 'source-text', title: 'Open the project in VS Code to jump to the source' }, sourceText)
        : h('button', { class: 'btn secondary', onclick: () => a.goToSource(s), title: 'Open the step.* call in the editor' }, icon('source'), ' Go to source'),
      canEdit ? h('button', { class: 'btn secondary', onclick: () => a.editOutput(s) }, icon('edit'), ' Edit output') : null,
      h('button', { class: `btn${laterThanFailed ? '' : ' secondary'}`, 'data-action': 'replay-from-step', onclick: () => a.replayFrom(s) }, icon('replay'), ' Replay from this step')),
    h('dl', { class: 'facts' },
      h('dt', null, 'Step id'), h('dd', null, h('code', null, s.userId), h('span', { class: 'muted' }, `  ${s.hashedId.slice(0, 12)}`)),
      start !== undefined ? [h('dt', null, 'Started'), h('dd', null, clock(start))] : null,
      start !== undefined && s.endedAt !== undefined ? [h('dt', null, 'Duration'), h('dd', null, duration(s.endedAt - start))] : null,
      h('dt', null, 'Attempts'), h('dd', null, String(s.attempts.length)),
      s.memoizedFrom ? [h('dt', null, 'Memoized'), h('dd', null, 'from run ', h('button', { class: 'link', onclick: () => a.openRun(s.memoizedFrom!) }, shortId(s.memoizedFrom)), ' (not executed again)')] : null,
      s.sleep ? [h('dt', null, 'Sleeps until'), h('dd', null, new Date(s.sleep.until).toLocaleString())] : null,
      s.wait ? [h('dt', null, 'Waits for'), h('dd', null, s.wait.event, s.wait.if ? ` if ${s.wait.if}` : '', ` until ${new Date(s.wait.expiresAt).toLocaleString()}`)] : null,
      s.wait?.earlier
        ? [h('dt', null, 'Missed'), h('dd', null, `a matching ${s.wait.event} arrived ${s.wait.earlier.msBefore} ms before this wait began. Waits only see events received after they start (in Inngest too): start the wait before sending the request it answers (e.g. Promise.all with the wait first), or use step.invoke.`)]
        : null,
      s.invoke ? [h('dt', null, 'Invokes'), h('dd', null, s.invoke.functionId, s.invoke.childRunId ? [' → ', h('button', { class: 'link', onclick: () => a.openRun(s.invoke!.childRunId!) }, `run ${shortId(s.invoke.childRunId)}`)] : null)] : null),
    s.error ? errorBlock(s.error) : null,
    s.attempts.some((x) => x.error) && s.attempts.length > 1
      ? h('details', { class: 'attempts' }, h('summary', null, `Attempts (${s.attempts.length})`),
        h('ol', null, s.attempts.map((x) => h('li', { 'data-interrupted': x.interrupted ?? null }, `attempt ${x.attempt + 1} at ${clock(x.startedAt)}`,
          x.endedAt && x.interrupted !== 'executor' ? ` · ${duration(x.endedAt - x.startedAt)}` : '', x.error ? h('span', { class: 'error-text' }, ` · ${attemptNote(x)}`) : ' · ok'))))
      : null,
    edited ? h('div', { class: 'edited-note' }, icon('edit'), ' Edited output for the next replay:', jsonTree(edited.value, { label: 'Edited output' })) : null,
    'output' in s && s.output !== undefined && !(s.error && isErrorWrapper(s.output))
      ? h('div', { class: 'output' }, h('h4', null, 'Output'), jsonTree(unwrapOutput(s.output), { label: 'Step output' }))
      : null);
}

/** A failed step's stored value is `{error: ...}`, already shown as the error above. */
function isErrorWrapper(v: unknown): boolean {
  return !!v && typeof v === 'object' && 'error' in v && Object.keys(v).every((k) => k === 'error' || k === 'type');
}
