/**
 * A planning step: the model writes a plan from what it knows so far (recorded in memory, shown
 * in the stream), before the first action step and then every `planningInterval` steps.
 */
import { AgentError, isAbortError, ModelCallError } from './errors.js';
import type { PlanningStep } from './run-record.js';
import { type Model, type ModelCallOptions, type ModelResponse, responseText } from './model.js';

/** The plan, or undefined when the run was aborted meanwhile. `call.messages` ends with the planning prompt. */
export async function planStep(model: Model, call: Omit<ModelCallOptions, 'abortSignal'>, signal: AbortSignal): Promise<PlanningStep | undefined> {
  const startedAt = Date.now();
  const t0 = performance.now();
  let response: ModelResponse;
  try {
    response = await model.generate({ ...call, abortSignal: signal });
  } catch (error) {
    if (signal.aborted || isAbortError(error)) return undefined;
    throw error instanceof AgentError
      ? error
      : new ModelCallError(`Planning failed (${model.provider}/${model.modelId}): ${(error as Error)?.message ?? error}`, { cause: error });
  }
  if (signal.aborted) return undefined;
  return {
    type: 'planning',
    plan: responseText(response.content).trim(),
    modelInput: call.messages,
    usage: response.usage,
    timing: { startedAt, endedAt: Date.now(), durationMs: performance.now() - t0 },
  };
}
