import { collectStream } from '@actkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, ScriptedModel, startAnthropicServer, startOpenAIServer } from '../src/index.js';

const call = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }] };

describe('ScriptedModel', () => {
  it('replays replies in order, records calls, streams the same reply', async () => {
    const model = new ScriptedModel(['first', { text: 'second', toolCalls: [{ name: 't', input: { a: 1 }, id: 'c' }] }, (c) => `third saw ${c.messages.length}`]);
    expect((await model.generate(call)).content).toEqual([{ type: 'text', text: 'first' }]);
    const streamed = await collectStream(model.stream(call));
    expect(streamed.content).toEqual([
      { type: 'text', text: 'second' },
      { type: 'tool-call', toolCallId: 'c', toolName: 't', input: '{"a":1}' },
    ]);
    expect(streamed.finishReason).toBe('tool-calls');
    expect((await model.generate(call)).content).toEqual([{ type: 'text', text: 'third saw 1' }]);
    expect(model.calls).toHaveLength(3);
    await expect(model.generate(call)).rejects.toThrow(/no reply left/);
  });

  it('scripts failures and loops when asked', async () => {
    const failing = new ScriptedModel([{ error: new Error('boom') }]);
    await expect(failing.generate(call)).rejects.toThrow('boom');
    const looping = new ScriptedModel(['a'], { loop: true });
    await looping.generate(call);
    expect((await looping.generate(call)).content).toEqual([{ type: 'text', text: 'a' }]);
  });
});

describe('wire-compatible servers', () => {
  let server: ScriptedServer;
  afterEach(async () => {
    await server?.close();
  });
  const post = (path: string, body: object) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('answers OpenAI Chat Completions as JSON and as SSE, and injects faults', async () => {
    server = await startOpenAIServer([{ status: 429, retryAfter: 3 }, { text: 'hello' }, { text: 'streamed', toolCalls: [{ name: 'f', input: { x: 1 } }] }]);
    const limited = await post('/v1/chat/completions', { model: 'm' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    const json = (await (await post("/v1/chat/completions", { model: "m" })).json()) as any;
    expect(json.choices[0].message.content).toBe('hello');
    const sse = await (await post('/v1/chat/completions', { model: 'm', stream: true, stream_options: { include_usage: true } })).text();
    expect(sse).toContain('"finish_reason":"tool_calls"');
    expect(sse.trim().endsWith('data: [DONE]')).toBe(true);
    expect(server.requests.map((r) => r.body.stream ?? false)).toEqual([false, false, true]);
  });

  it('answers Anthropic Messages as SSE events, and reports an exhausted script', async () => {
    server = await startAnthropicServer([{ text: 'hi', toolCalls: [{ name: 'f', input: { x: 1 } }] }]);
    const sse = await (await post('/v1/messages', { model: 'm', stream: true })).text();
    const events = [...sse.matchAll(/^event: (\w+)/gm)].map((m) => m[1]);
    expect(events[0]).toBe('message_start');
    expect(events).toContain('content_block_delta');
    expect(events.at(-1)).toBe('message_stop');
    const exhausted = await post('/v1/messages', { model: 'm' });
    expect(exhausted.status).toBe(500);
    expect(((await exhausted.json()) as any).error.message).toMatch(/no reply left/);
  });

  it('injects errors inside a stream, stalls until the client gives up, and sends reasoning as compatible servers do', async () => {
    server = await startOpenAIServer([
      { text: 'partial answer', errorAfterEvents: 2 },
      { text: 'then silence', stallAfterEvents: 1 },
      { reasoning: 'think', text: 'ok' },
    ]);
    const failed = await (await post('/v1/chat/completions', { model: 'm', stream: true })).text();
    expect(failed.trim().split('\n\n').at(-1)).toBe('data: {"error":{"message":"Overloaded","type":"server_error","code":null}}');
    const controller = new AbortController();
    const stalled = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true }), signal: controller.signal });
    const reader = stalled.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('"role":"assistant"');
    const next = reader.read();
    const silent = await Promise.race([next.then(() => 'data'), new Promise((r) => setTimeout(() => r('silent'), 150))]);
    expect(silent).toBe('silent');
    controller.abort();
    await next.catch(() => undefined);
    const json = (await (await post('/v1/chat/completions', { model: 'm' })).json()) as any;
    expect(json.choices[0].message).toMatchObject({ reasoning_content: 'think', content: 'ok' });
  });

  it('sends pings and an overloaded error event in Anthropic streams', async () => {
    server = await startAnthropicServer([{ text: 'partial answer', errorAfterEvents: 3 }]);
    const sse = await (await post('/v1/messages', { model: 'm', stream: true })).text();
    const events = [...sse.matchAll(/^event: (\w+)/gm)].map((m) => m[1]);
    expect(events).toEqual(['message_start', 'ping', 'content_block_start', 'error']);
    expect(sse).toContain('"type":"overloaded_error"');
  });
});
