import { z } from 'zod';
import { type Tool, tool } from './tool.js';

export const FINAL_ANSWER_TOOL_NAME = 'final_answer';

/**
 * The built-in `final_answer` tool: calling it ends the run with `answer`. Agents add it
 * themselves; pass an `answer` schema to ask for structured output.
 */
export function finalAnswerTool<T = unknown>(answer?: z.ZodType<T>): Tool<{ answer: T }, T> {
  return tool({
    name: FINAL_ANSWER_TOOL_NAME,
    description: 'Gives the final answer to the task and ends the run. Call it once you know the answer.',
    input: z.object({
      answer: (answer ?? z.any()).describe('The final answer to the task.'),
    }) as z.ZodType<{ answer: T }> as any,
    run: ({ answer: value }: { answer: T }) => value,
  }) as Tool<{ answer: T }, T>;
}
