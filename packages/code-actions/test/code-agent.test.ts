/**
 * CodeAgent on a par with ToolCallingAgent: a typed `result.output` under an `outputSchema`, and
 * prompt templates checked when the agent is created. Code runs in a real sandbox (the runner in a
 * child Node process).
 */
import { AgentMemory, type CodeExecutor } from '@actkit/core';
import { ScriptedModel } from '@actkit/testing';
import { tool } from '@actkit/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChildProcessSandboxProvider, CodeAgent, describeExecutionError, RunnerExecutor } from '../src/index.js';

describe('CodeAgent', () => {
  it('types and validates result.output by its outputSchema; a mismatch goes back to the model', async () => {
    const model = new ScriptedModel(['<code>\nfinal_answer("about five")\n</code>', '<code>\nconst items = [2, 3];\nfinal_answer({ total: items[0] + items[1] })\n</code>']);
    const agent = new CodeAgent({ model, executor: new RunnerExecutor(new ChildProcessSandboxProvider()), outputSchema: z.object({ total: z.number() }) });
    try {
      const result = await agent.run('Add the items.');
      const total: number | undefined = result.output?.total; // typed by the schema
      expect(total).toBe(5);
      const [first] = result.steps.filter((s) => s.type === 'action');
      expect(first).toMatchObject({ error: { name: 'FinalAnswerSchemaMismatch' } });
      // The model is told the shape it must answer in.
      expect(model.calls[0]!.messages[0]!.content).toContain('"total"');
    } finally {
      await agent.close();
    }
  });

  it("tells the model when a run continues a memory whose code ran in another sandbox (its variables are not in this one)", async () => {
    const first = new CodeAgent({
      model: new ScriptedModel(['<code>\nconst total = 40;\nfinal_answer(total)\n</code>', '<code>\nfinal_answer(typeof total)\n</code>']),
      executor: new RunnerExecutor(new ChildProcessSandboxProvider()),
    });
    const second = new CodeAgent({
      model: new ScriptedModel(['<code>\nfinal_answer(typeof total)\n</code>']),
      executor: new RunnerExecutor(new ChildProcessSandboxProvider()),
    });
    try {
      expect((await first.run('Count.')).output).toBe(40);
      const saved = first.memory.toJSON();
      // The same agent goes on in the same sandbox: the variable is there, and nothing is said.
      const same = await first.run('Again.', { reset: false });
      expect(same.output).toBe('number');
      expect(same.steps.at(-1)).not.toMatchObject({ observation: expect.stringMatching(/restarted/) });
      // Restored elsewhere (another process, a durable run's next worker): a new sandbox, and the model is told.
      const elsewhere = await second.run('Again.', { memory: AgentMemory.fromJSON(saved), reset: false });
      expect(elsewhere.output).toBe('undefined');
      expect(elsewhere.steps.at(-1)).toMatchObject({ observation: expect.stringMatching(/sandbox had to be restarted/) });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("never lets a run see another run's variables: one agent for every request, a pool's idle executor, runs at the same time", async () => {
    const secretThenPeek = (who: string) => [`<code>\nconst secret = "${who}";\nfinal_answer(secret)\n</code>`];
    const peek = '<code>\nfinal_answer(typeof secret === "undefined" ? "nothing" : secret)\n</code>';
    for (const executor of [new RunnerExecutor(new ChildProcessSandboxProvider()), () => new RunnerExecutor(new ChildProcessSandboxProvider())]) {
      const agent = new CodeAgent({ model: new ScriptedModel([...secretThenPeek('user A'), peek, peek]), executor });
      try {
        expect((await agent.run('Remember a secret.')).output).toBe('user A');
        // A server's next request: a new run of the same agent, in the executor the last one used.
        expect((await agent.run('What do you know?')).output).toBe('nothing');
      } finally {
        await agent.close();
      }
    }
    // Two runs at the same time on one executor: each step of one wipes the other's state, and says so; neither reads the other's.
    const slow = tool({ name: 'slow', description: 'Waits.', input: z.object({ ms: z.number() }), run: ({ ms }) => new Promise((r) => setTimeout(() => r(ms), ms)) });
    const remember = (call: { messages: unknown }) => `<code>\nconst customer = "${/customer (\w{4})/.exec(JSON.stringify(call.messages))![1]}";\nslow({ ms: 200 })\n</code>`;
    const answer = '<code>\nfinal_answer(typeof customer === "undefined" ? "forgotten" : customer)\n</code>';
    const agent = new CodeAgent({
      model: new ScriptedModel([(call) => remember(call), (call) => remember(call), answer, answer]),
      tools: [slow],
      executor: new RunnerExecutor(new ChildProcessSandboxProvider()),
    });
    try {
      const [a, b] = await Promise.all([agent.run('customer AAAA'), agent.run('customer BBBB')]);
      expect(['AAAA', 'forgotten']).toContain(a.output);
      expect(['BBBB', 'forgotten']).toContain(b.output);
      // Whichever lost its variables to the other was told.
      for (const run of [a, b].filter((r) => r.output === 'forgotten')) {
        expect(run.steps.at(-1)).toMatchObject({ observation: expect.stringMatching(/sandbox had to be restarted/) });
      }
    } finally {
      await agent.close();
    }
  });

  it("says a failed tool call's error once, with its line", () => {
    const failed = { kind: 'tool', name: 'ToolError', toolName: 'boom', line: 2 } as const;
    expect(describeExecutionError({ ...failed, message: 'Tool "boom" failed: kaput' })).toBe('Tool "boom" failed on line 2: kaput');
    expect(describeExecutionError({ ...failed, message: 'Invalid input for tool "boom": a: expected number' })).toBe(
      'Tool "boom" failed on line 2: Invalid input for tool "boom": a: expected number',
    );
  });

  it('checks its prompt templates when it is created, not when it runs', async () => {
    const executor = new RunnerExecutor(new ChildProcessSandboxProvider());
    const model = new ScriptedModel([]);
    expect(() => new CodeAgent({ model, executor, prompts: { system: 'Tools: {{tool}}' } })).toThrow(
      'The prompts.system prompt uses {{tool}}, which it cannot: its placeholders are {{tools}}, {{open}}, {{close}}, {{modules}}, {{instructions}}.',
    );
    expect(() => new CodeAgent({ model, executor, prompts: { sytem: 'x' } as never })).toThrow(
      'prompts has no prompt "sytem" (known: system, instructions, noModules, allowedModules).',
    );
    expect(() => new CodeAgent({ model, executor, loopPrompts: { initialPlan: '{{tsk}}' } })).toThrow(/loopPrompts\.initialPlan prompt uses \{\{tsk\}\}/);
    // The sandbox's own final_answer ends a run: a tool of that name would silently never run.
    const ownFinalAnswer = tool({ name: 'final_answer', description: 'Records the answer.', input: z.object({ answer: z.string() }), run: () => 'ok' });
    expect(() => new CodeAgent({ model, executor, tools: [ownFinalAnswer] })).toThrow(/a tool of that name would never be called/);
    // Deferring approvals is a ToolCallingAgent's: ignored, the run would wait ten minutes for a decision.
    expect(() => new CodeAgent({ model, executor, approval: { defer: true } })).toThrow(/approval\.defer is for a ToolCallingAgent/);
    await executor.close();
  });

  it('answers a sandbox tool call at once when the tool did and no approval was asked (the sandbox need not suspend)', async () => {
    const input = z.object({ a: z.number(), b: z.number() });
    const add = tool({ name: 'add', description: 'Adds.', input, run: ({ a, b }) => a + b });
    const later = tool({ name: 'later', description: 'Adds, later.', input, run: async ({ a, b }) => a + b });
    const guarded = tool({ name: 'guarded', description: 'Adds, when allowed.', input, needsApproval: true, run: ({ a, b }) => a + b });
    const answers: Record<string, unknown> = {};
    // An executor that is its own sandbox: it calls each tool the way a sandbox's host binding does.
    const executor: CodeExecutor = {
      async execute(_code, options) {
        for (const t of options.tools) {
          const answer = t.call({ a: 1, b: 2 });
          answers[t.name] = answer instanceof Promise ? `promise of ${await answer}` : answer;
        }
        return { logs: '', durationMs: 0, finalAnswer: { value: 'done' } };
      },
      async close() {},
    };
    const agent = new CodeAgent({ model: new ScriptedModel(['<code>\nfinal_answer("done")\n</code>']), tools: [add, later, guarded], executor, approval: { decide: () => true } });
    const events: string[] = [];
    for await (const event of agent.stream('Add.')) if (event.type === 'tool-call' || event.type === 'tool-result' || event.type === 'approval-request') events.push(`${event.type} ${'toolName' in event ? event.toolName : ''}`.trim());
    expect(answers).toEqual({ add: 3, later: 'promise of 3', guarded: 'promise of 3' });
    // Recorded and streamed the same either way.
    expect(events).toEqual(['tool-call add', 'tool-result add', 'tool-call later', 'tool-result later', 'tool-call guarded', 'approval-request', 'tool-result guarded']);
    expect(agent.memory.actionSteps[0]!.codeToolCalls!.map((c) => [c.toolName, c.output])).toEqual([
      ['add', 3],
      ['later', 3],
      ['guarded', 3],
    ]);
  });
});
