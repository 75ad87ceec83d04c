import { actionSteps, CodeAgent, type RunEvent, tool } from '@actkit/code-actions';
import { ScriptedModel } from '@actkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LocalExecutor } from '../src/index.js';

const metric = (name: string, values: number[]) =>
  tool({
    name,
    description: `Daily ${name} for the last 14 days, oldest first.`,
    input: z.object({ days: z.number().int().min(1).max(14).describe('How many days') }),
    run: ({ days }) => values.slice(-days),
  });

const executors: LocalExecutor[] = [];
function executor() {
  const e = new LocalExecutor({ timeoutMs: 2000 });
  executors.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
});

describe('CodeAgent on the local executor', () => {
  it('shows tools as TypeScript signatures and runs code that calls them until final_answer', async () => {
    const model = new ScriptedModel([
      'I will fetch both weeks.\n<code>\nconst visits = visits_daily({ days: 14 });\nconsole.log(visits.length)\n',
      'Now compute.\n<code>\nconst sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);\nconst change = sum(visits.slice(7)) / sum(visits.slice(0, 7)) - 1;\nfinal_answer({ change: Math.round(change * 100) })\n</code>',
    ]);
    const agent = new CodeAgent({
      model,
      tools: [metric('visits_daily', [...Array(7).fill(100), ...Array(7).fill(120)])],
      executor: executor(),
    });
    const result = await agent.run('Week-over-week change of visits?');
    expect(result.state).toBe('success');
    expect(result.output).toEqual({ change: 20 });
    const system = model.calls[0]!.messages[0]!.content as string;
    expect(system).toContain('declare function visits_daily(input: {');
    expect(system).toContain('/** How many days */');
    expect(model.calls[0]!.stopSequences).toEqual(['</code>']);
    const [first, second] = actionSteps(result);
    expect(first!.observation).toBe('Execution logs:\n14');
    expect(first!.codeToolCalls).toHaveLength(1);
    expect(second!.code).toContain('final_answer');
    // The second model call saw the first observation.
    expect(JSON.stringify(model.calls[1]!.messages)).toContain('Execution logs:\\n14');
  });

  it('feeds a bad tool argument back with the tool and field, and the model recovers', async () => {
    const model = new ScriptedModel([
      '<code>visits_daily({ days: 99 })</code>',
      '<code>visits_daily(3)</code>',
      '<code>final_answer("ok")</code>',
    ]);
    const agent = new CodeAgent({ model, tools: [metric('visits_daily', [1, 2, 3])], executor: executor() });
    const result = await agent.run('go');
    const [bad, positional] = actionSteps(result);
    expect(bad!.error?.message).toMatch(/visits_daily.*days/s);
    expect(JSON.stringify(model.calls[1]!.messages.at(-1))).toContain('days');
    expect(positional!.error).toBeUndefined();
    expect(positional!.observation).toContain('[ 1, 2, 3 ]');
    expect(result.output).toBe('ok');
  });

  it('turns a reply without code, a runtime error and a timeout into observations, and goes on', async () => {
    const model = new ScriptedModel([
      'I think the answer is 4.',
      '<code>\nconst x = 1;\nundefinedFunction(x)\n</code>',
      '<code>while (true) {}</code>',
      '<code>final_answer(typeof x)</code>',
    ]);
    const agent = new CodeAgent({ model, tools: [], executor: executor(), actionTimeoutMs: 300 });
    const result = await agent.run('go');
    const steps = actionSteps(result);
    expect(steps[0]!.error).toMatchObject({ name: 'NoCode' });
    expect(steps[1]!.error?.message).toMatch(/^ReferenceError on line 2: undefinedFunction is not defined/);
    expect(steps[2]!.error?.message).toMatch(/Timeout/);
    expect(steps[2]!.observation).toMatch(/sandbox had to be restarted/);
    // State was lost with the restart: `x` from step 2 is gone.
    expect(result.output).toBe('undefined');
  });

  it('streams code, tool calls and console output as events', async () => {
    const model = new ScriptedModel(['<code>console.log(visits_daily({ days: 2 }));\nfinal_answer(1)</code>']);
    const agent = new CodeAgent({ model, tools: [metric('visits_daily', [5, 6, 7])], executor: executor() });
    const events: RunEvent[] = [];
    const stream = agent.stream('go');
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['text-delta', 'code', 'tool-call', 'tool-result', 'code-log', 'final-answer', 'run-finish']),
    );
    expect(types.indexOf('code')).toBeLessThan(types.indexOf('tool-call'));
    expect(events.find((e) => e.type === 'code-log')).toMatchObject({ text: '[ 6, 7 ]\n' });
    expect((await stream.result).output).toBe(1);
  });

  it('stops at maxSteps with a best answer from memory', async () => {
    const model = new ScriptedModel(['<code>console.log(1)</code>', '<code>console.log(2)</code>', 'Best guess: 2']);
    const agent = new CodeAgent({ model, tools: [], executor: executor(), maxSteps: 2 });
    const result = await agent.run('go');
    expect(result.state).toBe('max_steps');
    expect(result.output).toBe('Best guess: 2');
  });

  it('needs an executor', () => {
    expect(() => new CodeAgent({ model: new ScriptedModel([]), tools: [] } as never)).toThrow(/executor/);
  });
});
