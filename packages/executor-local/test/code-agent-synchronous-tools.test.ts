import { actionSteps, CodeAgent, tool } from '@actkit/code-actions';
import { ScriptedModel } from '@actkit/testing';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { LocalExecutor } from '../src/index.js';
import { countEventLoopTurns } from './fixtures/event-loop-turns.js';

/**
 * A CodeAgent passes on what its tools promise: tools defined `synchronous: true` reach the
 * sandbox as such, so that an in-process executor with `hostThread: 'always'` (the run's signal
 * is always there) answers their calls on the host's thread, without the event loop turning
 * between them. Each call notes how many turns the event loop has taken so far.
 */
const input = z.object({ a: z.number(), b: z.number() });
const action = (name: string) => `<code>\nlet n = 0;\nfor (let i = 0; i < 200; i++) n = ${name}({ a: n, b: i });\nconsole.log(n)\n</code>`;

/** Runs an agent with `tools` whose first action calls `name` 200 times; gives the turns each call saw, and the run. */
async function turnsSeen(tools: Parameters<typeof tool>[0][], name: string) {
  const seen: number[] = [];
  const counter = countEventLoopTurns();
  const agent = new CodeAgent({
    model: new ScriptedModel([action(name), '<code>final_answer("done")</code>']),
    tools: tools.map((definition) => tool({ ...definition, run: (args, context) => (seen.push(counter.turns), definition.run(args, context)) })),
    executor: new LocalExecutor({ mode: 'in-process', hostThread: 'always' }),
  });
  try {
    const result = await agent.run('Add up.');
    return { seen, result, step: actionSteps(result)[0]! };
  } finally {
    counter.stop();
    await agent.close();
  }
}

const add = { name: 'add', description: 'Adds.', input, synchronous: true, run: ({ a, b }: { a: number; b: number }) => a + b };
// Answers after a turn of the event loop: each call waits on the host.
const addLater = {
  name: 'add_later',
  description: 'Adds, a turn later.',
  input,
  run: async ({ a, b }: { a: number; b: number }) => {
    await new Promise((resolve) => setImmediate(resolve));
    return a + b;
  },
};
const sum = String((200 * 199) / 2);

it("answers a synchronous tool's calls in a code action without the event loop turning between them", { timeout: 60_000 }, async () => {
  const { seen, result, step } = await turnsSeen([add], 'add');
  expect(result.state).toBe('success');
  // Recorded and observed as any tool call.
  expect(step.codeToolCalls).toHaveLength(200);
  expect(step.observation).toContain(sum);
  expect(seen).toHaveLength(200);
  expect(new Set(seen).size).toBe(1);
});

it('keeps the action of an agent that also has an async tool on the isolate thread, where that tool is awaited', { timeout: 60_000 }, async () => {
  const { seen, result, step } = await turnsSeen([add, addLater], 'add_later');
  expect(result.state).toBe('success');
  // On the host's thread the async tool could not have been awaited: every call would have failed.
  expect(step.error).toBeUndefined();
  expect(step.observation).toContain(sum);
  expect(new Set(seen).size).toBeGreaterThan(100);
});
