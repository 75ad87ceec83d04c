import { CodeAgent } from '@actkit/code-actions';
import { type ActionStep, AgentMemory, tool } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { type ScriptedServer, startOpenAIServer } from '@actkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOpenAI } from '../src/index.js';

// Tools returning values that are not JSON, behind the real SDK over HTTP: each must reach the
// model as a tool result or a tool error, never fail the model call, and memory must stay savable.
let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

const circular = () => {
  const a: Record<string, unknown> = { id: 1 };
  a.parent = a;
  return a;
};
const deep = (n: number) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = { v };
  return v;
};
const odd = (name: string, run: () => unknown) => tool({ name, description: `Returns ${name}.`, input: z.object({}), run });
const tools = [
  odd('big', () => ({ balance: 2n ** 64n })),
  odd('loop', circular),
  odd('bad_json', () => ({ toJSON: () => { throw new Error('cannot serialise'); } })),
  odd('fn', () => () => 'a function'),
  odd('deep', () => deep(5000)),
];

describe('tool outputs that are not JSON', () => {
  it('in a ToolCallingAgent: BigInt as digits, the rest as tool errors the model reads; memory saves at every step', async () => {
    server = await startOpenAIServer([
      { toolCalls: tools.map((t) => ({ name: t.name, input: {} })) },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'noted' } }] },
    ]);
    const provider = createOpenAI({ apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const saved: string[] = [];
    const agent = new ToolCallingAgent({
      model: provider('gpt-4.1'),
      tools,
      hooks: { onStepEnd: (_s, { memory }) => void saved.push(JSON.stringify(memory.toJSON())) },
    });
    const result = await agent.run('Look at the odd values.');
    expect(result.state).toBe('success');
    const sent = server.requests[1]!.body.messages.filter((m: { role: string }) => m.role === 'tool').map((m: { content: string }) => m.content);
    expect(sent).toEqual([
      '{"balance":"18446744073709551616"}',
      'Tool "loop" returned a value that cannot be sent as JSON: it is circular ($.parent refers back to an object that contains it).',
      'Tool "bad_json" returned a value that cannot be sent as JSON: toJSON() of $ threw: cannot serialise.',
      'Tool "fn" returned a value that cannot be sent as JSON: it is a function (was it meant to be called?).',
      expect.stringMatching(/^Tool "deep" returned a value that cannot be sent as JSON: it is nested deeper than 256 levels \(at \$\.v\.v/),
    ]);
    expect(saved).toHaveLength(2);
    expect(AgentMemory.fromJSON(JSON.parse(saved[1]!)).actionSteps[0]!.toolCalls[0]!.output).toEqual({ balance: '18446744073709551616' });
  });

  it('in a CodeAgent: a circular result is an error in the code, a 12 MB one is used whole but kept bounded in memory', async () => {
    // 12 MB: under the local sandbox's limit for a value passed in (16 MB), so the code gets it whole.
    const large = 'r'.repeat(12 * 1024 * 1024);
    server = await startOpenAIServer([
      { text: '<code>\ntry { loop({}) } catch (e) { console.log("caught:", e.message) }\nconst rows = huge({});\nconsole.log(rows.length)\n</code>' },
      { text: '<code>\nfinal_answer(String(big({}).balance))\n</code>' },
    ]);
    const provider = createOpenAI({ apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const executor = new LocalExecutor();
    const saved: string[] = [];
    try {
      const agent = new CodeAgent({
        model: provider('gpt-4.1'),
        executor,
        tools: [...tools, odd('huge', () => large)],
        hooks: { onStepEnd: (_s, { memory }) => void saved.push(JSON.stringify(memory.toJSON())) },
      });
      const result = await agent.run('Look at the odd values.');
      expect(result.output).toBe('18446744073709551616');
      const first = result.steps.find((s): s is ActionStep => s.type === 'action')!;
      expect(first.error).toBeUndefined();
      expect(first.observation).toMatch(/caught: .*Tool "loop" returned a value that cannot be sent as JSON: it is circular/);
      expect(first.observation).toContain(String(large.length));
      const hugeCall = first.codeToolCalls!.find((c) => c.toolName === 'huge')!;
      expect((hugeCall.output as string).length).toBeLessThan(25_000);
      expect(hugeCall.output).toMatch(/characters truncated/);
      expect(saved).toHaveLength(2);
      expect(saved[1]!.length).toBeLessThan(200_000);
    } finally {
      await executor.close();
    }
  }, 60_000);
});
