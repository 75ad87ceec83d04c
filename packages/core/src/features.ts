/**
 * What the loop adds around any agent's steps: final-answer review (structured output and
 * user checks), hooks, and the prompt texts these features use. Kept apart from agent.ts so the
 * loop itself stays readable.
 */
import { formatIssue, toJSONSchema } from '@actkit/tools';
import type { z } from 'zod';
import { AgentError } from './errors.js';
import type { RunEvent } from './events.js';
import type { ActionStep, AgentMemory } from './memory.js';

/** Returns true to accept a final answer, or false / a reason (shown to the model) to reject it. */
export type FinalAnswerCheck = (
  answer: unknown,
  context: { memory: AgentMemory; step: ActionStep },
) => boolean | string | Promise<boolean | string>;

export interface HookContext {
  /** The agent running (typed loosely to keep hooks free of generics). */
  agent: unknown;
  /** Ends the run before its next step, with state `stopped` and this reason. */
  stop(reason?: string): void;
}

export interface AgentHooks {
  /** Every event, in order, as `agent.stream()` yields it. */
  onEvent?(event: RunEvent, context: HookContext): void | Promise<void>;
  onStepStart?(stepNumber: number, context: HookContext): void | Promise<void>;
  onStepEnd?(step: ActionStep, context: HookContext): void | Promise<void>;
}

/** A hook threw: the run ends with this error (memory keeps every step so far). */
export class HookError extends AgentError {
  override name = 'HookError';
  override readonly code = 'hook';
}

export async function runHooks(hooks: AgentHooks | undefined, event: RunEvent, context: HookContext): Promise<void> {
  if (!hooks) return;
  const call = async (name: keyof AgentHooks, fn: () => void | Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      throw new HookError(`The ${name} hook threw: ${(error as Error)?.message ?? error}`, { cause: error });
    }
  };
  if (hooks.onEvent) await call('onEvent', () => hooks.onEvent!(event, context));
  if (event.type === 'step-start' && hooks.onStepStart) await call('onStepStart', () => hooks.onStepStart!(event.stepNumber, context));
  if (event.type === 'step-finish' && hooks.onStepEnd) await call('onStepEnd', () => hooks.onStepEnd!(event.step, context));
}

/**
 * Reviews the final answer a step produced: parses and validates it against the output schema
 * and runs the user's checks. A rejected answer is cleared and becomes the step's error, so the
 * model sees why and answers again.
 */
export async function reviewFinalAnswer(
  step: ActionStep,
  memory: AgentMemory,
  outputSchema: z.ZodType | undefined,
  checks: readonly FinalAnswerCheck[],
): Promise<void> {
  if (!step.finalAnswer) return;
  let value = step.finalAnswer.value;
  if (outputSchema) {
    const parsed = await outputSchema.safeParseAsync(parseIfJson(value));
    if (!parsed.success) {
      step.finalAnswer = undefined;
      step.error = {
        name: 'FinalAnswerSchemaMismatch',
        message: `Your final answer does not match the required output schema: ${parsed.error.issues
          .map((i) => formatIssue({ path: i.path.filter((p): p is string | number => typeof p !== 'symbol'), message: i.message }))
          .join('; ')}. Give the final answer again, fixed.`,
      };
      return;
    }
    value = parsed.data;
    step.finalAnswer = { value };
  }
  for (const check of checks) {
    let verdict: boolean | string;
    try {
      verdict = await check(value, { memory, step });
    } catch (error) {
      throw new AgentError(`A final-answer check threw: ${(error as Error)?.message ?? error}`, { cause: error });
    }
    if (verdict !== true) {
      step.finalAnswer = undefined;
      step.error = {
        name: 'FinalAnswerRejected',
        message: `Your final answer was rejected${typeof verdict === 'string' && verdict ? `: ${verdict}` : ''}. Keep working, then answer again.`,
      };
      return;
    }
  }
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
export function outputSchemaSection(schema: z.ZodType): string {
  return `\n\nYour final answer must be a value matching this JSON Schema:\n${JSON.stringify(toJSONSchema(schema))}`;
}

export const PLANNING_PROMPT = `Before acting, make a short plan for the task, given everything above.
List the facts you know, the facts you still need, and the steps to get the answer (at most 7, numbered).
Write only the plan: no tool calls and no code.`;

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
