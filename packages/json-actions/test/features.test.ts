import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { actionSteps, AgentConfigError, AgentMemory, formatRun, HookError, type RunEvent, ToolCallingAgent, tool } from '../src/index.js';

const answer = (value: unknown) => ({ toolCalls: [{ name: 'final_answer', input: { answer: value } }] });
const price = tool({ name: 'get_price', description: 'Price of an item in EUR.', input: z.object({ item: z.string() }), run: ({ item }) => (item === 'tea' ? 3 : 5) });

describe('planning', () => {
  it('plans before the first step and every N steps, in memory and in the stream', async () => {
    const model = new ScriptedModel([
      '1. Look up the price. 2. Answer.',
      { toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] },
      { toolCalls: [{ name: 'get_price', input: { item: 'cake' } }] },
      'Updated plan: answer now.',
      answer(8),
    ]);
    const agent = new ToolCallingAgent({ model, tools: [price], planningInterval: 2 });
    const events: RunEvent[] = [];
    const stream = agent.stream('Tea and cake cost?');
    for await (const e of stream) events.push(e);
    const result = await stream.result;
    expect(result.output).toBe(8);
    expect(result.steps.map((s) => s.type)).toEqual(['task', 'planning', 'action', 'action', 'planning', 'action']);
    expect(events.filter((e) => e.type === 'planning')).toHaveLength(2);
    expect(JSON.stringify(model.calls[1]!.messages)).toContain('1. Look up the price.');
    expect(model.calls[0]!.tools).toBeUndefined();
    expect(() => new ToolCallingAgent({ model, planningInterval: 0 })).toThrow(AgentConfigError);
  });
});

describe('final answers', () => {
  it('validates structured output, asks the model to fix a mismatch, and returns the parsed value', async () => {
    const Order = z.object({ item: z.string(), total: z.number() });
    const model = new ScriptedModel([answer({ item: 'tea', total: 'three' }), answer({ item: 'tea', total: 3 })]);
    const agent = new ToolCallingAgent({ model, tools: [price], outputSchema: Order });
    const result = await agent.run('Order tea.');
    expect(result.output).toEqual({ item: 'tea', total: 3 });
    expect(actionSteps(result)[0]!.toolCalls[0]!.error?.message).toMatch(/total/);
    expect(model.calls[0]!.messages[0]!.content).toContain('JSON Schema');
    expect(() => new ToolCallingAgent({ model, outputSchema: { not: 'zod' } as never })).toThrow(/zod schema/);
  });

  it('lets checks reject a final answer with a reason the model sees', async () => {
    const model = new ScriptedModel([answer('about 8'), answer('8 EUR')]);
    const agent = new ToolCallingAgent({
      model,
      finalAnswerChecks: [(value) => (/\d+ EUR/.test(String(value)) ? true : 'state the amount in EUR, e.g. "8 EUR"')],
    });
    const result = await agent.run('Price?');
    expect(result.output).toBe('8 EUR');
    expect(actionSteps(result)[0]!.error?.message).toContain('state the amount in EUR');
    expect(JSON.stringify(model.calls[1]!.messages)).toContain('state the amount in EUR');
  });

  it('fails clearly when a check itself throws, keeping the steps', async () => {
    const agent = new ToolCallingAgent({
      model: new ScriptedModel([answer('x')]),
      finalAnswerChecks: [() => {
        throw new Error('checker bug');
      }],
    });
    await expect(agent.run('go')).rejects.toThrow(/final-answer check threw: checker bug/);
    expect(agent.memory.actionSteps).toHaveLength(1);
  });
});

describe('hooks', () => {
  it('see every step and can stop the run', async () => {
    const seen: number[] = [];
    const agent = new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer(3)]),
      tools: [price],
      hooks: {
        onStepEnd: (step, { stop }) => {
          seen.push(step.stepNumber);
          stop('budget reached');
        },
      },
    });
    const result = await agent.run('Price?');
    expect(seen).toEqual([1]);
    expect(result.state).toBe('stopped');
    expect(result.stopReason).toBe('budget reached');
    expect(result.output).toBeUndefined();
  });

  it('end the run with a HookError when they throw, keeping memory', async () => {
    const agent = new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer(3)]),
      tools: [price],
      hooks: {
        onEvent: (event) => {
          if (event.type === 'tool-result') throw new Error('logging backend down');
        },
      },
    });
    const error = await agent.run('Price?').catch((e) => e);
    expect(error).toBeInstanceOf(HookError);
    expect(error.message).toContain('logging backend down');
  });
});

describe('managed agents', () => {
  const researcher = () =>
    new ToolCallingAgent({
      name: 'researcher',
      description: 'Finds prices. Give it the item.',
      model: new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer('Tea costs 3 EUR.')]),
      tools: [price],
    });

  it('runs a sub-agent as a tool, two levels deep, keeping its steps and usage', async () => {
    const lead = new ToolCallingAgent({
      name: 'lead',
      description: 'Coordinates research.',
      model: new ScriptedModel([{ toolCalls: [{ name: 'researcher', input: { task: 'Price of tea?' } }] }, answer('Lead says: tea is 3 EUR.')]),
      tools: [researcher().asTool()],
    });
    const boss = new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'lead', input: { task: 'Find the tea price.' } }] }, answer('Tea: 3 EUR.')]),
      tools: [lead.asTool()],
    });
    const result = await boss.run('How much is tea?');
    expect(result.output).toBe('Tea: 3 EUR.');
    const leadCall = actionSteps(result)[0]!.toolCalls[0]!;
    expect(leadCall.output).toBe('Lead says: tea is 3 EUR.');
    const leadRun = leadCall.subRun as { steps: unknown[]; usage: { inputTokens: { total: number } } };
    const researcherCall = actionSteps(leadRun as never)[0]!.toolCalls[0]!;
    expect(researcherCall.subRun).toBeDefined();
    // The boss's usage includes both sub-runs.
    expect(result.usage.inputTokens.total!).toBeGreaterThan(leadRun.usage.inputTokens.total);
  });

  it('turns a failing managed agent into a tool error the manager sees', async () => {
    const broken = new ToolCallingAgent({ name: 'broken', description: 'Always fails.', model: new ScriptedModel([{ error: new Error('model down') }]) });
    const boss = new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'broken', input: { task: 'x' } }] }, answer('gave up')]),
      tools: [broken.asTool()],
    });
    const result = await boss.run('go');
    expect(actionSteps(result)[0]!.toolCalls[0]!.error?.message).toMatch(/model down/);
    expect(result.output).toBe('gave up');
    expect(() => new ToolCallingAgent({ model: new ScriptedModel([]) }).asTool()).toThrow(/needs a description/);
  });
});

describe('resume and inspection', () => {
  it('resumes from serialised memory in a new agent, and prints a run step by step', async () => {
    const first = new ToolCallingAgent({ model: new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer(3)]), tools: [price] });
    const done = await first.run('Price of tea?');
    const saved = JSON.stringify(first.memory.toJSON());

    const model = new ScriptedModel([answer(8)]);
    const second = new ToolCallingAgent({ model, tools: [price], memory: AgentMemory.fromJSON(saved) });
    const result = await second.run('And with cake?', { reset: false });
    expect(result.output).toBe(8);
    expect(JSON.stringify(model.calls[0]!.messages)).toContain('Price of tea?');

    const text = formatRun(done);
    expect(text).toContain('Task: Price of tea?');
    expect(text).toMatch(/Step 1 \(\d+ ms, \d+ tokens\)/);
    expect(text).toContain('Tool get_price({"item":"tea"}) → 3');
    expect(text).toMatch(/Result: success/);
    expect(actionSteps(done)[0]!.modelInput?.[0]?.role).toBe('system');
  });
});

describe('console logger', () => {
  it('shows each step, tool call and the answer; prints nothing when quiet', async () => {
    const { createConsoleLogger } = await import('../src/index.js');
    const lines: string[] = [];
    const run = (level: 'info' | 'quiet') =>
      new ToolCallingAgent({
        model: new ScriptedModel([{ text: 'Checking the price.', toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer('3 EUR')]),
        tools: [price],
        hooks: createConsoleLogger({ level, color: false, write: (t) => lines.push(t) }),
      }).run('Price of tea?');
    await run('info');
    const text = lines.join('');
    expect(text).toContain('Task: Price of tea?');
    expect(text).toContain('── Step 1');
    expect(text).toContain('Thought: Checking the price.');
    expect(text).toContain('→ get_price({"item":"tea"})');
    expect(text).toMatch(/← get_price: 3 \(\d/);
    expect(text).toContain('✔ Final answer: 3 EUR');
    lines.length = 0;
    await run('quiet');
    expect(lines).toEqual([]);
  });
});
