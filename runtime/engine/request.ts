// Builds and sends one execution request (PROTOCOL §3): the memoized state in stack order, the
// ctx fields (attempt, max_attempts, fn_id + qi_id for v4 checkpointing, the stack,
// disable_immediate_execution), the pinned version, the signature when a key is set.
import type { FunctionRecord, QueueItem } from '../model';
import { serializeBody, signBody } from '../signing';
import type { ActiveRun, EngineOptions } from './engine';
import { classify, httpRequest, transportFailure, type SdkResult } from './sdk-client';

const MAX_SDK_TIMEOUT = 2 * 3600 * 1000;
/** Request bodies above this switch to `use_api` (Go's MaxSDKRequestBodySize). */
const MAX_REQUEST_BODY = 4 * 1024 * 1024;

export async function callSdk(o: EngineOptions, ar: ActiveRun, fn: FunctionRecord, item: QueueItem, stack: string[], requestId: string, generation: number, signal: AbortSignal): Promise<SdkResult> {
  const rec = ar.rec;
  const steps: Record<string, unknown> = {};
  for (const [k, v] of ar.memo) steps[k] = v;
  const body = {
    event: ar.events[0] ?? { name: 'unknown', data: {}, id: '', ts: 0, user: {} },
    events: ar.events,
    steps,
    ctx: {
      run_id: rec.id,
      fn_id: fn.uuid,
      qi_id: item.id,
      env: '',
      step_id: item.stepId,
      attempt: item.attempt,
      max_attempts: fn.maxAttempts,
      stack: { stack, current: stack.length },
      disable_immediate_execution: rec.forceStepPlan,
      use_api: false,
    },
    version: rec.requestVersion,
    use_api: false,
  };
  const key = o.signingKey;
  let text = serializeBody(body, !!key);
  if (text.length > MAX_REQUEST_BODY) {
    // Too big to send: the SDK fetches the state from /v0/runs/{id}/actions and /batch (PROTOCOL §3.3).
    const lean = { ...body, steps: {}, events: [], use_api: true, ctx: { ...body.ctx, use_api: true } };
    text = serializeBody(lean, !!key);
  }
  const url = new URL(fn.url);
  url.searchParams.set('fnId', fn.id);
  url.searchParams.set('stepId', item.stepId);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-run-id': rec.id,
    'x-inngest-req-version': String(rec.requestVersion),
    'x-inngest-step-id': item.stepId,
    'x-request-id': requestId,
    'x-inngest-generation-id': String(generation),
    'x-inngest-job-id': item.id,
    'x-inngest-server-kind': 'dev',
  };
  if (key) headers['x-inngest-signature'] = signBody(text, key, o.clock.now());
  try {
    const res = await httpRequest('POST', url.toString(), headers, text, MAX_SDK_TIMEOUT, signal);
    return classify(res, Buffer.byteLength(text));
  } catch (e) {
    return transportFailure(e);
  }
}
