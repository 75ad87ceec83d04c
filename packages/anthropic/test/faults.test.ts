import { fileURLToPath } from 'node:url';
import { AgentAbortedError, ModelCallError, ModelRateLimitError, ModelStreamError, timeLimit } from '@actkit/core';
import { ToolCallingAgent } from '@actkit/json-actions';
import { runNodeProcess, type ScriptedServer, startAnthropicServer, type WireReply } from '@actkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropic } from '../src/index.js';

// Hostile servers behind the real SDK client: each fault must end as a typed error, never a hang.
let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

async function setup(replies: WireReply[], settings: Parameters<typeof createAnthropic>[0] = {}) {
  server = await startAnthropicServer(replies);
  return createAnthropic({ apiKey: 'test-key', baseURL: server.url, ...settings });
}
const hi = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }] };
const drain = async (stream: AsyncIterable<unknown>) => {
  for await (const _ of stream);
};
const stalledBody: WireReply = { raw: JSON.stringify({ id: 'msg_stalled', type: 'message', role: 'assistant', content: [] }), stallBody: true };

describe('faults from an Anthropic-compatible server', () => {
  it('prints nothing of its own for a malformed stream event: the typed error says it (the SDK logs only with ANTHROPIC_LOG)', async () => {
    await setup([{ text: 'broken stream here', malformedAfterEvents: 3 }]);
    const fixture = fileURLToPath(new URL('./fixtures/malformed-stream.ts', import.meta.url));
    const { stdout, stderr } = await runNodeProcess(['--import', 'tsx', '--conditions=@actkit/source', fixture, server.url], { env: { ...process.env, ANTHROPIC_LOG: '' } });
    expect(stdout.trim()).toBe('ModelStreamError');
    expect(stderr).toBe('');
  }, 90_000);

  it('gives a clear typed error for an HTML page sent with HTTP 200, not "message.content is not iterable"', async () => {
    const page = '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in to continue.</body></html>';
    const provider = await setup([{ raw: page, headers: { 'content-type': 'text/html; charset=utf-8' } }], { maxRetries: 0 });
    const error = await provider('claude-sonnet-5-5').generate(hi).catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      "anthropic/claude-sonnet-5-5: the server's reply is not an Anthropic Messages API message (is `baseURL` right, or is a proxy answering?): <!DOCTYPE html> <html><head><title>Sign in</title></head><body>Please sign in to continue.</body></html>",
    );
    // In a run it is the caller's typed error, with the step kept.
    server.push({ raw: page, headers: { 'content-type': 'text/html' } });
    const failed = await new ToolCallingAgent({ model: provider('claude-sonnet-5-5') }).run('hi').catch((e) => e);
    expect(failed).toBeInstanceOf(ModelCallError);
    expect(failed.message).toMatch(/not an Anthropic Messages API message/);
  });

  it('bounds a non-streamed reply whose body stalls after the headers, and lets a time limit cut it', async () => {
    const provider = await setup([stalledBody], { timeout: 3000, maxRetries: 0 });
    const error = await provider('claude-sonnet-5-5').generate(hi).catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).not.toBeInstanceOf(AgentAbortedError);
    expect(error).toMatchObject({ retryable: true, message: 'anthropic/claude-sonnet-5-5: no complete reply within 3000 ms (timeout).' });
    await server.close();
    const patient = await setup([stalledBody]); // The SDK's default timeout: 10 minutes.
    const result = await new ToolCallingAgent({ model: patient('claude-sonnet-5-5'), stopWhen: timeLimit(500) }).run('hi');
    expect(result).toMatchObject({ state: 'stopped', stopReason: 'time limit of 500 ms reached' });
  });

  it('does not sleep through a retry-after of an hour, and aborts a wait it does take at once', async () => {
    const provider = await setup([{ status: 429, retryAfter: 3600 }], { maxRetries: 2 });
    const error = await provider('claude-sonnet-5-5').generate(hi).catch((e) => e);
    expect(error).toBeInstanceOf(ModelRateLimitError);
    expect(error).toMatchObject({ statusCode: 429, retryAfterMs: 3_600_000 });
    expect(server.requests).toHaveLength(1);

    await server.close();
    const willing = await setup([{ status: 429, retryAfter: 3600 }], { maxRetries: 2, timeout: 3 * 3_600_000, maxRetryAfterMs: 2 * 3_600_000 });
    const controller = new AbortController();
    const waiting = willing('claude-sonnet-5-5').generate({ ...hi, abortSignal: controller.signal }).catch((e) => e);
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    expect(await waiting).toBeInstanceOf(AgentAbortedError);
    expect(server.requests).toHaveLength(1);
  });

  it('marks a stream cut midway as retryable', async () => {
    const provider = await setup([{ text: 'a long answer that will be cut off', cutAfterEvents: 4 }], { maxRetries: 0 });
    const cut = await drain(provider('claude-sonnet-5-5').stream(hi)).catch((e) => e);
    expect(cut).toBeInstanceOf(ModelStreamError);
    expect(cut.retryable).toBe(true);
  });
});
