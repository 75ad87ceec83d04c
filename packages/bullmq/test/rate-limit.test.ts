import { ScriptedModel } from '@actkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedRateLimits } from '../src/index.js';
import { disposeRedis, hasRedisServer, type RedisServer, startRedis } from './harness.js';

describe.skipIf(!hasRedisServer)('SharedRateLimits', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  }, 90_000);
  afterAll(async () => {
    if (server) await disposeRedis(server);
  }, 60_000);

  it('lets `max` calls per window through across processes sharing Redis, and holds the rest', async () => {
    const connection = { host: '127.0.0.1', port: server.port };
    // Two limiters stand for two workers; the window is a minute, far longer than the test needs.
    const a = new SharedRateLimits({ connection, limits: { scripted: { max: 4, perMs: 60_000 } } });
    const b = new SharedRateLimits({ connection, limits: { scripted: { max: 4, perMs: 60_000 } } });
    try {
      const model = new ScriptedModel(['ok'], { loop: true });
      const abort = new AbortController();
      const settled: string[] = [];
      const calls = Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b)
          .wrap(model)
          .generate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], abortSignal: abort.signal })
          .then(
            () => settled.push('done'),
            () => settled.push('aborted'),
          ),
      );
      await new Promise<void>((resolve) => {
        const poll = () => (settled.length >= 4 ? resolve() : setTimeout(poll, 20));
        poll();
      });
      expect(model.calls).toHaveLength(4);
      abort.abort();
      await Promise.all(calls);
      expect(settled.filter((s) => s === 'done')).toHaveLength(4);
      expect(settled.filter((s) => s === 'aborted')).toHaveLength(4);
      expect(model.calls).toHaveLength(4);
      // A provider without a limit is not wrapped.
      const other = { provider: 'other', modelId: 'x', generate: model.generate.bind(model), stream: model.stream.bind(model) };
      expect(a.wrap(other)).toBe(other);
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);
});
