/**
 * `prepareStep` through an AI SDK model: the tool choice as the AI SDK receives it (`toolChoice`
 * of its call options, seen by a model that records them), and as an AI SDK provider sends it
 * over the wire (the OpenAI-compatible provider against the local OpenAI server).
 */
import { type PrepareStep, tool } from '@actkit/core';
import { ToolCallingAgent } from '@actkit/json-actions';
import { startOpenAIServer } from '@actkit/testing';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fromAISDK } from '../src/index.js';

const weather = tool({ name: 'get_weather', description: 'Weather for a city.', input: z.object({ city: z.string() }), run: ({ city }) => ({ city, celsius: 21 }) });
const time = tool({ name: 'get_time', description: 'The time now.', input: z.object({}), run: () => '12:00' });

/** Step 1: one tool, forced, with its own system prompt; 2: some tool; 3: the model's choice; 4: no tool, fewer messages. */
const prepareStep: PrepareStep = ({ stepNumber, messages }) => {
  if (stepNumber === 1) return { activeTools: ['get_weather'], toolChoice: { type: 'tool', toolName: 'get_weather' }, system: 'Look up the weather first.' };
  if (stepNumber === 2) return { toolChoice: 'required' };
  if (stepNumber === 3) return { toolChoice: 'auto' };
  return { toolChoice: 'none', messages: [messages[0]!, messages[1]!] };
};

/** An AI SDK model that records the call options the AI SDK layer hands it, then lets the real provider answer. */
function recording(model: LanguageModelV3): LanguageModelV3 & { calls: LanguageModelV3CallOptions[] } {
  const calls: LanguageModelV3CallOptions[] = [];
  return Object.assign(Object.create(model) as LanguageModelV3, {
    calls,
    doGenerate: (options: LanguageModelV3CallOptions) => {
      calls.push(options);
      return model.doGenerate(options);
    },
    doStream: (options: LanguageModelV3CallOptions) => {
      calls.push(options);
      return model.doStream(options);
    },
  });
}

describe('prepareStep through an AI SDK model', () => {
  it("passes the tool choice as the AI SDK's toolChoice, and the provider puts it on the wire", async () => {
    const server = await startOpenAIServer([
      { toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }] },
      { toolCalls: [{ name: 'get_time', input: {} }] },
      { toolCalls: [{ name: 'get_weather', input: { city: 'Oslo' } }] },
      { text: 'Rome is 21 degrees at 12:00.' },
    ]);
    try {
      const inner = recording(createOpenAICompatible({ name: 'local', baseURL: `${server.url}/v1`, apiKey: 'k' }).chatModel('local-model'));
      const agent = new ToolCallingAgent({ model: fromAISDK(inner), tools: [weather, time], prepareStep });
      const result = await agent.run('Weather and time in Rome?');
      expect(result).toMatchObject({ state: 'success', output: 'Rome is 21 degrees at 12:00.' });

      expect(inner.calls.map((c) => c.toolChoice)).toEqual([{ type: 'tool', toolName: 'get_weather' }, { type: 'required' }, { type: 'auto' }, { type: 'none' }]);
      expect(inner.calls[0]!.tools?.map((t) => t.name)).toEqual(['get_weather']);
      expect(inner.calls[0]!.prompt[0]).toEqual({ role: 'system', content: 'Look up the weather first.' });
      expect(inner.calls[3]!.prompt).toHaveLength(2);

      const body = (i: number) => server.requests[i]!.body;
      expect(body(0).tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
      expect([1, 2, 3].map((i) => body(i).tool_choice)).toEqual(['required', 'auto', 'none']);
    } finally {
      await server.close();
    }
  });
});
