import { CodeAgent } from '@actkit/code-actions';
import { actionSteps, AgentAbortedError, ModelCallError, ModelStreamError, tool } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { type ScriptedServer, startAnthropicServer, type WireReply } from '@actkit/testing';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { anthropic, createAnthropic } from '../src/index.js';

const weather = tool({
  name: 'get_weather',
  description: 'Weather for a city.',
  input: z.object({ city: z.string() }),
  run: ({ city }) => ({ city, celsius: city === 'Rome' ? 21 : 14 }),
});

let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

async function setup(replies: WireReply[], settings: Parameters<typeof createAnthropic>[0] = {}) {
  server = await startAnthropicServer(replies);
  return createAnthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 2, ...settings });
}
const drain = async (stream: AsyncIterable<unknown>) => {
  for await (const _ of stream);
};

describe('Anthropic adapter over HTTP', () => {
  it('sends system, tools with cache breakpoints, images and stop sequences; maps blocks and cache usage', async () => {
    const model = (await setup([
      {
        text: 'Checking.',
        toolCalls: [
          { name: 'get_weather', input: { city: 'Paris' }, id: 'toolu_a' },
          { name: 'get_weather', input: { city: 'Rome' }, id: 'toolu_b' },
        ],
        usage: { input: 30, output: 12, cacheRead: 500, cacheWrite: 0 },
      },
    ]))('claude-sonnet-5-5');
    const response = await model.generate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'file', mediaType: 'image/png', data: 'aGVsbG8=' }] },
      ],
      tools: [
        { name: 'get_weather', description: 'Weather.', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } },
        { name: 'final_answer', description: 'Answer.', inputSchema: { type: 'object', properties: {} } },
      ],
      stopSequences: ['</code>'],
    });
    expect(response.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', toolCallId: 'toolu_a', toolName: 'get_weather', input: '{"city":"Paris"}' },
      { type: 'tool-call', toolCallId: 'toolu_b', toolName: 'get_weather', input: '{"city":"Rome"}' },
    ]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage.inputTokens).toEqual({ total: 530, noCache: 30, cacheRead: 500, cacheWrite: 0 });
    const body = server.requests[0]!.body;
    expect(body.system).toEqual([{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }]);
    expect(body.tools[0]).not.toHaveProperty('cache_control');
    expect(body.tools[1].cache_control).toEqual({ type: 'ephemeral' });
    // The newest message's last block carries the breakpoint that moves with the conversation.
    expect(body.messages[0].content[1]).toEqual({
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: 'aGVsbG8=' },
      cache_control: { type: 'ephemeral' },
    });
    expect(body.stop_sequences).toEqual(['</code>']);
    expect(body.max_tokens).toBe(4096);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer test-key');
  });

  it('runs a ToolCallingAgent: parallel tool_use, tool_result blocks in one user turn', async () => {
    const provider = await setup([
      { toolCalls: [{ name: 'get_weather', input: { city: 'Paris' }, id: 'a' }, { name: 'get_weather', input: { city: 'Rome' }, id: 'b' }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'Rome is warmer.' } }] },
    ]);
    const result = await new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [weather] }).run('Warmer?');
    expect(result.output).toBe('Rome is warmer.');
    const messages = server.requests[1]!.body.messages;
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'a', content: '{"city":"Paris","celsius":14}' },
      { type: 'tool_result', tool_use_id: 'b', content: '{"city":"Rome","celsius":21}', cache_control: { type: 'ephemeral' } },
    ]);
  });

  it('runs a CodeAgent', async () => {
    const provider = await setup([{ text: '<code>\nfinal_answer(get_weather({ city: "Rome" }).celsius)\n' }]);
    const executor = new LocalExecutor();
    try {
      const result = await new CodeAgent({ model: provider('claude-sonnet-5-5'), tools: [weather], executor }).run('Rome?');
      expect(result.output).toBe(21);
    } finally {
      await executor.close();
    }
  });

  it('streams deltas and assembles the same steps as without streaming', async () => {
    const script: WireReply[] = [
      { reasoning: 'The user wants Paris.', text: 'Let me look that up for you now.', toolCalls: [{ name: 'get_weather', input: { city: 'Paris' }, id: 'a' }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: '14' }, id: 'f' }] },
    ];
    const provider = await setup([...script, ...script]);
    const plain = await new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [weather] }).run('Paris?');
    const stream = new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [weather] }).stream('Paris?');
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const streamed = await stream.result;
    expect(types).toContain('reasoning-delta');
    expect(types).toContain('tool-input-delta');
    expect(types.filter((t) => t === 'text-delta').length).toBeGreaterThan(2);
    const strip = (r: typeof plain) => actionSteps(r).map((s) => ({ out: s.modelOutput, calls: s.toolCalls.map(({ durationMs: _, ...c }) => c), usage: s.usage }));
    expect(strip(streamed)).toEqual(strip(plain));
    // The thinking block goes back with its signature.
    expect(server.requests[3]!.body.messages[1].content[0]).toMatchObject({ type: 'thinking', signature: 'sig-scripted' });
  });

  it('retries 429 and 529, then gives a typed error', async () => {
    const provider = await setup([{ status: 429, retryAfter: 0.1 }, { status: 529 }, { text: 'ok' }, { status: 400, message: 'bad request' }]);
    const model = provider('claude-sonnet-5-5');
    const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }];
    expect((await model.generate({ messages })).content).toEqual([{ type: 'text', text: 'ok' }]);
    const error = await model.generate({ messages }).catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ statusCode: 400, retryable: false });
    expect(error.message).toContain('bad request');
  });

  it('turns a cut stream into ModelStreamError, and a refusal into an observation', async () => {
    const provider = await setup(
      [{ text: 'a long answer that will be cut off', cutAfterEvents: 4 }, { refusal: 'I will not do that.' }, { toolCalls: [{ name: 'final_answer', input: { answer: 'fine' } }] }],
      { maxRetries: 0 },
    );
    const agent = new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [weather] });
    await expect(drain(agent.stream('hi'))).rejects.toBeInstanceOf(ModelStreamError);
    const result = await agent.run('hi');
    expect(actionSteps(result)[0]!.error).toMatchObject({ name: 'ModelRefusal' });
    expect(result.output).toBe('fine');
  });

  it('cancels on abort', async () => {
    const provider = await setup([{ text: 'late', delayMs: 3000 }], { maxRetries: 0 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [weather] }).run('hi', { signal: controller.signal });
    expect(result.state).toBe('aborted');
  });
});

describe.skipIf(!process.env.ANTHROPIC_API_KEY)('Anthropic live (ANTHROPIC_API_KEY set)', () => {
  it('answers with a tool call', async () => {
    const model = anthropic(process.env.ACTKIT_ANTHROPIC_MODEL ?? 'claude-sonnet-5-5');
    const result = await new ToolCallingAgent({ model, tools: [weather], maxSteps: 4 }).run('Use the tool: weather in Rome? Answer with the degrees.');
    expect(String(result.output)).toContain('21');
  }, 60_000);

  it('runs a CodeAgent, streamed', async () => {
    const executor = new LocalExecutor();
    try {
      const model = anthropic(process.env.ACTKIT_ANTHROPIC_MODEL ?? 'claude-sonnet-5-5');
      const stream = new CodeAgent({ model, tools: [weather], executor, maxSteps: 4 }).stream('Call get_weather for Rome and give the degrees as a number with final_answer.');
      for await (const _ of stream);
      expect(String((await stream.result).output)).toContain('21');
    } finally {
      await executor.close();
    }
  }, 90_000);
});
if (!process.env.ANTHROPIC_API_KEY) console.log('[anthropic] live tests skipped: ANTHROPIC_API_KEY is not set.');

describe('images from tools', () => {
  it('sends an image a tool returned inside its tool_result', async () => {
    const camera = tool({ name: 'take_photo', description: 'Takes a photo.', input: z.object({}), run: () => ({ type: 'file', mediaType: 'image/png', data: 'aGVsbG8=' }) });
    const provider = await setup([{ toolCalls: [{ name: 'take_photo', input: {}, id: 'p' }] }, { toolCalls: [{ name: 'final_answer', input: { answer: 'a street' } }] }]);
    await new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [camera] }).run('What do you see?');
    const last = server.requests[1]!.body.messages.at(-1);
    expect(last.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'p', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'aGVsbG8=' } }] });
  });
});

describe('faults, recoveries and other clients', () => {
  const hi = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }] };

  it('feeds malformed tool-input JSON and an empty reply back to the model, streamed and not', async () => {
    const script: WireReply[] = [
      { toolCalls: [{ name: 'get_weather', input: '{"city": "Par', id: 'bad' }] },
      { text: '' },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'recovered' }, id: 'f' }] },
    ];
    const provider = await setup([...script, ...script]);
    const agent = () => new ToolCallingAgent({ model: provider('claude-sonnet-5-5'), tools: [weather] });
    const plain = await agent().run('hi');
    const stream = agent().stream('hi');
    await drain(stream);
    const streamed = await stream.result;
    for (const result of [plain, streamed]) {
      const steps = actionSteps(result);
      expect(steps[0]!.toolCalls[0]!.error?.message).toMatch(/get_weather/);
      expect(steps[1]!.error?.name).toBe('EmptyReply');
      expect(result.output).toBe('recovered');
    }
    const strip = (r: typeof plain) => actionSteps(r).map((s) => ({ out: s.modelOutput, calls: s.toolCalls.map(({ durationMs: _, ...c }) => c), usage: s.usage }));
    expect(strip(streamed)).toEqual(strip(plain));
  });

  it('gives a retryable typed error when 500s outlast the retries, and on a timeout', async () => {
    const provider = await setup([{ status: 500 }, { status: 500 }, { text: 'slow', delayMs: 2000 }], { maxRetries: 1, timeout: 200 });
    const model = provider('claude-sonnet-5-5');
    const error = await model.generate(hi).catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ statusCode: 500, retryable: true });
    server.push({ text: 'slow', delayMs: 2000 });
    const timedOut = await model.generate(hi).catch((e) => e);
    expect(timedOut).toBeInstanceOf(ModelCallError);
    expect(timedOut).not.toBeInstanceOf(AgentAbortedError);
    expect(timedOut.retryable).toBe(true);
  });

  it('fails a stalled stream after the idle timeout, instead of hanging', async () => {
    const provider = await setup([{ text: 'first words then silence', stallAfterEvents: 3 }], { streamIdleTimeout: 200 });
    const error = await drain(provider('claude-sonnet-5-5').stream(hi)).catch((e) => e);
    expect(error).toBeInstanceOf(ModelStreamError);
    expect(error.message).toMatch(/stalled/);
  });

  it('turns an overloaded error event and a malformed event inside the stream into typed errors', async () => {
    const provider = await setup([{ text: 'partial answer here', errorAfterEvents: 4 }, { text: 'broken stream here', malformedAfterEvents: 3 }], { maxRetries: 0 });
    const model = provider('claude-sonnet-5-5');
    const overloaded = await drain(model.stream(hi)).catch((e) => e);
    expect(overloaded).toBeInstanceOf(ModelStreamError);
    expect(overloaded).toMatchObject({ retryable: true, message: 'anthropic/claude-sonnet-5-5: the server reported overloaded_error mid-stream: Overloaded' });
    const malformed = await drain(model.stream(hi)).catch((e) => e);
    expect(malformed).toBeInstanceOf(ModelStreamError);
    expect(malformed.message).toMatch(/malformed/);
  });

  it('gives AgentAbortedError when the caller aborts mid-stream', async () => {
    const provider = await setup([{ text: 'a slow answer, word by word', chunkDelayMs: 50 }]);
    const controller = new AbortController();
    const error = await (async () => {
      for await (const part of provider('claude-sonnet-5-5').stream({ ...hi, abortSignal: controller.signal })) {
        if (part.type === 'text-delta') controller.abort();
      }
    })().catch((e) => e);
    expect(error).toBeInstanceOf(AgentAbortedError);
  });

  it('runs a CodeAgent streamed and not, with identical steps', async () => {
    const script: WireReply[] = [
      { text: 'Look up Paris first.\n<code>\nconst p = get_weather({ city: "Paris" });\nconsole.log(p.celsius)\n', usage: { input: 20, cacheWrite: 900 } },
      { text: 'Now answer.\n<code>\nfinal_answer(`Paris is ${p.celsius} degrees`)\n', usage: { input: 40, cacheRead: 900 } },
    ];
    const provider = await setup([...script, ...script]);
    const executor = new LocalExecutor();
    try {
      const agent = () => new CodeAgent({ model: provider('claude-sonnet-5-5'), tools: [weather], executor });
      const plain = await agent().run('Paris?');
      const stream = agent().stream('Paris?');
      let deltas = 0;
      for await (const event of stream) if (event.type === 'text-delta') deltas++;
      const streamed = await stream.result;
      expect(streamed.output).toBe('Paris is 14 degrees');
      expect(deltas).toBeGreaterThan(4);
      const strip = (r: typeof plain) => actionSteps(r).map((s) => ({ out: s.modelOutput, obs: s.observation, usage: s.usage }));
      expect(strip(streamed)).toEqual(strip(plain));
      // The run's usage adds up cache writes (step 1) and reads (step 2).
      expect(plain.usage.inputTokens).toMatchObject({ total: 1860, noCache: 60, cacheRead: 900, cacheWrite: 900 });
      // The stable prefix is marked for caching at every step; the stop sequence ends the code.
      for (const request of server.requests) {
        expect(request.body.system.at(-1).cache_control).toEqual({ type: 'ephemeral' });
        expect(request.body.stop_sequences).toContain('</code>');
      }
    } finally {
      await executor.close();
    }
  });

  it('accepts an existing client, sends thinking settings, and can turn prefix caching off', async () => {
    server = await startAnthropicServer([{ text: 'ok' }]);
    const client = new Anthropic({ apiKey: 'own-key', baseURL: server.url });
    const model = anthropic('claude-sonnet-5-5', { client, thinkingBudgetTokens: 2048, cachePrefix: false, maxOutputTokens: 8000 });
    await model.generate({
      ...hi,
      messages: [{ role: 'system', content: 'S' }, ...hi.messages],
      tools: [{ name: 't', description: 'T.', inputSchema: { type: 'object' } }],
      temperature: 0.2,
    });
    const { body, headers } = server.requests[0]!;
    expect(headers.authorization).toBe('Bearer own-key');
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    // The API wants max_tokens above the thinking budget, and no sampling settings with thinking on.
    expect(body.max_tokens).toBe(8000 + 2048);
    expect(body).not.toHaveProperty('temperature');
    expect(body.system).toEqual([{ type: 'text', text: 'S' }]);
    expect(body.tools[0]).not.toHaveProperty('cache_control');
  });
});
