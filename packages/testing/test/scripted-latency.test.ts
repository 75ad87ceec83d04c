import { spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScriptedModel } from '../src/index.js';

describe('ScriptedModel latencyMs', () => {
  it('leaves no abort listener behind on the run signal after each wait (no MaxListenersExceededWarning)', async () => {
    const model = new ScriptedModel(['hi'], { latencyMs: 1, loop: true });
    const controller = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 12; i++) {
        await model.generate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], abortSignal: controller.signal });
        for await (const _ of model.stream({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], abortSignal: controller.signal }));
      }
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('still ends a wait at once when the signal aborts', async () => {
    const model = new ScriptedModel(['hi'], { latencyMs: 3_600_000 });
    const controller = new AbortController();
    const call = model.generate({ messages: [], abortSignal: controller.signal }).catch((e) => e);
    controller.abort(new Error('stop'));
    expect(await call).toMatchObject({ message: 'stop' });
  });
});

describe('the scripted server', () => {
  it('drops a delayed reply whose client went away: after close() nothing keeps the process alive', async () => {
    const script = fileURLToPath(new URL('./fixtures/delayed-reply-then-close.ts', import.meta.url));
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--conditions=@actkit/source', '--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      child.once('error', reject);
      // The reply was scripted ten minutes late: exiting before that is the fix's doing.
      child.once('exit', (exitCode) => resolve({ code: exitCode, out: text }));
    });
    expect(code).toBe(0);
    expect(out.trim()).toBe('AbortError');
  }, 120_000);
});
