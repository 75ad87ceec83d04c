import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ActionStep, actionSteps, type RunEvent, ToolCallingAgent, tool } from '../src/index.js';

const orders = new Map([['A1', 'shipped']]);
const checkOrder = tool({
  name: 'check_order_status',
  description: 'Looks up an order.',
  input: z.object({ orderId: z.string().regex(/^[A-Z]\d+$/) }),
  run: ({ orderId }) => ({ orderId, status: orders.get(orderId) ?? 'unknown' }),
});

function sleeper(log: string[]) {
  return tool({
    name: 'sleep',
    description: 'Waits.',
    input: z.object({ ms: z.number(), label: z.string() }),
    run: async ({ ms, label }) => {
      log.push(`start ${label}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${label}`);
      return label;
    },
  });
}

describe('ToolCallingAgent', () => {
  it('validates, dispatches and feeds results back until final_answer', async () => {
    const model = new ScriptedModel([
      { toolCalls: [{ name: 'check_order_status', input: { orderId: 'A1' }, id: 'c1' }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'Order A1 has shipped.' } }] },
    ]);
    const agent = new ToolCallingAgent({ model, tools: [checkOrder] });
    const result = await agent.run('Where is order A1?');
    expect(result.state).toBe('success');
    expect(result.output).toBe('Order A1 has shipped.');
    const [first] = actionSteps(result);
    expect(first!.toolCalls[0]).toMatchObject({ toolName: 'check_order_status', output: { status: 'shipped' } });
    // The second call saw the tool result as a tool message.
    const second = model.calls[1]!.messages;
    expect(second.at(-1)).toEqual({
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: 'c1',
          toolName: 'check_order_status',
          output: { type: 'json', value: { orderId: 'A1', status: 'shipped' } },
        },
      ],
    });
    expect(model.calls[0]!.tools!.map((t) => t.name)).toEqual(['check_order_status', 'final_answer']);
    expect(result.usage.inputTokens.total).toBeGreaterThan(0);
    expect(result.timing.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('runs the calls of one step concurrently', async () => {
    // The first call waits until the second has run: run one after the other, they never finish.
    const log: string[] = [];
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const waitForGate = tool({
      name: 'wait_for_gate',
      description: 'Waits until the gate is open.',
      input: z.object({}),
      run: async () => {
        log.push('start wait');
        await gate;
        log.push('end wait');
        return 'waited';
      },
    });
    const open = tool({
      name: 'open_gate',
      description: 'Opens the gate.',
      input: z.object({}),
      run: () => {
        log.push('open');
        openGate();
        return 'opened';
      },
    });
    const model = new ScriptedModel([
      { toolCalls: [{ name: 'wait_for_gate', input: {} }, { name: 'open_gate', input: {} }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'done' } }] },
    ]);
    const result = await new ToolCallingAgent({ model, tools: [waitForGate, open] }).run('wait, then open');
    expect(log).toEqual(['start wait', 'open', 'end wait']);
    expect(actionSteps(result)[0]!.toolCalls.map((c) => c.output)).toEqual(['waited', 'opened']);
  });

  it('honours maxParallelToolCalls', async () => {
    const log: string[] = [];
    const model = new ScriptedModel([
      {
        toolCalls: [
          { name: 'sleep', input: { ms: 20, label: 'a' } },
          { name: 'sleep', input: { ms: 1, label: 'b' } },
        ],
      },
      'done',
    ]);
    await new ToolCallingAgent({ model, tools: [sleeper(log)], maxParallelToolCalls: 1 }).run('wait');
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('sends unknown tools, bad arguments and malformed JSON back to the model as errors', async () => {
    const model = new ScriptedModel([
      {
        toolCalls: [
          { name: 'cancel_order', input: {}, id: 'u' },
          { name: 'check_order_status', input: { orderId: 42 }, id: 'b' },
          { name: 'check_order_status', input: '{"orderId": "A1"', id: 'm' },
        ],
      },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'recovered' } }] },
    ]);
    const result = await new ToolCallingAgent({ model, tools: [checkOrder] }).run('check A1');
    expect(result.output).toBe('recovered');
    const tool = model.calls[1]!.messages.at(-1)!;
    expect(tool.role).toBe('tool');
    const outputs = (tool.content as any[]).map((p) => p.output);
    expect(outputs[0]).toEqual({
      type: 'error-text',
      value: 'Unknown tool "cancel_order". Available tools: check_order_status, final_answer.',
    });
    expect(outputs[1].value).toMatch(/Invalid input for tool "check_order_status": field "orderId": .*expected string/);
    expect(outputs[2].value).toMatch(/not valid JSON/);
    // The history shows each call as the model sent it, next to its error (malformed JSON as {}).
    const calls = (model.calls[1]!.messages.at(-2)!.content as any[]).filter((p) => p.type === 'tool-call');
    expect(calls.map((c) => c.input)).toEqual([{}, { orderId: 42 }, {}]);
  });

  it('tells the model when its reply is empty, and takes plain text as the answer', async () => {
    const model = new ScriptedModel(['', 'The answer is 4.']);
    const result = await new ToolCallingAgent({ model, tools: [] }).run('2+2?');
    expect(result.output).toBe('The answer is 4.');
    const steps = actionSteps(result);
    expect(steps[0]!.error?.message).toMatch(/empty/);
    expect(JSON.stringify(model.calls[1]!.messages.at(-1))).toMatch(/Your reply was empty/);
  });

  it('treats a refusal as an observation', async () => {
    const model = new ScriptedModel([{ refusal: 'I cannot help with that.' }, 'ok then']);
    const result = await new ToolCallingAgent({ model }).run('something');
    expect(actionSteps(result)[0]!.error?.message).toMatch(/declined to answer: I cannot help/);
    expect(result.output).toBe('ok then');
  });

  it('stops at maxSteps and asks once for a best answer from memory', async () => {
    const model = new ScriptedModel([
      { toolCalls: [{ name: 'check_order_status', input: { orderId: 'A1' } }] },
      { toolCalls: [{ name: 'check_order_status', input: { orderId: 'A1' } }] },
      'Best guess: shipped.',
    ]);
    const result = await new ToolCallingAgent({ model, tools: [checkOrder], maxSteps: 2 }).run('status?');
    expect(result.state).toBe('max_steps');
    expect(result.output).toBe('Best guess: shipped.');
    // No tool may be called (the tools are still described: the history has tool calls).
    expect(model.calls[2]!.toolChoice).toBe('none');
    expect(JSON.stringify(model.calls[2]!.messages.at(-1))).toMatch(/You have used all \d+ steps you were allowed/);
  });

  it('streams typed events in order, with the same steps as run()', async () => {
    const script = () => [
      { text: 'Let me look that up.', toolCalls: [{ name: 'check_order_status', input: { orderId: 'A1' }, id: 'x' }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'shipped' }, id: 'y' }] },
    ];
    const streamed = new ToolCallingAgent({ model: new ScriptedModel(script()), tools: [checkOrder] });
    const events: RunEvent[] = [];
    const stream = streamed.stream('status?');
    for await (const e of stream) events.push(e);
    const result = await stream.result;
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('run-start');
    expect(types).toContain('text-delta');
    expect(types).toContain('tool-input-delta');
    expect(types.indexOf('tool-call')).toBeLessThan(types.indexOf('tool-result'));
    expect(types.slice(-2)).toEqual(['final-answer', 'run-finish']);
    const deltas = events.filter((e) => e.type === 'text-delta').map((e) => (e as { delta: string }).delta);
    expect(deltas.join('')).toBe('Let me look that up.');

    const plain = await new ToolCallingAgent({ model: new ScriptedModel(script()), tools: [checkOrder] }).run('status?');
    const strip = (s: ActionStep) => ({ ...s, timing: undefined, toolCalls: s.toolCalls.map((c) => ({ ...c, durationMs: 0 })) });
    expect(actionSteps(result).map(strip)).toEqual(actionSteps(plain).map(strip));
  });

  it('stops cleanly when aborted inside a step, and keeps memory', async () => {
    const controller = new AbortController();
    const slow = tool({
      name: 'slow',
      description: 'Slow.',
      input: z.object({}),
      run: (_input, { signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
          setTimeout(() => controller.abort(), 5);
        }),
    });
    const model = new ScriptedModel([{ toolCalls: [{ name: 'slow', input: {} }] }, 'never used']);
    const agent = new ToolCallingAgent({ model, tools: [slow] });
    const result = await agent.run('go', { signal: controller.signal });
    expect(result.state).toBe('aborted');
    expect(agent.memory.steps.map((s) => s.type)).toEqual(['task', 'action']);
  });

  it('writes JSON actions in text for models without tool calling', async () => {
    const model = new ScriptedModel(
      [
        'I will check.\n```json\n{"name": "check_order_status", "arguments": {"orderId": "A1"}}\n```',
        '```json\n{"name": "final_answer", "arguments": {"answer": "shipped"}}\n```',
      ],
      { capabilities: { toolCalls: false } },
    );
    const agent = new ToolCallingAgent({ model, tools: [checkOrder] });
    const result = await agent.run('status?');
    expect(agent.toolCallMode).toBe('text');
    expect(model.calls[0]!.tools).toBeUndefined();
    expect(model.calls[0]!.messages[0]!.content).toMatch(/"orderId"/);
    expect(result.output).toBe('shipped');
    // No tool messages for a server without tool calling: the result comes back as text.
    const second = model.calls[1]!.messages;
    expect(second.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(JSON.stringify(second.at(-1))).toMatch(/Observation:.*shipped/);
  });
});
