/**
 * The prompts of the shared loop — planning, the answer after the step limit, structured
 * output, rejected final answers and the task a managed agent receives. Each is a template:
 * `{{name}}` placeholders are filled in when used, and every one can be replaced through the
 * agent's `loopPrompts` option. (The system prompt belongs to each agent: see the `prompts`
 * option of `ToolCallingAgent` and `CodeAgent`.)
 */

/** The first plan, before step 1. Placeholders: {{task}}, {{max_steps}}. */
export const INITIAL_PLAN = `Before acting, make a short plan for the task above.
First list the facts given in the task, then the facts you still need to look up or work out.
Then write the steps to get the answer (at most 7, numbered), using the tools you have.
Write only the plan: no tool calls and no code.`;

/** A revised plan, every \`planningInterval\` steps. Placeholders: {{task}}, {{step}}, {{remaining_steps}}. */
export const UPDATE_PLAN = `Pause and review your progress on the task. You have {{remaining_steps}} steps left.
First list what you have learned so far and what you still need. Then write an updated plan to finish
the task (at most 7 steps, numbered); say so if you can already answer.
Write only the plan: no tool calls and no code.`;

/** After the last allowed step: one more call for the best answer. Placeholders: {{task}}, {{max_steps}}. */
export const MAX_STEPS_ANSWER = `You have used all {{max_steps}} steps you were allowed. Based on everything above, give your best
final answer to the task now, directly in your reply, without calling tools or writing code.
If you could not finish, say what is missing.`;

/** Appended to the system prompt when the agent has an \`outputSchema\`. Placeholder: {{schema}}. */
export const OUTPUT_SCHEMA = `

Your final answer must be a value matching this JSON Schema:
{{schema}}`;

/** Appended to the max-steps prompt when the agent has an \`outputSchema\`. Placeholder: {{schema}}. */
export const MAX_STEPS_SCHEMA = `
Reply with JSON only, matching this JSON Schema:
{{schema}}`;

/** What the model is told when its final answer does not match the output schema. Placeholder: {{issues}}. */
export const SCHEMA_MISMATCH = `Your final answer does not match the required output schema: {{issues}}. Give the final answer again, fixed.`;

/** What the model is told when a final-answer check rejected its answer. Placeholder: {{reason}} (may be empty). */
export const ANSWER_REJECTED = `Your final answer was rejected{{reason}}. Keep working, then answer again.`;

/** The task a managed agent is given when its manager calls it. Placeholders: {{name}}, {{task}}. */
export const MANAGED_AGENT_TASK = `You are "{{name}}", working for a manager agent that gave you this task:

{{task}}

Your final answer is all the manager will see: make it complete, with every detail the manager needs.`;

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
