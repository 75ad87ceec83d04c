/**
 * `prepareStep` over the real OpenAI client and the wire: per step, the model, the active tools,
 * the tool choice (`tool_choice` in OpenAI's format), the system prompt and the messages sent —
 * for a ToolCallingAgent, and for a CodeAgent on the local executor.
 */
import { CodeAgent } from '@actkit/code-actions';
import { type PrepareStep, tool } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { type ScriptedServer, startOpenAIServer } from '@actkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOpenAI } from '../src/index.js';

const weather = tool({ name: 'get_weather', description: 'Weather for a city.', input: z.object({ city: z.string() }), run: ({ city }) => ({ city, celsius: 21 }) });
const time = tool({ name: 'get_time', description: 'The time now.', input: z.object({}), run: () => '12:00' });

let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

/** Step 1: one tool, forced, with its own system prompt; 2: some tool; 3: the model's choice; 4: no tool, another model, fewer messages. */
const steer =
  (other: unknown): PrepareStep =>
  ({ stepNumber, messages }) => {
    if (stepNumber === 1) return { activeTools: ['get_weather'], toolChoice: { type: 'tool', toolName: 'get_weather' }, system: 'Look up the weather first.' };
    if (stepNumber === 2) return { toolChoice: 'required' };
    if (stepNumber === 3) return { toolChoice: 'auto' };
    return { toolChoice: 'none', model: other as never, messages: [messages[0]!, messages[1]!] };
  };

describe('prepareStep on the OpenAI wire', () => {
  it('ToolCallingAgent: model, active tools, tool_choice, system prompt and messages per step', async () => {
    server = await startOpenAIServer([
      { toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }] },
      { toolCalls: [{ name: 'get_time', input: {} }] },
      { toolCalls: [{ name: 'get_weather', input: { city: 'Oslo' } }] },
      { text: 'Rome is 21 degrees at 12:00.' },
    ]);
    const provider = createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
    const agent = new ToolCallingAgent({ model: provider('gpt-4.1'), tools: [weather, time], prepareStep: steer(provider('gpt-4.1-mini')) });
    const result = await agent.run('Weather and time in Rome?');
    expect(result).toMatchObject({ state: 'success', output: 'Rome is 21 degrees at 12:00.' });

    const bodies = server.requests.map((r) => r.body);
    const toolNames = (i: number) => bodies[i]!.tools.map((t: { function: { name: string } }) => t.function.name);
    expect(bodies[0]!.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(toolNames(0)).toEqual(['get_weather']);
    expect(bodies[0]!.messages[0]).toEqual({ role: 'system', content: 'Look up the weather first.' });
    expect(bodies[1]!.tool_choice).toBe('required');
    expect(toolNames(1)).toEqual(['get_weather', 'get_time', 'final_answer']);
    expect(bodies[1]!.messages[0].content).toContain('get_time'); // the agent's own system prompt again
    expect(bodies[2]!.tool_choice).toBe('auto');
    expect(bodies[3]!.tool_choice).toBe('none');
    expect(bodies.map((b) => b!.model)).toEqual(['gpt-4.1', 'gpt-4.1', 'gpt-4.1', 'gpt-4.1-mini']);
    expect(bodies[3]!.messages).toHaveLength(2);
    expect(bodies[3]!.messages[1].content).toContain('Weather and time in Rome?');
  });

  it('refuses settings that name tools the agent does not have, before any call', async () => {
    server = await startOpenAIServer([{ text: 'never sent' }]);
    const provider = createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
    const agent = new ToolCallingAgent({ model: provider('gpt-4.1'), tools: [weather], prepareStep: () => ({ activeTools: ['get_wether'] }) });
    await expect(agent.run('go')).rejects.toThrow('prepareStep: activeTools names no tool get_wether (known: get_weather, final_answer).');
    expect(server.requests).toHaveLength(0);
  });

  it('CodeAgent: the active tools are the functions its code has, and the prompt lists only them', async () => {
    server = await startOpenAIServer([
      { text: '<code>\nconsole.log(typeof get_time, typeof get_weather);\nconsole.log(get_weather({ city: "Rome" }).celsius);\n</code>' },
      { text: '<code>\nfinal_answer(get_time());\n</code>' },
    ]);
    const provider = createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
    const executor = new LocalExecutor();
    try {
      const agent = new CodeAgent({
        model: provider('gpt-4.1'),
        tools: [weather, time],
        executor,
        prepareStep: ({ stepNumber }) => (stepNumber === 1 ? { activeTools: ['get_weather'] } : { model: provider('gpt-4.1-mini') }),
      });
      const result = await agent.run('Weather, then time.');
      expect(result).toMatchObject({ state: 'success', output: '12:00' });
      const first = server.requests[0]!.body;
      const second = server.requests[1]!.body;
      expect(first.messages[0].content).toContain('function get_weather');
      expect(first.messages[0].content).not.toContain('get_time');
      expect(result.steps.find((s) => s.type === 'action')).toMatchObject({ observation: expect.stringContaining('undefined function\n21') });
      expect(second.messages[0].content).toContain('function get_time');
      expect([first.model, second.model]).toEqual(['gpt-4.1', 'gpt-4.1-mini']);
    } finally {
      await executor.close();
    }
  });
});
