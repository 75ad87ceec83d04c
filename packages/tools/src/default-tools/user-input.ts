import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import { type Tool, tool } from '../tool.js';

/** Asks the person running the agent a question (default: on the terminal) and returns the answer. */
export function userInputTool(options: { ask?: (question: string) => Promise<string> } = {}): Tool<{ question: string }, string> {
  const ask =
    options.ask ??
    (async (question: string) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(`${question}\n> `);
      } finally {
        rl.close();
      }
    });
  return tool({
    name: 'user_input',
    description: 'Asks the user a question and returns their answer. Use it when you need information only the user has.',
    input: z.object({ question: z.string().min(1).describe('The question for the user') }),
    run: ({ question }) => ask(question),
  });
}
