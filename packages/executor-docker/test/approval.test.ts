import { CodeAgent, tool } from '@actkit/code-actions';
import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DockerExecutor } from '../src/index.js';
import { dockerAvailable, testImage } from './docker-env.js';

describe.skipIf(!(await dockerAvailable()))('approval inside a code action on Docker', () => {
  it('pauses the container-side code at the tool call and continues with the decision', async () => {
    const deleted: string[] = [];
    const remove = tool({ name: 'delete_file', description: 'Deletes a file.', input: z.object({ path: z.string() }), needsApproval: true, run: ({ path }) => (deleted.push(path), 'deleted') });
    const agent = new CodeAgent({
      model: new ScriptedModel(['<code>\nlet r;\ntry { r = delete_file({ path: "/data/a" }) } catch (e) { r = e.message }\nfinal_answer(r)\n</code>']),
      tools: [remove],
      executor: new DockerExecutor({ image: await testImage(), labels: { 'dev.actkit.test': 'approval' } }),
      approval: { decide: async (request) => ({ approved: (request.input as { path: string }).path.startsWith('/tmp'), reason: 'outside /tmp' }) },
    });
    try {
      const result = await agent.run('Delete /data/a.');
      expect(result.output).toBe('Denied by the user: outside /tmp');
      expect(deleted).toEqual([]);
    } finally {
      await agent.close();
    }
  });
});
