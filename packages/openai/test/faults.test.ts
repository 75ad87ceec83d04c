import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AgentAbortedError, ModelCallError, ModelRateLimitError, ModelStreamError, timeLimit } from '@actkit/core';
import { ToolCallingAgent } from '@actkit/json-actions';
import { runNodeProcess, type ScriptedServer, startOpenAIServer, type WireReply } from '@actkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAI } from '../src/index.js';

// Hostile servers behind the real SDK client: each fault must end as a typed error, never a hang.
let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

async function setup(replies: WireReply[], settings: Parameters<typeof createOpenAI>[0] = {}) {
  server = await startOpenAIServer(replies);
  return createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, ...settings });
}

const hi = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }] };
const drain = async (stream: AsyncIterable<unknown>) => {
  for await (const _ of stream);
};
/** The start of a completion, then silence with the connection open. */
const stalledBody: WireReply = { raw: JSON.stringify({ id: 'chatcmpl-stalled', object: 'chat.completion', choices: [] }), stallBody: true };

describe('model calls that never end', () => {
  it('bounds a non-streamed reply whose body stalls after the headers by the timeout, and retries it', async () => {
    const provider = await setup([stalledBody, stalledBody, { text: 'at last' }], { timeout: 3000, maxRetries: 1 });
    const error = await provider('gpt-4.1').generate(hi).catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).not.toBeInstanceOf(AgentAbortedError);
    expect(error).toMatchObject({ retryable: true, message: 'openai/gpt-4.1: no complete reply within 3000 ms (timeout).' });
    expect(server.requests).toHaveLength(2);
    expect((await provider('gpt-4.1').generate(hi)).content).toEqual([{ type: 'text', text: 'at last' }]);
  });

  it("lets the run's time limit cut a call whose body stalls: the run stops instead of hanging", async () => {
    const provider = await setup([stalledBody]); // The SDK's default timeout: 10 minutes.
    const agent = new ToolCallingAgent({ model: provider('gpt-4.1'), stopWhen: timeLimit(500) });
    const result = await agent.run('hi');
    expect(result).toMatchObject({ state: 'stopped', stopReason: 'time limit of 500 ms reached' });
  });

  it('does not sleep through a retry-after of an hour: a typed rate-limit error at once', async () => {
    const provider = await setup([{ status: 429, retryAfter: 3600 }], { maxRetries: 2 });
    const error = await provider('gpt-4.1').generate(hi).catch((e) => e);
    expect(error).toBeInstanceOf(ModelRateLimitError);
    expect(error).toMatchObject({ statusCode: 429, retryable: true, retryAfterMs: 3_600_000 });
    expect(error.message).toMatch(/asks to wait 3600 s before retrying, longer than the 60 s/);
    expect(server.requests).toHaveLength(1);
    // Streamed too, and a retry-after within the limit is still honoured.
    server.push({ status: 429, retryAfter: 3600 });
    await expect(drain(provider('gpt-4.1').stream(hi))).rejects.toBeInstanceOf(ModelRateLimitError);
    server.push({ status: 429, retryAfter: 0.1 }, { text: 'fine' });
    expect((await provider('gpt-4.1').generate(hi)).content).toEqual([{ type: 'text', text: 'fine' }]);
  });

  it('gives a typed rate-limit error when 429s outlast the retries', async () => {
    const provider = await setup([{ status: 429, retryAfter: 0 }, { status: 429, retryAfter: 0 }], { maxRetries: 1 });
    const error = await provider('gpt-4.1').generate(hi).catch((e) => e);
    expect(error).toBeInstanceOf(ModelRateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 0 });
  });

  it('marks a stream cut midway as retryable (a malformed one is not)', async () => {
    const provider = await setup([{ text: 'a long answer that is cut', cutAfterEvents: 3 }, { text: 'broken stream here', malformedAfterEvents: 2 }], { maxRetries: 0 });
    const cut = await drain(provider('gpt-4.1').stream(hi)).catch((e) => e);
    expect(cut).toBeInstanceOf(ModelStreamError);
    expect(cut.retryable).toBe(true);
    const malformed = await drain(provider('gpt-4.1').stream(hi)).catch((e) => e);
    expect(malformed).toBeInstanceOf(ModelStreamError);
    expect(malformed.retryable).toBe(false);
  });

  it('prints nothing of its own for a malformed stream event: the typed error says it (the SDK logs only with OPENAI_LOG)', async () => {
    await setup([{ text: 'broken stream here', malformedAfterEvents: 2 }]);
    const fixture = fileURLToPath(new URL('./fixtures/malformed-stream.ts', import.meta.url));
    const { stdout, stderr } = await runNodeProcess(['--import', 'tsx', '--conditions=@actkit/source', fixture, server.url], { env: { ...process.env, OPENAI_LOG: '' } });
    expect(stdout.trim()).toBe('ModelStreamError');
    expect(stderr).toBe('');
  }, 90_000);

  it('after an abort during a 1-hour retry-after and during a stalled body, the process exits by itself', async () => {
    let child: ReturnType<typeof spawn> | undefined;
    // Each request is answered with a fault, and the child is told to abort once it is waiting.
    const abortChild = () => setTimeout(() => child!.send('abort'), 200);
    await setup([
      () => (abortChild(), { status: 429, retryAfter: 3600 }),
      () => (abortChild(), stalledBody as { raw: string; stallBody: true }),
    ]);
    const fixture = fileURLToPath(new URL('./fixtures/abort-then-exit.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@actkit/source', fixture, server.url], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: unknown;
    child.once('message', (message) => {
      report = message;
    });
    // Generous: starting Node with tsx can take seconds on a loaded machine; the waits it must not sit through are an hour.
    const exit = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => resolve('still running after 60 s'), 60_000);
      child!.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code ?? -1);
      });
    });
    child.kill('SIGKILL');
    expect(report).toEqual({ states: ['aborted', 'aborted'] });
    expect(exit).toBe(0);
    expect(server.requests).toHaveLength(2);
  }, 90_000);
});
