/**
 * CodeAgent on a par with ToolCallingAgent: a typed `result.output` under an `outputSchema`, and
 * prompt templates checked when the agent is created. Code runs in a real sandbox (the runner in a
 * child Node process).
 */
import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChildProcessSandboxProvider, CodeAgent, RunnerExecutor } from '../src/index.js';

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
    await executor.close();
  });
});
