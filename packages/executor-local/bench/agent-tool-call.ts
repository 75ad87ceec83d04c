/**
 * A tool call as a CodeAgent makes it: the sandbox's call, then the agent's own work on it (the
 * input validated with zod, the call recorded in the step and streamed as events). Measured over a
 * whole run, the model scripted: the figure is the run's time over its calls, after the checks that
 * every step ran, every call reached the tool and each action's sum came out right.
 */
import { actionSteps, CodeAgent, type CodeExecutor, tool } from '@actkit/code-actions';
import { ScriptedModel } from '@actkit/testing';
import { z } from 'zod';

const CALLS_PER_STEP = 1000;
const STEPS = 20;

/** Per call, in ms: a run of STEPS actions of CALLS_PER_STEP calls each, with a tool that is `synchronous` or not. */
export async function agentToolCallMs(executor: CodeExecutor, synchronous: boolean): Promise<number> {
  let calls = 0;
  const add = tool({
    name: 'add',
    description: 'Adds two numbers.',
    input: z.object({ a: z.number(), b: z.number() }),
    synchronous,
    run: ({ a, b }) => (calls++, a + b),
  });
  const action = `<code>\nlet n = 0;\nfor (let i = 0; i < ${CALLS_PER_STEP}; i++) n = add({ a: n, b: i });\nconsole.log(n)\n</code>`;
  const agent = new CodeAgent({
    model: new ScriptedModel([...Array<string>(STEPS).fill(action), '<code>final_answer("done")</code>']),
    tools: [add],
    executor,
    maxSteps: STEPS + 1,
    // Twenty identical steps on purpose.
    loopGuard: false,
  });
  try {
    const t0 = performance.now();
    const result = await agent.run('Add up.');
    const elapsed = performance.now() - t0;
    const steps = actionSteps(result);
    const sum = String((CALLS_PER_STEP * (CALLS_PER_STEP - 1)) / 2);
    const summed = steps.slice(0, STEPS).every((step) => step.codeToolCalls?.length === CALLS_PER_STEP && step.observation?.includes(sum));
    if (result.state !== 'success' || steps.length !== STEPS + 1 || calls !== STEPS * CALLS_PER_STEP || !summed) {
      throw new Error(`bench: the agent's run ended ${result.state} after ${steps.length} steps and ${calls} of ${STEPS * CALLS_PER_STEP} tool calls`);
    }
    return elapsed / calls;
  } finally {
    await agent.close();
  }
}
