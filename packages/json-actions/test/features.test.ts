import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ActionStep,
  actionSteps,
  AgentConfigError,
  AgentMemory,
  createConsoleLogger,
  formatRun,
  HookError,
  inspectRun,
  type ModelCallOptions,
  type RunEvent,
  type RunResult,
  type SubRun,
  ToolCallingAgent,
  tool,
} from '../src/index.js';

const answer = (value: unknown) => ({ toolCalls: [{ name: 'final_answer', input: { answer: value } }] });
const price = tool({ name: 'get_price', description: 'Price of an item in EUR.', input: z.object({ item: z.string() }), run: ({ item }) => (item === 'tea' ? 3 : 5) });
/** Input tokens ScriptedModel counts for a call (its estimate: a token per 4 characters of the prompt). */
const inputTokens = (call: ModelCallOptions) => Math.ceil(JSON.stringify(call.messages).length / 4);

describe('planning (ToolCallingAgent)', () => {
  it('plans before the first step and every N steps, without tools, in memory and in the stream', async () => {
    const model = new ScriptedModel([
      '1. Look up the price. 2. Answer.',
      { toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] },
      { toolCalls: [{ name: 'get_price', input: { item: 'cake' } }] },
      'Updated plan: answer now.',
      answer(8),
    ]);
    const agent = new ToolCallingAgent({ model, tools: [price], planningInterval: 2 });
    const events: RunEvent[] = [];
    const stream = agent.stream('Tea and cake cost?');
    for await (const e of stream) events.push(e);
    const result = await stream.result;
    expect(result.output).toBe(8);
    expect(result.steps.map((s) => s.type)).toEqual(['task', 'planning', 'action', 'action', 'planning', 'action']);
    expect(events.filter((e) => e.type === 'planning')).toHaveLength(2);
    expect(JSON.stringify(model.calls[1]!.messages)).toContain('1. Look up the price.');
    expect(model.calls[0]!.tools).toBeUndefined();
    // A later plan sees earlier tool calls: tools are described, but none may be called.
    expect(model.calls[3]!.toolChoice).toBe('none');
    expect(model.calls[3]!.tools?.map((t) => t.name)).toEqual(['get_price', 'final_answer']);
    expect(JSON.stringify(model.calls[3]!.messages.at(-1))).toContain('You have 18 steps left');
    expect(() => new ToolCallingAgent({ model, planningInterval: 0 })).toThrow(AgentConfigError);
  });
});

describe('structured output and final-answer checks (ToolCallingAgent)', () => {
  const Order = z.object({ item: z.string(), total: z.number() });

  it('validates structured output, asks the model to fix a mismatch, and returns the typed value', async () => {
    const model = new ScriptedModel([answer({ item: 'tea', total: 'three' }), answer({ item: 'tea', total: 3 })]);
    const agent = new ToolCallingAgent({ model, tools: [price], outputSchema: Order });
    const result = await agent.run('Order tea.');
    const total: number | undefined = result.output?.total; // typed by the schema
    expect(total).toBe(3);
    expect(result.output).toEqual({ item: 'tea', total: 3 });
    // final_answer's arguments show the schema; the loop validates the answer and names the wrong field.
    const first = actionSteps(result)[0]!;
    expect(first.error).toEqual({
      name: 'FinalAnswerSchemaMismatch',
      message: 'Your final answer does not match the required output schema: field "total": Invalid input: expected number, received string. Give the final answer again, fixed.',
    });
    expect(first.toolCalls[0]!.output).toBe('Not accepted: see the error that follows.');
    // The step's observation in memory says so too, as the model was shown.
    expect(first.observation).toBe('final_answer: Not accepted: see the error that follows.');
    expect(model.calls[0]!.tools!.find((t) => t.name === 'final_answer')!.inputSchema).toMatchObject({
      properties: { answer: { properties: { total: { type: 'number' } } } },
    });
    expect(model.calls[0]!.messages[0]!.content).toContain('Your final answer must be a value matching this JSON Schema');
    expect(() => new ToolCallingAgent({ model, outputSchema: { not: 'zod' } as never })).toThrow(/zod schema/);
  });

  it('parses the answer once, so a schema with transforms works', async () => {
    const model = new ScriptedModel([answer({ total: '8' })]);
    const result = await new ToolCallingAgent({ model, outputSchema: z.object({ total: z.string().transform(Number) }) }).run('Total?');
    expect(result).toMatchObject({ state: 'success', output: { total: 8 } });
    expect(model.calls[0]!.tools!.find((t) => t.name === 'final_answer')!.inputSchema).toMatchObject({
      properties: { answer: { properties: { total: { type: 'string' } } } },
    });
  });

  it('parses a JSON text answer against the schema', async () => {
    const model = new ScriptedModel(['```json\n{"item": "cake", "total": 5}\n```']);
    const result = await new ToolCallingAgent({ model, outputSchema: Order }).run('Order cake.');
    expect(result.output).toEqual({ item: 'cake', total: 5 });
  });

  it('lets checks reject a final answer with a reason the model sees; the final_answer call says it was not accepted', async () => {
    const model = new ScriptedModel([answer('about 8'), answer('8 EUR')]);
    const agent = new ToolCallingAgent({
      model,
      finalAnswerChecks: [(value) => (/\d+ EUR/.test(String(value)) ? true : 'state the amount in EUR, e.g. "8 EUR"')],
    });
    const result = await agent.run('Price?');
    expect(result.output).toBe('8 EUR');
    const first = actionSteps(result)[0]!;
    expect(first.error?.message).toBe('Your final answer was rejected: state the amount in EUR, e.g. "8 EUR". Keep working, then answer again.');
    expect(first.toolCalls[0]!.output).toBe('Not accepted: see the error that follows.');
    const sent = model.calls[1]!.messages;
    expect(sent.at(-2)).toMatchObject({ role: 'tool', content: [{ output: { type: 'text', value: 'Not accepted: see the error that follows.' } }] });
    expect(JSON.stringify(sent.at(-1))).toContain('state the amount in EUR');
  });

  it('fails clearly when a check itself throws, keeping the steps', async () => {
    const agent = new ToolCallingAgent({
      model: new ScriptedModel([answer('x')]),
      finalAnswerChecks: [
        () => {
          throw new Error('checker bug');
        },
      ],
    });
    await expect(agent.run('go')).rejects.toThrow(/final-answer check threw: checker bug/);
    expect(agent.memory.actionSteps).toHaveLength(1);
    expect(agent.memory.actionSteps[0]!.toolCalls[0]!.input).toEqual({ answer: 'x' });
  });
});

describe('instructions and prompt templates (ToolCallingAgent)', () => {
  it('adds instructions to the system prompt and uses replaced templates', async () => {
    const model = new ScriptedModel([answer('ok')]);
    await new ToolCallingAgent({
      model,
      tools: [price],
      instructions: 'Answer in French.',
      prompts: { system: 'Tools:\n{{tools}}\n{{instructions}}', instructions: 'RULES: {{instructions}}' },
      loopPrompts: { outputSchema: '\nReturn {{schema}}' },
      outputSchema: z.string(),
    }).run('Hi');
    expect(model.calls[0]!.messages[0]!.content).toBe(
      'Tools:\n- get_price: Price of an item in EUR.\n- final_answer: Gives the final answer to the task and ends the run. Call it once you know the answer.\nRULES: Answer in French.\nReturn {"type":"string"}',
    );
  });

  it('refuses a broken template when the agent is created, naming the prompt', () => {
    const model = new ScriptedModel([]);
    expect(() => new ToolCallingAgent({ model, prompts: { system: 'Use {{tool}}' } })).toThrow(
      'The prompts.system prompt uses {{tool}}, which it cannot: its placeholders are {{tools}}, {{instructions}}.',
    );
    expect(() => new ToolCallingAgent({ model, prompts: { sytem: 'x' } as never })).toThrow(/prompts has no prompt "sytem"/);
  });
});

describe('hooks (ToolCallingAgent)', () => {
  it('see every step and can stop the run', async () => {
    const seen: number[] = [];
    const agent = new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer(3)]),
      tools: [price],
      hooks: {
        onStepEnd: (step, { stop }) => {
          seen.push(step.stepNumber);
          stop('budget reached');
        },
      },
    });
    const result = await agent.run('Price?');
    expect(seen).toEqual([1]);
    expect(result.state).toBe('stopped');
    expect(result.stopReason).toBe('budget reached');
    expect(result.output).toBeUndefined();
  });

  it('end the run with a HookError when they throw, keeping the step and its tool results', async () => {
    const agent = new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer(3)]),
      tools: [price],
      hooks: {
        onStepEnd: () => {
          throw new Error('logging backend down');
        },
      },
    });
    const error = await agent.run('Price?').catch((e) => e);
    expect(error).toBeInstanceOf(HookError);
    expect(error.message).toBe('The onStepEnd hook threw on a step-finish event: logging backend down');
    expect(agent.memory.actionSteps[0]!.toolCalls[0]!.output).toBe(3);
  });
});

describe('managed agents', () => {
  const researcher = (replies = [{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer('Tea costs 3 EUR.')]) => {
    const model = new ScriptedModel(replies);
    return { model, agent: new ToolCallingAgent({ name: 'researcher', description: 'Finds prices. Give it the item.', model, tools: [price] }) };
  };

  it('runs a sub-agent as a tool, two levels deep: answer, steps, usage and events of every level are kept', async () => {
    const r = researcher();
    const leadModel = new ScriptedModel([{ toolCalls: [{ name: 'researcher', input: { task: 'Price of tea?' } }] }, answer('Lead says: tea is 3 EUR.')]);
    const lead = new ToolCallingAgent({ name: 'lead', description: 'Coordinates research.', model: leadModel, managedAgents: [r.agent] });
    const bossModel = new ScriptedModel([{ toolCalls: [{ name: 'lead', input: { task: 'Find the tea price.' } }] }, answer('Tea: 3 EUR.')]);
    const boss = new ToolCallingAgent({ name: 'boss', model: bossModel, tools: [lead.asTool()] });

    const events: RunEvent[] = [];
    const stream = boss.stream('How much is tea?');
    for await (const e of stream) events.push(e);
    const result = await stream.result;

    expect(result.output).toBe('Tea: 3 EUR.');
    const leadCall = actionSteps(result)[0]!.toolCalls[0]!;
    expect(leadCall.output).toBe('Lead says: tea is 3 EUR.');
    const leadRun = leadCall.subRun as RunResult;
    expect(leadRun.state).toBe('success');
    const researcherCall = actionSteps(leadRun)[0]!.toolCalls[0]!;
    const researcherRun = researcherCall.subRun as RunResult;
    expect(actionSteps(researcherRun)[0]!.toolCalls[0]).toMatchObject({ toolName: 'get_price', output: 3 });

    // The sub-agent got its task worded for a managed agent.
    expect(JSON.stringify(r.model.calls[0]!.messages[1])).toContain('You are \\"researcher\\", working for a manager agent that gave you this task:\\n\\nPrice of tea?');
    // Usage adds up, level by level: each run's own model calls plus its sub-runs.
    const own = (m: ScriptedModel) => m.calls.reduce((sum, c) => sum + inputTokens(c), 0);
    expect(researcherRun.usage.inputTokens.total).toBe(own(r.model));
    expect(leadRun.usage.inputTokens.total).toBe(own(leadModel) + own(r.model));
    expect(result.usage.inputTokens.total).toBe(own(bossModel) + own(leadModel) + own(r.model));

    // The boss's stream carries the sub-runs' events, nested per level.
    const nested = events.flatMap((e) => (e.type === 'managed-agent' && e.event.type === 'managed-agent' ? [e.event.event] : []));
    expect(nested.find((e) => e.type === 'tool-call')).toMatchObject({ toolName: 'get_price', input: '{"item":"tea"}' });
    expect(events.find((e) => e.type === 'managed-agent' && e.event.type === 'run-start')).toMatchObject({ toolName: 'lead', stepNumber: 1 });

    // Inspection walks into the sub-runs.
    expect(inspectRun(result).calls.map((c) => [c.agentPath.join('/'), c.stepNumber])).toEqual([
      ['', 1],
      ['lead', 1],
      ['lead/researcher', 1],
      ['lead/researcher', 2],
      ['lead', 2],
      ['', 2],
    ]);
    const text = formatRun(result);
    expect(text).toMatch(/ {4}┌ lead: success · 2 steps/);
    expect(text).toMatch(/ {4}│ {5}┌ researcher: success · 2 steps/);
    expect(text).toContain('    │     │   Tool get_price({"item":"tea"}) → 3');

    // Memory with sub-runs serialises; a corrupt sub-run is refused with its path.
    const saved = JSON.parse(JSON.stringify(boss.memory.toJSON()));
    expect(formatRun(AgentMemory.fromJSON(saved))).toContain('┌ researcher: success');
    delete saved.steps[1].toolCalls[0].subRun.steps[1].toolCalls[0].subRun.usage;
    expect(() => AgentMemory.fromJSON(saved)).toThrow(
      'Cannot restore agent memory: field "steps[1].toolCalls[0].subRun.steps[1].toolCalls[0].subRun.usage": Invalid input: expected object, received undefined.',
    );
  });

  it('turns a failing managed agent into a tool error the manager sees, keeping what the sub-agent did', async () => {
    const brokenModel = new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, { error: new Error('model down') }]);
    const broken = new ToolCallingAgent({ name: 'broken', description: 'Fails on its second step.', model: brokenModel, tools: [price] });
    const bossModel = new ScriptedModel([{ toolCalls: [{ name: 'broken', input: { task: 'x' } }] }, answer('gave up')]);
    const boss = new ToolCallingAgent({ model: bossModel, managedAgents: [broken] });
    const result = await boss.run('go');
    expect(result.output).toBe('gave up');
    const call = actionSteps(result)[0]!.toolCalls[0]!;
    expect(call.error?.message).toMatch(/^Tool "broken" failed: Model call failed \(scripted\/scripted\): model down/);
    expect(JSON.stringify(bossModel.calls[1]!.messages)).toContain('model down');
    const failed = call.subRun as Extract<SubRun, { state: 'failed' }>;
    expect(failed.state).toBe('failed');
    expect(failed.error.message).toMatch(/model down/);
    expect(actionSteps(failed).map((s) => s.toolCalls[0]?.output ?? s.error?.message)).toEqual([3, expect.stringMatching(/model down/)]);
    // The tokens the failed sub-run spent count for the manager too.
    expect(actionSteps(result)[0]!.usage.inputTokens.total).toBe(inputTokens(bossModel.calls[0]!) + inputTokens(brokenModel.calls[0]!));
    expect(() => new ToolCallingAgent({ model: new ScriptedModel([]) }).asTool()).toThrow(/needs a description/);
    expect(() => new ToolCallingAgent({ model: new ScriptedModel([]), managedAgents: [price as never] })).toThrow(/managedAgents must hold agents/);
  });

  it('reports a managed agent that stops or hits its step limit', async () => {
    const limited = new ToolCallingAgent({
      name: 'limited',
      description: 'Has one step.',
      maxSteps: 1,
      model: new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, 'Probably 3 EUR.']),
      tools: [price],
    });
    const stopping = new ToolCallingAgent({
      name: 'stopping',
      description: 'Stops itself.',
      model: new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }]),
      tools: [price],
      hooks: { onStepEnd: (_s, { stop }) => stop('over budget') },
    });
    const boss = new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'limited', input: { task: 'a' } }, { name: 'stopping', input: { task: 'b' } }] }, answer('done')]),
      managedAgents: [limited, stopping],
    });
    const [l, s] = actionSteps(await boss.run('go'))[0]!.toolCalls;
    expect(l!.output).toEqual({ answer: 'Probably 3 EUR.', note: 'The agent hit its step limit; this is its best answer.' });
    expect(s!.error?.message).toBe('Tool "stopping" failed: Agent "stopping" did not finish (stopped: over budget).');
    expect((s!.subRun as RunResult).state).toBe('stopped');
  });

  it('runs calls to the same managed agent made at once at the same time, each a run of its own', async () => {
    // Each sub-run waits in `meet` until the other has arrived: run one after another, they never would.
    let arrived = 0;
    let open!: () => void;
    const bothIn = new Promise<void>((resolve) => {
      open = resolve;
    });
    const meet = tool({ name: 'meet', description: 'Waits for the other.', input: z.object({}), run: async () => {
      if (++arrived === 2) open();
      await bothIn;
      return 'met';
    } });
    const meetCall = { toolCalls: [{ name: 'meet', input: {} }] };
    const model = new ScriptedModel([meetCall, meetCall, answer('first'), answer('second')]);
    const sub = new ToolCallingAgent({ name: 'researcher', description: 'Finds prices.', model, tools: [meet] });
    const boss = new ToolCallingAgent({
      model: new ScriptedModel([
        { toolCalls: [{ name: 'researcher', input: { task: 'A?' } }, { name: 'researcher', input: { task: 'B?' } }] },
        answer('ok'),
      ]),
      managedAgents: [sub],
    });
    const [a, b] = actionSteps(await boss.run('go'))[0]!.toolCalls;
    expect([a!.output, b!.output].sort()).toEqual(['first', 'second']);
    const [runA, runB] = [a!.subRun as RunResult, b!.subRun as RunResult];
    expect(runA.runId).not.toBe(runB.runId);
    for (const run of [runA, runB]) expect(actionSteps(run)[0]!.toolCalls[0]).toMatchObject({ toolName: 'meet', output: 'met' });
  });

  it('refuses an agent that manages itself, through any chain', async () => {
    const a = new ToolCallingAgent({ name: 'a', description: 'A.', model: new ScriptedModel([answer('x')]) });
    const b = new ToolCallingAgent({ name: 'b', description: 'B.', model: new ScriptedModel([]), managedAgents: [a] });
    a.toolbox.add(b.asTool());
    await expect(a.run('loop')).rejects.toThrow('Agent "a" manages itself: a → b → a. A managed agent cannot call its manager.');
    await expect(b.run('loop')).rejects.toThrow('Agent "b" manages itself: b → a → b.');
    expect(() => new ToolCallingAgent({ model: new ScriptedModel([]), tools: [price], managedAgents: [a, a] })).toThrow('Two tools are named "a".');
  });

  it('stops the sub-agent when the manager is aborted', async () => {
    const slow = new ToolCallingAgent({ name: 'slow', description: 'Slow.', model: new ScriptedModel([answer('late')], { latencyMs: 600_000 }) });
    const boss = new ToolCallingAgent({ model: new ScriptedModel([{ toolCalls: [{ name: 'slow', input: { task: 'x' } }] }]), managedAgents: [slow] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    // The sub-agent's model would answer after 10 minutes: the run ends only through the abort.
    const result = await boss.run('go', { signal: controller.signal });
    expect(result.state).toBe('aborted');
    await new Promise((r) => setTimeout(r, 20));
    expect(slow.memory.actionSteps[0]!.error?.name).toBe('AgentAbortedError');
  });

  it('a managed agent’s approval request, two levels down, is answered through the top manager’s stream', async () => {
    const done: number[] = [];
    const refund = tool({ name: 'refund', description: 'Refunds.', input: z.object({ amount: z.number() }), needsApproval: true, run: ({ amount }) => void done.push(amount) });
    const clerk = new ToolCallingAgent({
      name: 'clerk',
      description: 'Refunds.',
      model: new ScriptedModel([{ toolCalls: [{ name: 'refund', input: { amount: 80 } }, { name: 'refund', input: { amount: 90 } }] }, answer('80 refunded, 90 denied')]),
      tools: [refund],
    });
    const desk = new ToolCallingAgent({ name: 'desk', description: 'Support desk.', model: new ScriptedModel([{ toolCalls: [{ name: 'clerk', input: { task: 'refund' } }] }, answer('desk done')]), managedAgents: [clerk] });
    const lead = new ToolCallingAgent({ model: new ScriptedModel([{ toolCalls: [{ name: 'desk', input: { task: 'refund' } }] }, answer('ok')]), managedAgents: [desk] });
    const stream = lead.stream('go');
    const answered: boolean[] = [];
    for await (const event of stream) {
      const inner = event.type === 'managed-agent' && event.event.type === 'managed-agent' ? event.event.event : undefined;
      if (inner?.type === 'approval-request') {
        const amount = (inner.request.input as { amount: number }).amount;
        answered.push(stream.respond(inner.request.id, amount < 85 ? true : { approved: false, reason: 'too much' }));
      }
    }
    expect(await stream.result).toMatchObject({ state: 'success', output: 'ok' });
    expect(answered).toEqual([true, true]);
    expect(done).toEqual([80]);
    expect(stream.respond('no-such-request', true)).toBe(false);
  });
});

describe('interrupt and resume (ToolCallingAgent)', () => {
  it('a run aborted during a tool call serialises, and a new agent resumes it with consistent messages', async () => {
    const controller = new AbortController();
    const lookup = tool({
      name: 'lookup',
      description: 'Slow lookup.',
      input: z.object({ id: z.string() }),
      run: ({ id }, { signal }) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(() => resolve({ id, ok: true }), 1000);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(signal.reason);
          });
        }),
    });
    const first = new ToolCallingAgent({ model: new ScriptedModel([{ toolCalls: [{ name: 'lookup', input: { id: 'A1' } }] }]), tools: [lookup] });
    setTimeout(() => controller.abort(), 30);
    const stopped = await first.run('Check A1.', { signal: controller.signal });
    expect(stopped.state).toBe('aborted');
    const saved = JSON.stringify(first.memory.toJSON());

    const model = new ScriptedModel([{ toolCalls: [{ name: 'lookup', input: { id: 'A1' } }] }, answer('A1 is fine.')]);
    const fast = tool({ name: 'lookup', description: 'Lookup.', input: z.object({ id: z.string() }), run: ({ id }) => ({ id, ok: true }) });
    const second = new ToolCallingAgent({ model, tools: [fast], memory: AgentMemory.fromJSON(saved) });
    const resumed = await second.resume().result;
    expect(resumed).toMatchObject({ state: 'success', output: 'A1 is fine.' });
    // The interrupted step is sent back consistently: every tool call it shows has its result, and the model is told of the interruption.
    const sent = model.calls[0]!.messages;
    const callIds = sent.flatMap((m) => (m.role === 'assistant' ? m.content.flatMap((p) => (p.type === 'tool-call' ? [p.toolCallId] : [])) : []));
    const resultIds = sent.flatMap((m) => (m.role === 'tool' ? m.content.map((p) => p.toolCallId) : []));
    expect(resultIds).toEqual(callIds);
    expect(JSON.stringify(sent)).toContain('The run was aborted during this step.');
  });
});

describe('console logger', () => {
  const run = (level: 'info' | 'quiet' | 'debug', lines: string[], color = false) =>
    new ToolCallingAgent({
      model: new ScriptedModel([{ text: 'Checking the price.', toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer('3 EUR')]),
      tools: [price],
      hooks: createConsoleLogger({ level, color, write: (t) => lines.push(t) }),
    });

  it('shows each step, tool call, usage and the answer; prints nothing when quiet', async () => {
    const lines: string[] = [];
    await run('info', lines).run('Price of tea?');
    const text = lines.join('');
    expect(text).toContain('━━ ToolCallingAgent\nTask: Price of tea?');
    expect(text).toContain('── Step 1');
    expect(text).toContain('Thought: Checking the price.');
    expect(text).toContain('→ get_price({"item":"tea"})');
    expect(text).toMatch(/← get_price: 3 \(\d/);
    expect(text).toMatch(/ {3}\d+ ms · \d+ tokens in, \d+ out/);
    expect(text).toContain('✔ Final answer: 3 EUR');
    expect(text).toMatch(/success · 2 steps · \d+ tokens · [\d.]+ s/);
    const quiet: string[] = [];
    await run('quiet', quiet).run('Price of tea?');
    expect(quiet).toEqual([]);
    expect(() => createConsoleLogger({ level: 'loud' as never })).toThrow('Unknown log level "loud": use quiet, info, debug.');
  });

  it('streams the model text at debug level, and colours when asked', async () => {
    const lines: string[] = [];
    for await (const _ of run('debug', lines, true).stream('Price of tea?'));
    const text = lines.join('');
    expect(text).toContain('\x1b[2mChecking the\x1b[0m\x1b[2m price.\x1b[0m'); // dimmed deltas (ScriptedModel streams 12 characters at a time)
    expect(text).toContain('\x1b[33m→\x1b[0m get_price');
  });

  it('does not print the streamed text a second time at debug level', async () => {
    const lines: string[] = [];
    for await (const _ of run('debug', lines).stream('Price of tea?'));
    const text = lines.join('');
    expect(text).toContain('Checking the price.');
    expect(text).not.toContain('Thought: Checking the price.');
  });

  it('shows the step limit as a warning, never as a final answer, and marks estimated tokens', async () => {
    const lines: string[] = [];
    const model = new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, { text: 'Maybe 3 EUR.' }]);
    const result = await new ToolCallingAgent({ model, tools: [price], maxSteps: 1 }).run('Price of tea?', {
      hooks: createConsoleLogger({ color: false, estimatedTokens: true, write: (t) => lines.push(t) }),
    });
    expect(result.state).toBe('max_steps');
    expect(result.steps.filter((s) => s.type === 'action').map((s) => (s as ActionStep).afterStepLimit)).toEqual([undefined, true]);
    const text = lines.join('');
    expect(text).not.toContain('── Step 2');
    expect(text).toContain('── Step limit reached: asking for the best answer from memory');
    expect(text).not.toContain('✔ Final answer');
    expect(text).toContain('⚠ No final answer within the step limit. Best answer from memory:\n  Maybe 3 EUR.');
    expect(text).toMatch(/ms · ~\d+ tokens in, ~\d+ out \(estimated\)/);
    expect(text).toMatch(/max_steps \(step limit reached\) · 1 step · ~\d+ tokens \(estimated\)/);
  });

  it('highlights code actions', () => {
    const lines: string[] = [];
    const logger = createConsoleLogger({ color: true, write: (t) => lines.push(t) });
    logger.onEvent!({ type: 'code', stepNumber: 1, code: 'const x = get_price({ item: "tea" }); // why\nfinal_answer(x + 1)' }, {} as never);
    const text = lines.join('');
    expect(text).toContain('\x1b[35mconst\x1b[0m x');
    expect(text).toContain('\x1b[32m"tea"\x1b[0m');
    expect(text).toContain('\x1b[2m// why\x1b[0m');
    expect(text).toContain('\x1b[33m1\x1b[0m)');
    expect(text).toMatch(/\x1b\[2m {2}2\x1b\[0m {2}final_answer/);
  });

  it('shows a managed agent’s steps indented under the call', async () => {
    const r = new ToolCallingAgent({ name: 'researcher', description: 'Finds prices.', model: new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer('3')]), tools: [price] });
    const lines: string[] = [];
    await new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'researcher', input: { task: 'Tea?' } }] }, answer('3 EUR')]),
      managedAgents: [r],
    }).run('Tea?', { hooks: createConsoleLogger({ color: false, write: (t) => lines.push(t) }) });
    const text = lines.join('');
    expect(text).toContain('→ researcher({"task":"Tea?"})\n│ ┌ managed agent researcher\n│ Task: You are "researcher"');
    expect(text).toContain('│ → get_price({"item":"tea"})');
    expect(text).toContain('│ ✔ Answer: 3');
    expect(text).toMatch(/│ └ success · 2 steps/);
    expect(text).toContain('← researcher: 3');
  });
});

describe('inspection (ToolCallingAgent)', () => {
  it('keeps the full messages each step sent, with usage and timing', async () => {
    const model = new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer(3)]);
    const result = await new ToolCallingAgent({ model, tools: [price] }).run('Price of tea?');
    const [one, two] = actionSteps(result) as [ActionStep, ActionStep];
    expect(one.modelInput).toEqual(model.calls[0]!.messages);
    expect(two.modelInput).toEqual(model.calls[1]!.messages);
    expect(two.usage.inputTokens.total).toBe(inputTokens(model.calls[1]!));
    const { calls, usage } = inspectRun(result);
    expect(calls.map((c) => c.messages.length)).toEqual([2, 4]);
    expect(usage.inputTokens.total).toBe(inputTokens(model.calls[0]!) + inputTokens(model.calls[1]!));
    expect(formatRun(result)).toContain('Tool get_price({"item":"tea"}) → 3');
  });
});

describe('images (ToolCallingAgent)', () => {
  const shot = tool({
    name: 'screenshot',
    description: 'A screenshot.',
    input: z.object({}),
    run: () => ['the page', { type: 'file', mediaType: 'image/png', data: 'iVBORw==' }],
  });

  it('a tool image reaches the model inside the tool result (native calls) or after the observation (calls written as text)', async () => {
    const native = new ScriptedModel([{ toolCalls: [{ name: 'screenshot', input: {} }] }, answer('ok')]);
    await new ToolCallingAgent({ model: native, tools: [shot] }).run('Look.');
    expect(native.calls[1]!.messages.at(-1)).toMatchObject({
      role: 'tool',
      content: [{ output: { type: 'content', value: [{ type: 'text', text: 'the page' }, { type: 'file', mediaType: 'image/png', data: 'iVBORw==' }] } }],
    });

    const text = new ScriptedModel(['```json\n{"name": "screenshot", "arguments": {}}\n```', '```json\n{"name": "final_answer", "arguments": {"answer": "ok"}}\n```']);
    const result = await new ToolCallingAgent({ model: text, tools: [shot], toolCallMode: 'text' }).run('Look.');
    expect(result.output).toBe('ok');
    const last = text.calls[1]!.messages.at(-1)!;
    expect(last.role).toBe('user');
    const content = last.content as Array<{ type: string; text?: string }>;
    expect(content[0]!.text).toContain('"[file: image/png]"');
    expect(content[0]!.text).not.toContain('iVBORw==');
    expect(content[1]).toEqual({ type: 'file', mediaType: 'image/png', data: 'iVBORw==' });
  });
});
