import { costOf } from '@actkit/app-kit';
import { actionSteps, formatBill, type RunEvent, totalTokens } from '@actkit/core';
import type { Conversation } from './conversation.js';

/**
 * What the page shows of a run event: memory snapshots and prompts stay on the server. Figures
 * say what they are: a scripted model's tokens are estimated (from text length), a cost is the
 * model's list price applied to the tokens.
 */
export function forPage(event: RunEvent, conversation: Conversation, decidedBy?: 'all' | 'none'): unknown | undefined {
  const modelId = conversation.spec.modelId;
  const estimated = conversation.spec.provider === 'scripted';
  switch (event.type) {
    case 'run-start':
      return { type: event.type, agentName: event.agentName };
    case 'model-response':
      return { type: event.type, stepNumber: event.stepNumber, text: event.text };
    case 'approval-request':
      return { type: event.type, request: event.request, ...(decidedBy ? { decidedBy } : {}) };
    case 'step-finish': {
      const { step } = event;
      return {
        type: event.type,
        stepNumber: step.stepNumber,
        // The observation of a code action (the console output); tool results are shown as they arrive.
        observation: step.code && !step.finalAnswer ? step.observation : undefined,
        error: step.error?.message,
        // Whether the model answered at all (a step stopped while the model was thinking did nothing).
        answered: step.modelOutput !== undefined,
        durationMs: step.timing.durationMs,
        tokens: totalTokens(step.usage),
        estimated,
        cost: costOf(modelId, step.usage),
      };
    }
    case 'run-finish': {
      const r = event.result;
      return {
        type: event.type,
        state: r.state,
        stopReason: r.stopReason,
        // Steps the model answered: one stopped while the model was thinking did nothing (and has no card).
        steps: actionSteps(r).filter((s) => s.modelOutput !== undefined).length,
        tokens: totalTokens(r.usage),
        estimated,
        cost: costOf(modelId, r.usage),
        bill: estimated ? undefined : formatBill(r.bill),
        durationMs: r.timing.durationMs,
      };
    }
    // The call's arguments arrive whole with `tool-call`; a sub-agent's events are not shown.
    case 'tool-input-delta':
    case 'reasoning-delta':
    case 'managed-agent':
      return undefined;
    default:
      return event;
  }
}
