import { actionSteps, CodeAgent, tool } from '@actkit/code-actions';
import { ScriptedModel } from '@actkit/testing';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { LocalExecutor } from '../src/index.js';

/**
 * A CodeAgent passes on what its tools promise: a tool defined `synchronous: true` reaches the
 * sandbox as one, so that an in-process executor with `hostThread: 'always'` (the run's signal
 * is always there) answers its calls on the host's thread, without the event loop turning
 * between them. The turns are counted by a `setImmediate` chain each call reads.
 */
let turns = 0;
let counting = true;
const tick = () => {
  if (!counting) return;
  turns++;
  setImmediate(tick);
};

/** The event-loop turns each call of a step saw, by step. */
function recordingTools() {
  const seen: number[] = [];
  const define = (name: string, synchronous: boolean) =>
    tool({ name, description: 'Adds.', input: z.object({ a: z.number(), b: z.number() }), synchronous, run: ({ a, b }) => (seen.push(turns), a + b) });
  return { seen, add: define('add', true), addLater: define('add_later', false) };
}

const code = (name: string) => `<code>\nlet n = 0;\nfor (let i = 0; i < 200; i++) n = ${name}({ a: n, b: i });\nconsole.log(n)\n</code>`;

it('answers a synchronous tool\'s calls in a code action without the event loop turning between them', { timeout: 60_000 }, async () => {
  counting = true;
  setImmediate(tick);
  const { seen, add, addLater } = recordingTools();
  const agent = new CodeAgent({
    model: new ScriptedModel([code('add'), code('add_later'), '<code>final_answer(add({ a: 1, b: 2 }))</code>']),
    tools: [add, addLater],
    executor: new LocalExecutor({ mode: 'in-process', hostThread: 'always' }),
  });
  try {
    const result = await agent.run('Add up.');
    expect(result.state).toBe('success');
    expect(result.output).toBe(3);
    const [first, second] = actionSteps(result);
    // Recorded and observed as any tool call.
    expect(first!.codeToolCalls).toHaveLength(200);
    expect(first!.observation).toContain(String((200 * 199) / 2));
    expect(second!.observation).toContain(String((200 * 199) / 2));
    const synchronousTurns = new Set(seen.slice(0, 200));
    const asyncTurns = new Set(seen.slice(200, 400));
    expect(synchronousTurns.size).toBe(1);
    // The other tool is not synchronous: its action waits on each call, the loop turning.
    expect(asyncTurns.size).toBeGreaterThan(10);
  } finally {
    counting = false;
    await agent.close();
  }
});
