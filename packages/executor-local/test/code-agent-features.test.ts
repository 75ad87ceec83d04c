import { actionSteps, CodeAgent, tool } from '@actkit/code-actions';
import { ToolCallingAgent } from '@actkit/json-actions';
import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LocalExecutor } from '../src/index.js';

const price = tool({ name: 'get_price', description: 'Price of an item in EUR.', input: z.object({ item: z.string() }), run: ({ item }) => (item === 'tea' ? 3 : 5) });

describe('agent features on CodeAgent', () => {
  it('calls a managed agent from code, plans, and validates structured output', async () => {
    const researcher = new ToolCallingAgent({
      name: 'researcher',
      description: 'Finds the price of one item.',
      model: new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'cake' } }] }, { toolCalls: [{ name: 'final_answer', input: { answer: 5 } }] }]),
      tools: [price],
    });
    const executor = new LocalExecutor({ timeoutMs: 2000 });
    const agent = new CodeAgent({
      model: new ScriptedModel([
        'Plan: ask the researcher, add the tea price.',
        '<code>\nconst cake = researcher({ task: "Price of cake?" });\nconst total = cake + get_price({ item: "tea" });\nfinal_answer({ total: String(total) })\n</code>',
        '<code>final_answer({ total })</code>',
      ]),
      tools: [price, researcher.asTool()],
      executor,
      planningInterval: 5,
      outputSchema: z.object({ total: z.number() }),
    });
    try {
      const result = await agent.run('Tea and cake?');
      expect(result.steps.map((s) => s.type)).toEqual(['task', 'planning', 'action', 'action']);
      const [first, second] = actionSteps(result);
      expect(first!.error?.name).toBe('FinalAnswerSchemaMismatch');
      expect(first!.codeToolCalls![0]!.subRun).toBeDefined();
      expect(second!.finalAnswer).toEqual({ value: { total: 8 } });
      expect(result.output).toEqual({ total: 8 });
      // A managed agent's action time is host tool time: it never counts against the code's limit.
    } finally {
      await agent.close();
    }
  });
});
