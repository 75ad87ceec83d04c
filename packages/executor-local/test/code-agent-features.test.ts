/**
 * The agent features of the shared loop (packages/core), on a CodeAgent with the local executor:
 * the same behaviour ToolCallingAgent has (see packages/json-actions/test/features.test.ts).
 */
import {
  type ActionStep,
  actionSteps,
  AgentMemory,
  CodeAgent,
  createConsoleLogger,
  formatRun,
  inspectRun,
  type RunEvent,
  type RunResult,
  type SubRun,
  tool,
} from '@actkit/code-actions';
import { ToolCallingAgent } from '@actkit/json-actions';
import { ScriptedModel } from '@actkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LocalExecutor } from '../src/index.js';

const price = tool({ name: 'get_price', description: 'Price of an item in EUR.', input: z.object({ item: z.string() }), run: ({ item }) => (item === 'tea' ? 3 : 5) });
const answer = (value: unknown) => ({ toolCalls: [{ name: 'final_answer', input: { answer: value } }] });

const executors: LocalExecutor[] = [];
function executor(timeoutMs = 2000) {
  const e = new LocalExecutor({ timeoutMs });
  executors.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
});

describe('agent features on CodeAgent', () => {
  it('calls a managed agent from code, plans, and validates structured output', async () => {
    const researcher = new ToolCallingAgent({
      name: 'researcher',
      description: 'Finds the price of one item.',
      model: new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'cake' } }] }, answer(5)]),
      tools: [price],
    });
    const agent = new CodeAgent({
      model: new ScriptedModel([
        'Plan: ask the researcher, add the tea price.',
        '<code>\nconst cake = researcher({ task: "Price of cake?" });\nconst total = cake + get_price({ item: "tea" });\nfinal_answer({ total: String(total) })\n</code>',
        '<code>final_answer({ total })</code>',
      ]),
      tools: [price, researcher.asTool()],
      executor: executor(),
      planningInterval: 5,
      outputSchema: z.object({ total: z.number() }),
    });
    const result = await agent.run('Tea and cake?');
    expect(result.steps.map((s) => s.type)).toEqual(['task', 'planning', 'action', 'action']);
    const [first, second] = actionSteps(result);
    expect(first!.error?.name).toBe('FinalAnswerSchemaMismatch');
    expect(first!.codeToolCalls![0]!.subRun).toBeDefined();
    expect(second!.finalAnswer).toEqual({ value: { total: 8 } });
    expect(result.output).toEqual({ total: 8 });
  });

  it('nests managed agents two deep from code, keeping sub-runs, usage and their events', async () => {
    const researcherModel = new ScriptedModel([{ toolCalls: [{ name: 'get_price', input: { item: 'tea' } }] }, answer(3)]);
    const researcher = new ToolCallingAgent({ name: 'researcher', description: 'Finds one price.', model: researcherModel, tools: [price] });
    const leadModel = new ScriptedModel(['<code>\nconst p = researcher({ task: "tea" });\nfinal_answer(`tea: ${p}`)\n</code>']);
    const lead = new CodeAgent({ name: 'lead', description: 'Leads the research.', model: leadModel, executor: executor(), managedAgents: [researcher] });
    const bossModel = new ScriptedModel(['<code>\nconst report = lead({ task: "Price of tea?" });\nconsole.log(report);\nfinal_answer(report)\n</code>']);
    const boss = new CodeAgent({ model: bossModel, executor: executor(), managedAgents: [lead] });

    const events: RunEvent[] = [];
    const stream = boss.stream('Tea?');
    for await (const e of stream) events.push(e);
    const result = await stream.result;
    expect(result.output).toBe('tea: 3');
    const leadRun = actionSteps(result)[0]!.codeToolCalls![0]!.subRun as RunResult;
    const researcherRun = actionSteps(leadRun)[0]!.codeToolCalls![0]!.subRun as RunResult;
    expect(actionSteps(researcherRun)[0]!.toolCalls[0]!.output).toBe(3);
    // Usage adds up level by level: each run's own model calls plus the runs it called.
    const own = (m: ScriptedModel) => m.calls.reduce((sum, c) => sum + Math.ceil(JSON.stringify(c.messages).length / 4), 0);
    expect(researcherRun.usage.inputTokens.total).toBe(own(researcherModel));
    expect(leadRun.usage.inputTokens.total).toBe(own(leadModel) + own(researcherModel));
    expect(result.usage.inputTokens.total).toBe(own(bossModel) + own(leadModel) + own(researcherModel));
    // The researcher's tool call reached the boss's stream, two levels down.
    const deep = events.flatMap((e) => (e.type === 'managed-agent' && e.event.type === 'managed-agent' ? [e.event.event] : []));
    expect(deep.some((e) => e.type === 'tool-result' && e.toolName === 'get_price')).toBe(true);
    expect(inspectRun(result).calls.map((c) => c.agentPath.join('/'))).toEqual(['', 'lead', 'lead/researcher', 'lead/researcher']);
    expect(formatRun(result)).toContain('┌ lead: success · 1 step ·');
  });

  it('a failing managed agent is an error the code can catch; the sub-run is kept', async () => {
    const broken = new ToolCallingAgent({ name: 'broken', description: 'Fails.', model: new ScriptedModel([{ error: new Error('model down') }]) });
    const agent = new CodeAgent({
      model: new ScriptedModel([
        '<code>\ntry { broken({ task: "x" }) } catch (e) { console.log("caught:", e.message) }\n</code>',
        '<code>final_answer("recovered")</code>',
      ]),
      executor: executor(),
      managedAgents: [broken],
    });
    const result = await agent.run('go');
    expect(result.output).toBe('recovered');
    const [first] = actionSteps(result);
    expect(first!.observation).toMatch(/caught: .*model down/);
    const call = first!.codeToolCalls![0]!;
    expect(call.error?.message).toMatch(/model down/);
    expect((call.subRun as SubRun).state).toBe('failed');
  });

  it('runs calls made at once (Promise.all) to the same managed agent one after another', async () => {
    const researcher = new ToolCallingAgent({ name: 'researcher', description: 'Finds a price.', model: new ScriptedModel([answer('A'), answer('B')]) });
    const agent = new CodeAgent({
      model: new ScriptedModel(['<code>\nconst [a, b] = await Promise.all([researcher({ task: "a" }), researcher({ task: "b" })]);\nfinal_answer(a + b)\n</code>']),
      executor: executor(),
      managedAgents: [researcher],
    });
    const result = await agent.run('go');
    expect(result.output).toBe('AB');
    const runs = actionSteps(result)[0]!.codeToolCalls!.map((c) => c.subRun as RunResult);
    expect(runs[1]!.timing.startedAt).toBeGreaterThanOrEqual(runs[0]!.timing.endedAt);
  });

  it('checks reject an answer from code; hooks see the step and can stop; the logger shows the code', async () => {
    const lines: string[] = [];
    const steps: ActionStep[] = [];
    const agent = new CodeAgent({
      model: new ScriptedModel(['<code>\nconsole.log("thinking");\nfinal_answer(-1)\n</code>', '<code>final_answer(2)</code>']),
      executor: executor(),
      finalAnswerChecks: [(a) => (a as number) > 0 || 'must be positive'],
      hooks: { onStepEnd: (step) => void steps.push(step) },
    });
    const result = await agent.run('go', { hooks: createConsoleLogger({ color: false, write: (t) => lines.push(t) }) });
    expect(result.output).toBe(2);
    expect(steps[0]!.error?.message).toBe('Your final answer was rejected: must be positive. Keep working, then answer again.');
    const text = lines.join('');
    expect(text).toContain('Code:\n  1  console.log("thinking");\n  2  final_answer(-1)');
    expect(text).toContain('Output:\n  │ thinking');
    expect(text).toContain('Error: Your final answer was rejected: must be positive.');
    expect(text).toContain('✔ Final answer: 2');

    const stopped = await new CodeAgent({
      model: new ScriptedModel(['<code>console.log(1)</code>'], { loop: true }),
      executor: executor(),
      hooks: { onStepEnd: (_s, { stop }) => stop('one is enough') },
    }).run('go');
    expect(stopped).toMatchObject({ state: 'stopped', stopReason: 'one is enough' });
  });

  it('stops a long code action when aborted, and a new agent resumes from the saved memory', async () => {
    const controller = new AbortController();
    const first = new CodeAgent({
      model: new ScriptedModel(['<code>\nconst start = 40;\nwhile (true) {}\n</code>']),
      // A time limit far beyond the test's: the loop ends only through the abort.
      executor: executor(600_000),
    });
    setTimeout(() => controller.abort(), 100);
    const stopped = await first.run('Count from 40.', { signal: controller.signal });
    expect(stopped.state).toBe('aborted');
    const saved = JSON.stringify(first.memory.toJSON());

    const model = new ScriptedModel(['<code>final_answer(40 + 2)</code>']);
    const second = new CodeAgent({ model, executor: executor(), memory: AgentMemory.fromJSON(saved) });
    const resumed = await second.resume().result;
    expect(resumed).toMatchObject({ state: 'success', output: 42 });
    expect(JSON.stringify(model.calls[0]!.messages)).toContain('while (true)');
  });

  it('asks once for a best answer at the step limit', async () => {
    const model = new ScriptedModel(['<code>console.log(1)</code>', '<code>console.log(2)</code>', 'My best guess is 3.']);
    const result = await new CodeAgent({ model, executor: executor(), maxSteps: 2 }).run('go');
    expect(result).toMatchObject({ state: 'max_steps', output: 'My best guess is 3.' });
    expect(model.calls).toHaveLength(3);
  });
});
