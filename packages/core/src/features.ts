/**
 * What the loop adds around any agent's steps: final-answer review (structured output and
 * user checks) and hooks. Kept apart from agent.ts so the loop itself stays readable.
 */
import { FINAL_ANSWER_TOOL_NAME, formatIssue, toJSONSchema } from '@actkit/tools';
import type { z } from 'zod';
import { AgentConfigError, AgentError } from './errors.js';
import type { RunEvent, RunEventType } from './events.js';
import type { AgentMemory } from './memory.js';
import type { ActionStep } from './run-record.js';
import type { Model } from './model.js';
import type { LoopPrompts } from './prompts.js';
import { renderTemplate } from './template.js';

/**
 * Returns true to accept a final answer, or false / a reason (shown to the model) to reject it.
 * It gets the answer after the output schema has parsed it. A check that throws ends the run
 * with a `FinalAnswerCheckError`: a bug in a check is not the model's to fix.
 */
export type FinalAnswerCheck<TOutput = unknown> = (
  answer: TOutput,
  context: { memory: AgentMemory; step: ActionStep },
) => boolean | string | Promise<boolean | string>;

/** A final-answer check threw (rather than returning a verdict). The run ends; memory keeps every step. */
export class FinalAnswerCheckError extends AgentError {
  override name = 'FinalAnswerCheckError';
  override readonly code = 'final_answer_check';
}

/** An agent as hooks see it (every actkit agent is one). */
export interface AgentIdentity {
  readonly name: string;
  readonly description: string;
  readonly model: Model;
}

export interface HookContext {
  /** The agent running. */
  agent: AgentIdentity;
  runId: string;
  /** The run's memory, as it is when the hook runs. */
  memory: AgentMemory;
  /** The action step in progress or just finished, when there is one. */
  step: ActionStep | undefined;
  /** Ends the run before its next step, with state `stopped` and this reason. */
  stop(reason?: string): void;
}

/**
 * Callbacks on a run, called in order and awaited: a hook can watch (a logger, tracing, metrics)
 * or steer (`context.stop()`). A hook that throws ends the run with a `HookError`.
 */
export interface AgentHooks {
  /** Every event, in order, as `agent.stream()` yields it. */
  onEvent?(event: RunEvent, context: HookContext): void | Promise<void>;
  /** A step is about to run (`context.step` is it). */
  onStepStart?(stepNumber: number, context: HookContext): void | Promise<void>;
  /** A step has finished: its model output, tool calls or code, observation, error, usage and timing. */
  onStepEnd?(step: ActionStep, context: HookContext): void | Promise<void>;
}

/** A hook threw: the run ends with this error (memory keeps every step so far, the one in progress included). */
export class HookError extends AgentError {
  override name = 'HookError';
  override readonly code = 'hook';
  constructor(
    message: string,
    readonly hook: keyof AgentHooks,
    readonly eventType: RunEventType,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export async function runHooks(all: readonly AgentHooks[], event: RunEvent, context: HookContext): Promise<void> {
  const call = async (name: keyof AgentHooks, fn: () => void | Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      throw new HookError(`The ${name} hook threw on a ${event.type} event: ${(error as Error)?.message ?? error}`, name, event.type, {
        cause: error,
      });
    }
  };
  for (const hooks of all) {
    if (hooks.onEvent) await call('onEvent', () => hooks.onEvent!(event, context));
    if (event.type === 'step-start' && hooks.onStepStart) await call('onStepStart', () => hooks.onStepStart!(event.stepNumber, context));
    if (event.type === 'step-finish' && hooks.onStepEnd) await call('onStepEnd', () => hooks.onStepEnd!(event.step, context));
  }
}

/** Checks an `outputSchema` when the agent is created: a zod schema that converts to JSON Schema. */
export function checkOutputSchema(schema: unknown): z.ZodType | undefined {
  if (schema === undefined) return undefined;
  if (typeof (schema as z.ZodType | null)?.safeParseAsync !== 'function') {
    throw new AgentConfigError('outputSchema must be a zod schema, e.g. z.object({ total: z.number() }).');
  }
  try {
    toJSONSchema(schema as z.ZodType);
  } catch (error) {
    throw new AgentConfigError(`outputSchema cannot be shown to the model as JSON Schema: ${(error as Error)?.message ?? error}`, { cause: error });
  }
  return schema as z.ZodType;
}

/**
 * Reviews the final answer a step produced: parses and validates it against the output schema
 * and runs the user's checks. A rejected answer is cleared and becomes the step's error, so the
 * model sees why and answers again; a `final_answer` tool call of the step says it was not accepted.
 */
export async function reviewFinalAnswer(
  step: ActionStep,
  memory: AgentMemory,
  outputSchema: z.ZodType | undefined,
  checks: readonly FinalAnswerCheck<any>[],
  prompts: Pick<LoopPrompts, 'schemaMismatch' | 'answerRejected'>,
): Promise<void> {
  if (!step.finalAnswer) return;
  let value = step.finalAnswer.value;
  if (outputSchema) {
    const parsed = await validateOutput(outputSchema, value);
    if (!parsed.ok) {
      reject(step, 'FinalAnswerSchemaMismatch', renderTemplate(prompts.schemaMismatch, { issues: parsed.issues }));
      return;
    }
    value = parsed.value;
    step.finalAnswer = { value };
  }
  for (const check of checks) {
    let verdict: boolean | string;
    try {
      verdict = await check(value, { memory, step });
    } catch (error) {
      reject(step, 'FinalAnswerCheckError', `A final-answer check threw: ${(error as Error)?.message ?? error}`);
      throw new FinalAnswerCheckError(`A final-answer check threw: ${(error as Error)?.message ?? error}`, { cause: error });
    }
    if (verdict !== true) {
      const reason = typeof verdict === 'string' && verdict.trim() ? `: ${verdict.trim()}` : '';
      reject(step, 'FinalAnswerRejected', renderTemplate(prompts.answerRejected, { reason }));
      return;
    }
  }
}

/** Validates a value against an output schema; JSON text is parsed first (models often answer that way). */
export async function validateOutput(
  schema: z.ZodType,
  value: unknown,
): Promise<{ ok: true; value: unknown } | { ok: false; issues: string }> {
  const json = parseIfJson(value);
  const parsed = await schema.safeParseAsync(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  // Text that looked like JSON may be meant as text (a schema of z.string()).
  if (json !== value) {
    const raw = await schema.safeParseAsync(value);
    if (raw.success) return { ok: true, value: raw.data };
  }
  const issues = parsed.error.issues
    .map((i) => formatIssue({ path: i.path.filter((p): p is string | number => typeof p !== 'symbol'), message: i.message }))
    .join('; ');
  return { ok: false, issues };
}

/** What a `final_answer` tool call returns to the model, and what it says once the answer is rejected. */
export const FINAL_ANSWER_RECORDED = 'Final answer recorded.';
const FINAL_ANSWER_NOT_ACCEPTED = 'Not accepted: see the error that follows.';

function reject(step: ActionStep, name: string, message: string): void {
  step.finalAnswer = undefined;
  // An error the step already had (rare) is kept: the model sees both.
  step.error = step.error ? { name, message: `${step.error.message}\n${message}` } : { name, message };
  // A `final_answer` tool call that "recorded" the answer now says it was not accepted, in the
  // call and in the step's observation (the memory agrees with what the model is shown).
  for (const call of [...step.toolCalls, ...(step.codeToolCalls ?? [])]) {
    if (call.toolName === FINAL_ANSWER_TOOL_NAME && !call.error) call.output = FINAL_ANSWER_NOT_ACCEPTED;
  }
  step.observation = step.observation?.replace(`${FINAL_ANSWER_TOOL_NAME}: ${FINAL_ANSWER_RECORDED}`, `${FINAL_ANSWER_TOOL_NAME}: ${FINAL_ANSWER_NOT_ACCEPTED}`);
}

/** Models often answer structured output as JSON text: accept it as the value it denotes. */
function parseIfJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
  if (!/^[[{]/.test(text)) return value;
  try {
    return JSON.parse(text);
  } catch {
    return value;
  }
}

/** The system prompt section describing the required final answer. */
export function outputSchemaSection(schema: z.ZodType, template: string): string {
  return renderTemplate(template, { schema: JSON.stringify(toJSONSchema(schema)) });
}

/** Several sets of hooks as one (e.g. a logger and tracing), called in order. */
export function combineHooks(...all: Array<AgentHooks | undefined>): AgentHooks {
  const hooks = all.filter((h): h is AgentHooks => !!h);
  return {
    async onEvent(event, context) {
      for (const h of hooks) await h.onEvent?.(event, context);
    },
    async onStepStart(stepNumber, context) {
      for (const h of hooks) await h.onStepStart?.(stepNumber, context);
    },
    async onStepEnd(step, context) {
      for (const h of hooks) await h.onStepEnd?.(step, context);
    },
  };
}
