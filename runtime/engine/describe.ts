// Names and summaries for what the SDK sent: step kinds, op labels, exchange records.
import type { OpSummary, SdkExchange, StepInfo } from '../api';
import type { LivePause } from './pauses';
import type { SdkOp, SdkResult } from './sdk-client';
import { redactOpts } from './gateway';

export function timeoutValue(p: LivePause): unknown {
  if (p.kind === 'invoke') {
    return {
      error: {
        name: 'InngestInvokeTimeoutError',
        message: 'Timed out waiting for invoked function to complete',
        error: 'InngestInvokeTimeoutError: Timed out waiting for invoked function to complete',
      },
    };
  }
  return null;
}

export function stepKind(op: SdkOp): StepInfo['kind'] {
  const t = op.opts?.type;
  switch (op.op) {
    case 'Sleep':
      return 'sleep';
    case 'WaitForEvent':
      return 'waitForEvent';
    case 'InvokeFunction':
      return 'invoke';
    case 'AIGateway':
      return 'ai';
    case 'Gateway':
      return 'fetch';
    case 'WaitForSignal':
      return 'signal';
    default:
      if (t === 'step.sendEvent' || op.name === 'sendEvent') return 'sendEvent';
      if (t === 'step.ai.wrap') return 'ai';
      return 'run';
  }
}

export function opSummary(op: SdkOp): OpSummary {
  const userId = op.userland?.id ?? op.displayName ?? op.name;
  let label = `${op.op} ${userId ?? ''}`.trim();
  if (op.op === 'Sleep') label = `Sleep ${op.displayName ?? ''} ${String(op.opts?.duration ?? op.name ?? '')}`.replace(/\s+/g, ' ').trim();
  else if (op.op === 'WaitForEvent') label = `WaitForEvent ${String(op.opts?.event ?? op.name ?? '')} ${String(op.opts?.timeout ?? '')}`.trim();
  else if (op.op === 'InvokeFunction') label = `InvokeFunction ${String(op.opts?.function_id ?? '')}`;
  else if (op.op === 'RunComplete') label = 'RunComplete';
  else if ((op.op === 'StepError' || op.op === 'StepFailed') && op.error) label += `: ${op.error.message}`;
  return {
    op: op.op,
    hashedId: op.id,
    userId,
    displayName: op.displayName,
    label,
    data: op.data,
    error: op.error,
    // The executor's own calls carry credentials (auth_key, auth headers, ?key=): never in the history.
    opts: op.op === 'Gateway' || op.op === 'AIGateway' ? redactOpts(op.opts) : op.opts,
  };
}

export function describe(ex: SdkExchange, r: SdkResult): SdkExchange {
  ex.status = r.status;
  if (r.kind === 'complete') ex.output = r.output;
  else if (r.kind === 'ops') {
    ex.ops = [...ex.ops, ...r.ops.map(opSummary)];
    if (r.noRetry) ex.noRetry = true;
    if (r.retryAfter) ex.retryAfter = r.retryAfter;
  } else {
    ex.error = r.error;
    if (r.interrupted) ex.interrupted = r.interrupted;
    ex.noRetry = r.noRetry;
    if (r.retryAfter) ex.retryAfter = r.retryAfter;
  }
  return ex;
}
