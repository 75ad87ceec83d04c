/**
 * One model call of a step, the way both agents make it: streamed (with deltas as events) under
 * `agent.stream()`, recorded on the step (input, output, usage), failures turned into typed errors.
 */
import { AgentAbortedError, AgentError, isAbortError, ModelCallError, ModelStreamError } from './errors.js';
import type { RunEvent } from './events.js';
import type { ActionStep } from './run-record.js';
import { type Model, type ModelCallOptions, type ModelResponse, responseText } from './model.js';
import { StreamAccumulator } from './stream.js';
import { addUsage } from './usage.js';

export interface ModelCallSite {
  model: Model;
  step: ActionStep;
  signal: AbortSignal;
  streaming: boolean;
  emit(event: RunEvent): void;
}

export async function callModelForStep(site: ModelCallSite, options: Omit<ModelCallOptions, 'abortSignal'>): Promise<ModelResponse> {
  const { model, step, signal } = site;
  // A signal of its own for each call: SDKs add an abort listener per request and never remove
  // it, which on the run's one signal would pile up (Node warns past 10 listeners, i.e. steps).
  const callOptions: ModelCallOptions = { ...options, abortSignal: AbortSignal.any([signal]) };
  step.modelInput = options.messages;
  let response: ModelResponse;
  try {
    response = site.streaming ? await streamed(site, callOptions) : await model.generate(callOptions);
  } catch (error) {
    if (signal.aborted || isAbortError(error)) throw new AgentAbortedError(undefined, { cause: error });
    if (error instanceof AgentError) throw error;
    const status = (error as { status?: unknown })?.status;
    throw new ModelCallError(`Model call failed (${model.provider}/${model.modelId}): ${(error as Error)?.message ?? error}`, {
      cause: error,
      ...(typeof status === 'number' ? { statusCode: status } : {}),
    });
  }
  step.usage = addUsage(step.usage, response.usage);
  const text = responseText(response.content);
  step.modelOutput = { content: response.content, text, finishReason: response.finishReason };
  site.emit({
    type: 'model-response',
    stepNumber: step.stepNumber,
    text,
    content: response.content,
    finishReason: response.finishReason,
    usage: response.usage,
  });
  return response;
}

async function streamed(site: ModelCallSite, callOptions: ModelCallOptions): Promise<ModelResponse> {
  const { stepNumber } = site.step;
  const acc = new StreamAccumulator();
  const names = new Map<string, string>();
  for await (const part of site.model.stream(callOptions)) {
    acc.add(part);
    if (part.type === 'text-delta') site.emit({ type: 'text-delta', stepNumber, delta: part.delta });
    else if (part.type === 'reasoning-delta') site.emit({ type: 'reasoning-delta', stepNumber, delta: part.delta });
    else if (part.type === 'tool-input-start') names.set(part.id, part.toolName);
    else if (part.type === 'tool-input-delta') {
      const toolName = names.get(part.id);
      site.emit({ type: 'tool-input-delta', stepNumber, toolCallId: part.id, delta: part.delta, ...(toolName ? { toolName } : {}) });
    }
  }
  if (!acc.finished) throw new ModelStreamError('The model stream ended before the reply was complete.');
  return acc.response();
}
