import { CodeAgent } from '@actkit/code-actions';
import { actionSteps, AgentAbortedError, collectStream, ModelCallError, ModelStreamError, tool } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { type ScriptedServer, startOpenAIServer, type WireReply } from '@actkit/testing';
import OpenAI, { AzureOpenAI } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOpenAI, openai } from '../src/index.js';

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

async function setup(replies: WireReply[], settings: Parameters<typeof createOpenAI>[0] = {}) {
  server = await startOpenAIServer(replies);
  const provider = createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 2, ...settings });
  return provider;
}

describe('OpenAI adapter over HTTP', () => {
  it('sends messages, tools, stop sequences and images; maps text, parallel tool calls and cached usage', async () => {
    const model = (await setup([
      {
        text: 'Checking both.',
        toolCalls: [
          { name: 'get_weather', input: { city: 'Paris' }, id: 'a' },
          { name: 'get_weather', input: { city: 'Rome' }, id: 'b' },
        ],
        usage: { input: 100, output: 20, cacheRead: 60 },
      },
    ]))('gpt-4.1');
    const response = await model.generate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'file', mediaType: 'image/png', data: 'aGVsbG8=' }] },
      ],
      tools: [{ name: 'get_weather', description: 'Weather.', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
      stopSequences: ['</code>'],
      temperature: 0,
      responseFormat: { type: 'json', schema: { type: 'object' }, name: 'answer' },
    });
    expect(response.content).toEqual([
      { type: 'text', text: 'Checking both.' },
      { type: 'tool-call', toolCallId: 'a', toolName: 'get_weather', input: '{"city":"Paris"}' },
      { type: 'tool-call', toolCallId: 'b', toolName: 'get_weather', input: '{"city":"Rome"}' },
    ]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage.inputTokens).toEqual({ total: 100, noCache: 40, cacheRead: 60, cacheWrite: undefined });
    const body = server.requests[0]!.body;
    expect(body.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(body.messages[1].content[1]).toEqual({ type: 'image_url', image_url: { url: 'data:image/png;base64,aGVsbG8=' } });
    expect(body.tools[0].function.name).toBe('get_weather');
    expect(body.stop).toEqual(['</code>']);
    expect(body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'answer' } });
    expect(server.requests[0]!.headers.authorization).toBe('Bearer test-key');
  });

  it('treats reasoning models differently: developer role, max_completion_tokens, no stop', async () => {
    const model = (await setup([{ text: 'ok' }]))('o4-mini');
    expect(model.capabilities.stopSequences).toBe(false);
    await model.generate({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }], maxOutputTokens: 50, stopSequences: ['x'], temperature: 1 });
    const body = server.requests[0]!.body;
    expect(body.messages[0].role).toBe('developer');
    expect(body.max_completion_tokens).toBe(50);
    expect(body).not.toHaveProperty('stop');
    expect(body).not.toHaveProperty('temperature');
  });

  it('knows reasoning models behind a router prefix, and gives a typed error for an error body sent with HTTP 200', async () => {
    const provider = await setup([{ status: 200, message: 'model overloaded, try later' }]);
    expect(provider('openai/o3').capabilities.stopSequences).toBe(false);
    expect(provider('openrouter/gpt-4.1').capabilities.stopSequences).toBe(true);
    const failed = await provider('gpt-4.1').generate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }).catch((e) => e);
    expect(failed).toBeInstanceOf(ModelCallError);
    expect(failed.message).toMatch(/answered without choices: model overloaded, try later/);
  });

  it('runs a ToolCallingAgent: parallel calls, results back as tool messages', async () => {
    const provider = await setup([
      { toolCalls: [{ name: 'get_weather', input: { city: 'Paris' }, id: 'a' }, { name: 'get_weather', input: { city: 'Rome' }, id: 'b' }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'Rome is warmer.' } }] },
    ]);
    const result = await new ToolCallingAgent({ model: provider('gpt-4.1'), tools: [weather] }).run('Warmer: Paris or Rome?');
    expect(result.output).toBe('Rome is warmer.');
    const second = server.requests[1]!.body.messages;
    expect(second.filter((m: { role: string }) => m.role === 'tool')).toEqual([
      { role: 'tool', tool_call_id: 'a', content: '{"city":"Paris","celsius":14}' },
      { role: 'tool', tool_call_id: 'b', content: '{"city":"Rome","celsius":21}' },
    ]);
    expect(second.at(-3).tool_calls).toHaveLength(2);
  });

  it('runs a CodeAgent with the stop sequence', async () => {
    const provider = await setup([
      { text: 'Compare.\n<code>\nconst [p, r] = [get_weather({ city: "Paris" }), get_weather({ city: "Rome" })];\nfinal_answer(r.celsius > p.celsius ? "Rome" : "Paris")\n' },
    ]);
    const executor = new LocalExecutor();
    try {
      const result = await new CodeAgent({ model: provider('gpt-4.1'), tools: [weather], executor }).run('Warmer?');
      expect(result.output).toBe('Rome');
      expect(server.requests[0]!.body.stop).toEqual(['</code>']);
    } finally {
      await executor.close();
    }
  });

  it('streams text and tool-call deltas, and assembles the same steps as without streaming', async () => {
    const script: WireReply[] = [
      { text: 'Let me check the weather in Paris for you.', toolCalls: [{ name: 'get_weather', input: { city: 'Paris' }, id: 'a' }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: '14 degrees' }, id: 'f' }] },
    ];
    const provider = await setup([...script, ...script]);
    const plain = await new ToolCallingAgent({ model: provider('gpt-4.1'), tools: [weather] }).run('Paris?');
    const stream = new ToolCallingAgent({ model: provider('gpt-4.1'), tools: [weather] }).stream('Paris?');
    const deltas: string[] = [];
    for await (const event of stream) if (event.type === 'text-delta' || event.type === 'tool-input-delta') deltas.push(event.type);
    const streamed = await stream.result;
    expect(deltas.filter((d) => d === 'text-delta').length).toBeGreaterThan(2);
    expect(deltas).toContain('tool-input-delta');
    const strip = (r: typeof plain) => actionSteps(r).map((s) => ({ out: s.modelOutput, calls: s.toolCalls.map(({ durationMs: _, ...c }) => c), usage: s.usage }));
    expect(strip(streamed)).toEqual(strip(plain));
    expect(server.requests[2]!.body.stream).toBe(true);
  });

  it('retries 429 honouring retry-after, and gives a typed error when retries run out', async () => {
    const provider = await setup([{ status: 429, retryAfter: 0.2 }, { text: 'after retry' }, { status: 500 }, { status: 500 }, { status: 500 }]);
    const model = provider('gpt-4.1');
    const t0 = Date.now();
    const ok = await model.generate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
    expect(ok.content).toEqual([{ type: 'text', text: 'after retry' }]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
    const error = await model.generate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }).catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ statusCode: 500, retryable: true });
    expect(server.requests).toHaveLength(5);
  });

  it('cancels on abort and on timeout', async () => {
    const provider = await setup([{ text: 'late', delayMs: 3000 }, { text: 'late', delayMs: 3000 }], { maxRetries: 0, timeout: 300 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const agent = new ToolCallingAgent({ model: provider('gpt-4.1'), tools: [weather] });
    expect((await agent.run('hi', { signal: controller.signal })).state).toBe('aborted');
    const timedOut = await provider('gpt-4.1').generate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }).catch((e) => e);
    expect(timedOut).toBeInstanceOf(ModelCallError);
    expect(timedOut).not.toBeInstanceOf(AgentAbortedError);
  });

  it('turns a cut or malformed stream into ModelStreamError', async () => {
    const provider = await setup([{ text: 'a long answer that is cut', cutAfterEvents: 3 }, { text: 'broken stream here', malformedAfterEvents: 2 }], { maxRetries: 0 });
    const agent = () => new ToolCallingAgent({ model: provider('gpt-4.1'), tools: [weather] });
    const cut = agent().stream('hi');
    await expect((async () => { for await (const _ of cut); })()).rejects.toBeInstanceOf(ModelStreamError);
    const malformed = agent().stream('hi');
    await expect((async () => { for await (const _ of malformed); })()).rejects.toBeInstanceOf(ModelCallError);
  });

  it('feeds malformed tool-call JSON, an empty reply and a refusal back to the model', async () => {
    const provider = await setup([
      { toolCalls: [{ name: 'get_weather', input: '{"city": "Par' }] },
      { text: '' },
      { refusal: 'I cannot help with that.' },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'recovered' } }] },
    ]);
    const result = await new ToolCallingAgent({ model: provider('gpt-4.1'), tools: [weather] }).run('hi');
    const steps = actionSteps(result);
    expect(steps[0]!.toolCalls[0]!.error?.message).toMatch(/get_weather/);
    expect(steps[1]!.error?.name).toBe('EmptyReply');
    expect(steps[2]!.error).toMatchObject({ name: 'ModelRefusal' });
    expect(steps[2]!.error?.message).toContain('I cannot help with that.');
    expect(result.output).toBe('recovered');
  });

  it('works with servers without native tool calling: JSON actions in text', async () => {
    const provider = await setup([
      { text: 'I will check.\n```json\n{"name": "get_weather", "arguments": {"city": "Rome"}}\n```' },
      { text: '```json\n{"name": "final_answer", "arguments": {"answer": "21"}}\n```' },
    ], { toolCalls: false, provider: 'llama.cpp' });
    const model = provider('local-model');
    const result = await new ToolCallingAgent({ model, tools: [weather] }).run('Rome?');
    expect(result.output).toBe('21');
    expect(server.requests[0]!.body).not.toHaveProperty('tools');
    expect(JSON.stringify(server.requests[1]!.body.messages)).toContain('celsius');
  });
});

describe.skipIf(!process.env.OPENAI_API_KEY)('OpenAI live (OPENAI_API_KEY set)', () => {
  it('answers with a tool call', async () => {
    const result = await new ToolCallingAgent({ model: openai(process.env.ACTKIT_OPENAI_MODEL ?? 'gpt-4.1-mini'), tools: [weather], maxSteps: 4 }).run(
      'Use the tool: what is the weather in Rome? Answer with the number of degrees.',
    );
    expect(String(result.output)).toContain('21');
  }, 60_000);

  it('runs a CodeAgent, streamed', async () => {
    const executor = new LocalExecutor();
    try {
      const agent = new CodeAgent({ model: openai(process.env.ACTKIT_OPENAI_MODEL ?? 'gpt-4.1-mini'), tools: [weather], executor, maxSteps: 4 });
      const stream = agent.stream('Call get_weather for Rome and give the degrees as a number with final_answer.');
      for await (const _ of stream);
      expect(String((await stream.result).output)).toContain('21');
    } finally {
      await executor.close();
    }
  }, 90_000);
});
if (!process.env.OPENAI_API_KEY) console.log('[openai] live tests skipped: OPENAI_API_KEY is not set.');

describe('images from tools', () => {
  it('passes an image a tool returned to the model, after the tool messages', async () => {
    const camera = tool({
      name: 'take_photo',
      description: 'Takes a photo.',
      input: z.object({}),
      run: () => ['A photo of the street:', { type: 'file', mediaType: 'image/png', data: 'aGVsbG8=' }],
    });
    const provider = await setup([{ toolCalls: [{ name: 'take_photo', input: {}, id: 'p' }] }, { toolCalls: [{ name: 'final_answer', input: { answer: 'a street' } }] }]);
    await new ToolCallingAgent({ model: provider('gpt-4.1'), tools: [camera] }).run('What do you see?');
    const messages = server.requests[1]!.body.messages;
    expect(messages.at(-2)).toEqual({ role: 'tool', tool_call_id: 'p', content: 'A photo of the street:\n[image/png file: image 1 below]' });
    expect(messages.at(-1).content[1]).toEqual({ type: 'image_url', image_url: { url: 'data:image/png;base64,aGVsbG8=' } });
  });
});

describe('streams that go wrong, and other clients', () => {
  const hi = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }] };
  const drain = async (stream: AsyncIterable<unknown>) => {
    for await (const _ of stream);
  };

  it('retries a 429 before the stream starts, then fails a stalled stream after the idle timeout instead of hanging', async () => {
    const provider = await setup([{ status: 429, retryAfter: 0 }, { text: 'first words then silence', stallAfterEvents: 2 }], { streamIdleTimeout: 200 });
    // The server never sends the rest: only the idle timeout ends the stream.
    const error = await drain(provider('gpt-4.1').stream(hi)).catch((e) => e);
    expect(error).toBeInstanceOf(ModelStreamError);
    expect(error.message).toMatch(/stalled \(no data for 200 ms\)/);
    expect(error.retryable).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('turns an error event inside the stream into a typed error', async () => {
    const provider = await setup([{ text: 'partial answer here', errorAfterEvents: 2 }], { maxRetries: 0 });
    const error = await drain(provider('gpt-4.1').stream(hi)).catch((e) => e);
    expect(error).toBeInstanceOf(ModelStreamError);
    expect(error).toMatchObject({ retryable: true, message: 'openai/gpt-4.1: the server reported an error mid-stream: Overloaded' });
  });

  it('gives AgentAbortedError when the caller aborts mid-stream', async () => {
    const provider = await setup([{ text: 'a slow answer, word by word', chunkDelayMs: 50 }]);
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await (async () => {
      for await (const part of provider('gpt-4.1').stream({ ...hi, abortSignal: controller.signal })) {
        seen.push(part.type);
        if (part.type === 'text-delta') controller.abort();
      }
    })().catch((e) => e);
    expect(error).toBeInstanceOf(AgentAbortedError);
    expect(seen).toContain('text-delta');
  });

  it('maps reasoning_content (vLLM, DeepSeek) the same streamed and not', async () => {
    const answer = { reasoning: 'Think about Rome first.', text: 'Rome: 21 degrees.', usage: { output: 30, reasoning: 12 } };
    const model = (await setup([answer, answer]))('deepseek-reasoner');
    const plain = await model.generate(hi);
    const streamed = await collectStream(model.stream(hi));
    expect(plain.content).toEqual([
      { type: 'reasoning', text: 'Think about Rome first.' },
      { type: 'text', text: 'Rome: 21 degrees.' },
    ]);
    expect(plain.usage.outputTokens).toEqual({ total: 30, text: 18, reasoning: 12 });
    const { response: _a, ...a } = plain;
    const { response: _b, ...b } = streamed;
    expect(b).toEqual(a);
  });

  it('runs a CodeAgent streamed and not, with identical steps', async () => {
    const script: WireReply[] = [
      { text: 'Look up Paris first.\n<code>\nconst p = get_weather({ city: "Paris" });\nconsole.log(p.celsius)\n' },
      { text: 'Now answer.\n<code>\nfinal_answer(`Paris is ${p.celsius} degrees`)\n' },
    ];
    const provider = await setup([...script, ...script]);
    const executor = new LocalExecutor();
    try {
      const agent = () => new CodeAgent({ model: provider('gpt-4.1'), tools: [weather], executor });
      const plain = await agent().run('Paris?');
      const stream = agent().stream('Paris?');
      let deltas = 0;
      for await (const event of stream) if (event.type === 'text-delta') deltas++;
      const streamed = await stream.result;
      expect(streamed.output).toBe('Paris is 14 degrees');
      expect(deltas).toBeGreaterThan(4);
      const strip = (r: typeof plain) => actionSteps(r).map((s) => ({ out: s.modelOutput, obs: s.observation, usage: s.usage }));
      expect(strip(streamed)).toEqual(strip(plain));
    } finally {
      await executor.close();
    }
  });

  it('accepts an existing client, e.g. AzureOpenAI with a deployment', async () => {
    server = await startOpenAIServer([{ text: 'from azure' }, { text: 'from a given client' }]);
    const azure = new AzureOpenAI({ apiKey: 'azure-key', endpoint: server.url, apiVersion: '2024-10-21', deployment: 'test' });
    const viaAzure = await createOpenAI({ client: azure, provider: 'azure' })('gpt-4.1').generate(hi);
    expect(viaAzure.content).toEqual([{ type: 'text', text: 'from azure' }]);
    expect(server.requests[0]!.path).toBe('/openai/deployments/test/chat/completions');
    expect(server.requests[0]!.headers['api-key']).toBe('azure-key');
    const client = new OpenAI({ apiKey: 'own-key', baseURL: `${server.url}/v1` });
    expect((await openai('gpt-4.1', { client }).generate(hi)).content).toEqual([{ type: 'text', text: 'from a given client' }]);
    expect(server.requests[1]!.headers.authorization).toBe('Bearer own-key');
  });

  it('asks for plain JSON when the response format has no schema', async () => {
    const model = (await setup([{ text: '{"ok":true}' }]))('gpt-4.1');
    await model.generate({ ...hi, responseFormat: { type: 'json' } });
    expect(server.requests[0]!.body.response_format).toEqual({ type: 'json_object' });
  });
});
