/**
 * The prompts of the shared loop — planning, the answer after the step limit, structured
 * output, rejected final answers and the task a managed agent receives. Each is a template kept
 * in a Markdown file of its own under prompts/ (named after its `loopPrompts` key):
 * `{{name}}` placeholders are filled in when used (template.ts), and every one can be replaced
 * through the agent's `loopPrompts` option. (The system prompt belongs to each agent: see the
 * `prompts` option of `ToolCallingAgent` and `CodeAgent`, whose templates are kept the same way.)
 */
import { TEXTS } from './prompts/texts.js';

/** The first plan, before step 1. Placeholders: {{task}}, {{max_steps}}. */
export const INITIAL_PLAN: string = TEXTS['initial-plan'];

/** A revised plan, every `planningInterval` steps. Placeholders: {{task}}, {{step}}, {{remaining_steps}}. */
export const UPDATE_PLAN: string = TEXTS['update-plan'];

/** After the last allowed step: one more call for the best answer. Placeholders: {{task}}, {{max_steps}}. */
export const MAX_STEPS_ANSWER: string = TEXTS['max-steps-answer'];

/** Appended to the system prompt when the agent has an `outputSchema`. Placeholder: {{schema}}. */
export const OUTPUT_SCHEMA: string = TEXTS['output-schema'];

/** Appended to the max-steps prompt when the agent has an `outputSchema`. Placeholder: {{schema}}. */
export const MAX_STEPS_SCHEMA: string = TEXTS['max-steps-schema'];

/** What the model is told when its final answer does not match the output schema. Placeholder: {{issues}}. */
export const SCHEMA_MISMATCH: string = TEXTS['schema-mismatch'];

/** What the model is told when a final-answer check rejected its answer. Placeholder: {{reason}} (may be empty). */
export const ANSWER_REJECTED: string = TEXTS['answer-rejected'];

/** The task a managed agent is given when its manager calls it. Placeholders: {{name}}, {{task}}. */
export const MANAGED_AGENT_TASK: string = TEXTS['managed-agent-task'];

/** Every prompt of the loop, by the name used in the `loopPrompts` option. */
export interface LoopPrompts {
  /** The first plan, before step 1 (`planningInterval`). Placeholders: {{task}}, {{max_steps}}. */
  initialPlan: string;
  /** A revised plan every `planningInterval` steps. Placeholders: {{task}}, {{step}}, {{remaining_steps}}. */
  updatePlan: string;
  /** After the last allowed step, the request for a best answer. Placeholders: {{task}}, {{max_steps}}. */
  maxStepsAnswer: string;
  /** Added to that request under an `outputSchema`. Placeholder: {{schema}}. */
  maxStepsSchema: string;
  /** Added to the system prompt under an `outputSchema`. Placeholder: {{schema}}. */
  outputSchema: string;
  /** The error the model sees for an answer not matching the schema. Placeholder: {{issues}}. */
  schemaMismatch: string;
  /** The error the model sees for an answer a check rejected. Placeholder: {{reason}} (": why", or empty). */
  answerRejected: string;
  /** The task text a managed agent runs when its manager calls it. Placeholders: {{name}}, {{task}}. */
  managedAgentTask: string;
}

export const DEFAULT_LOOP_PROMPTS: Readonly<LoopPrompts> = Object.freeze({
  initialPlan: INITIAL_PLAN,
  updatePlan: UPDATE_PLAN,
  maxStepsAnswer: MAX_STEPS_ANSWER,
  maxStepsSchema: MAX_STEPS_SCHEMA,
  outputSchema: OUTPUT_SCHEMA,
  schemaMismatch: SCHEMA_MISMATCH,
  answerRejected: ANSWER_REJECTED,
  managedAgentTask: MANAGED_AGENT_TASK,
});

/** The placeholders each loop prompt may use (a template may use any of them, or none). */
export const LOOP_PROMPT_PLACEHOLDERS: Readonly<Record<keyof LoopPrompts, readonly string[]>> = Object.freeze({
  initialPlan: ['task', 'max_steps'],
  updatePlan: ['task', 'step', 'remaining_steps'],
  maxStepsAnswer: ['task', 'max_steps'],
  maxStepsSchema: ['schema'],
  outputSchema: ['schema'],
  schemaMismatch: ['issues'],
  answerRejected: ['reason'],
  managedAgentTask: ['name', 'task'],
});
