import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import { type Tool, tool } from '../tool.js';

/**
 * Asks the person running the agent a question and returns the answer: on the terminal by
 * default, or through your `ask` function (a chat UI, a ticket…). Cancelling the run cancels
 * the question.
 */
export function userInputTool(
  options: { ask?: (question: string, context: { signal: AbortSignal }) => Promise<string> } = {},
): Tool<{ question: string }, string> {
  const ask =
    options.ask ??
    (async (question: string, { signal }: { signal: AbortSignal }) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(`${question}\n> `, { signal });
      } finally {
        rl.close();
      }
    });
  return tool({
    name: 'user_input',
    description: 'Asks the user a question and returns their answer. Use it when you need information only the user has.',
    input: z.object({ question: z.string().min(1).describe('The question for the user') }),
    run: async ({ question }, { signal }) => {
      const answer = await ask(question, { signal });
      if (typeof answer !== 'string') throw new Error(`user_input: the answer must be text, got ${typeof answer}.`);
      return answer;
    },
  });
}
