/**
 * `prepareStep` over the real Anthropic client and the wire: per step, the model, the active
 * tools, Anthropic's `tool_choice` ({type: tool/any/auto/none}), the system prompt and the messages.
 */
import { type PrepareStep, tool } from '@actkit/core';
import { ToolCallingAgent } from '@actkit/json-actions';
import { type ScriptedServer, startAnthropicServer } from '@actkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAnthropic } from '../src/index.js';

const weather = tool({ name: 'get_weather', description: 'Weather for a city.', input: z.object({ city: z.string() }), run: ({ city }) => ({ city, celsius: 21 }) });
const time = tool({ name: 'get_time', description: 'The time now.', input: z.object({}), run: () => '12:00' });

let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

describe('prepareStep on the Anthropic wire', () => {
  it('ToolCallingAgent: model, active tools, tool_choice, system prompt and messages per step', async () => {
    server = await startAnthropicServer([
      { toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }] },
      { toolCalls: [{ name: 'get_time', input: {} }] },
      { toolCalls: [{ name: 'get_weather', input: { city: 'Oslo' } }] },
      { text: 'Rome is 21 degrees at 12:00.' },
    ]);
    const provider = createAnthropic({ apiKey: 'test-key', baseURL: server.url });
    const prepareStep: PrepareStep = ({ stepNumber, messages }) => {
      if (stepNumber === 1) return { activeTools: ['get_weather'], toolChoice: { type: 'tool', toolName: 'get_weather' }, system: 'Look up the weather first.' };
      if (stepNumber === 2) return { toolChoice: 'required' };
      if (stepNumber === 3) return { toolChoice: 'auto' };
      return { toolChoice: 'none', model: provider('claude-haiku-4-5'), messages: [messages[0]!, messages[1]!] };
    };
    const agent = new ToolCallingAgent({ model: provider('claude-sonnet-4-5'), tools: [weather, time], prepareStep });
    const result = await agent.run('Weather and time in Rome?');
    expect(result).toMatchObject({ state: 'success', output: 'Rome is 21 degrees at 12:00.' });

    const body = (i: number) => server.requests[i]!.body;
    const toolNames = (i: number) => body(i).tools.map((t: { name: string }) => t.name);
    expect(body(0).tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
    expect(toolNames(0)).toEqual(['get_weather']);
    expect(body(0).system.map((b: { text: string }) => b.text).join('')).toBe('Look up the weather first.');
    expect(body(1).tool_choice).toEqual({ type: 'any' });
    expect(toolNames(1)).toEqual(['get_weather', 'get_time', 'final_answer']);
    expect(body(1).system.map((b: { text: string }) => b.text).join('')).toContain('get_time');
    expect(body(2).tool_choice).toEqual({ type: 'auto' });
    expect(body(3).tool_choice).toEqual({ type: 'none' });
    expect([0, 1, 2, 3].map((i) => body(i).model)).toEqual(['claude-sonnet-4-5', 'claude-sonnet-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5']);
    // The system prompt and the task: nothing of the earlier steps.
    expect(body(3).messages).toHaveLength(1);
    expect(JSON.stringify(body(3).messages[0])).toContain('Weather and time in Rome?');
  });
});
