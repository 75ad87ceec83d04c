/**
 * Images on a CodeAgent: given with the task, or returned by a tool the code calls, they reach a
 * model that accepts them (the loop in core adds them after the code's observation).
 */
import { CodeAgent, type ModelMessage, tool } from '@actkit/code-actions';
import { ScriptedModel } from '@actkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LocalExecutor } from '../src/index.js';

const PNG = 'iVBORw0KGgo=';
const screenshot = tool({
  name: 'screenshot',
  description: 'A screenshot of a page, with its title.',
  input: z.object({ url: z.string() }),
  run: ({ url }) => [`title of ${url}`, { type: 'file', mediaType: 'image/png', data: PNG }],
});

const executors: LocalExecutor[] = [];
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
});
function agentWith(model: ScriptedModel) {
  const executor = new LocalExecutor({ timeoutMs: 2000 });
  executors.push(executor);
  return new CodeAgent({ model, tools: [screenshot], executor });
}
const files = (message: ModelMessage | undefined) =>
  message && typeof message.content !== 'string' ? message.content.filter((p) => p.type === 'file') : [];

describe('images on CodeAgent', () => {
  it('task images and images a tool returned to the code reach the model', async () => {
    const model = new ScriptedModel([
      '<code>\nconst shot = screenshot({ url: "https://example.test" });\nconsole.log(shot[0]);\n</code>',
      '<code>final_answer("looks fine")</code>',
    ]);
    const result = await agentWith(model).run('Check the page.', { files: [{ type: 'file', mediaType: 'image/jpeg', data: 'AAAA' }] });
    expect(result).toMatchObject({ state: 'success', output: 'looks fine' });
    // The task's image is in the first call.
    expect(model.calls[0]!.messages.flatMap((m) => files(m))).toEqual([{ type: 'file', mediaType: 'image/jpeg', data: 'AAAA' }]);
    // The tool's image follows the observation of the step that called it.
    const last = model.calls[1]!.messages.at(-1)!;
    expect(last.role).toBe('user');
    expect(JSON.stringify(last.content)).toContain('title of https://example.test');
    expect(files(last)).toEqual([{ type: 'file', mediaType: 'image/png', data: PNG }]);
  });

  it('a model that does not accept images gets a note in place of each', async () => {
    const model = new ScriptedModel(['<code>screenshot({ url: "https://example.test" })</code>', '<code>final_answer("ok")</code>'], {
      capabilities: { images: false },
    });
    await agentWith(model).run('Check the page.');
    const sent = JSON.stringify(model.calls[1]!.messages);
    expect(sent).not.toContain('"type":"file"');
    expect(sent).toContain('[An image was here; this model does not accept images.]');
  });
});
