import { actionSteps, CodeAgent, tool } from '@actkit/code-actions';
import { ScriptedModel } from '@actkit/testing';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { LocalExecutor } from '../src/index.js';

it('pauses a code action at a tool call until a person decides, for several calls in one step', async () => {
  const sent: string[] = [];
  const email = tool({
    name: 'send_email',
    description: 'Sends an email.',
    input: z.object({ to: z.string() }),
    needsApproval: true,
    run: ({ to }) => (sent.push(to), 'sent'),
  });
  const agent = new CodeAgent({
    model: new ScriptedModel([
      '<code>\nconst results = [];\nfor (const to of ["ada@x.org", "eve@evil.com"]) {\n  try { results.push(send_email({ to })) } catch (e) { results.push(e.message) }\n}\nconsole.log(results)\n</code>',
      '<code>final_answer("done")</code>',
    ]),
    tools: [email],
    executor: new LocalExecutor({ timeoutMs: 500 }),
  });
  try {
    const stream = agent.stream('Email both.');
    for await (const event of stream) {
      if (event.type === 'approval-request') {
        // Longer than the action's time limit: waiting for a person does not count against it.
        await new Promise((r) => setTimeout(r, 700));
        const to = (event.request.input as { to: string }).to;
        stream.respond(event.request.id, to.endsWith('x.org') ? true : { approved: false, reason: 'unknown recipient' });
      }
    }
    const result = await stream.result;
    expect(sent).toEqual(['ada@x.org']);
    const [step] = actionSteps(result);
    expect(step!.observation).toContain("'sent'");
    expect(step!.observation).toContain('Denied by the user: unknown recipient');
    expect(result.output).toBe('done');
  } finally {
    await agent.close();
  }
});
