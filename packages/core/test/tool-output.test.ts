import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { boundForMemory, toJsonOutput } from '../src/tool-output.js';
import { type ActionStep, AgentMemory, MultiStepAgent, type StepContext, Toolbox, tool, ToolOutputError } from '../src/index.js';
import { listModel } from './list-model.js';

const returning = (value: () => unknown) => tool({ name: 'odd', description: 'Returns an odd value.', input: z.object({}), run: value });
const call = (value: () => unknown) =>
  new Toolbox([returning(value)]).call('odd', {}, { signal: new AbortController().signal, toolCallId: 'c1' });

const circular = () => {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = { back: a };
  return a;
};
const deep = (n: number) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = { v };
  return v;
};

describe("a tool's output is converted to JSON once, where the tool is called", () => {
  it('turns BigInt into its digits, Map into an object, Set into an array, and keeps JSON semantics', async () => {
    const outcome = await call(() => ({
      big: 2n ** 80n,
      list: [1n, undefined, () => 1],
      map: new Map([['k', 1n]]),
      set: new Set(['x']),
      when: new Date('2026-01-02T00:00:00Z'),
      dropped: undefined,
    }));
    expect(outcome).toMatchObject({
      ok: true,
      output: { big: '1208925819614629174706176', list: ['1', null, null], map: { k: '1' }, set: ['x'], when: '2026-01-02T00:00:00.000Z' },
    });
    expect(Object.keys((outcome as { output: object }).output)).not.toContain('dropped');
    expect(await call(() => 7n)).toMatchObject({ ok: true, output: '7' });
  });

  it.each([
    ['circular', circular, /Tool "odd" returned a value that cannot be sent as JSON: it is circular \(\$\.self\.back refers back/],
    ['a throwing toJSON', () => ({ x: { toJSON: () => { throw new Error('no JSON for you'); } } }), /toJSON\(\) of \$\.x threw: no JSON for you/],
    ['a function', () => () => 1, /it is a function \(was it meant to be called\?\)/],
    ['5000 levels deep', () => deep(5000), /nested deeper than 256 levels/],
    ['a throwing getter', () => ({ get boom() { throw new Error('getter failed'); } }), /getter failed/],
  ])('makes %s a tool error the model sees, not a model-call error', async (_, value, message) => {
    const outcome = await call(value);
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: Error }).error;
    expect(error).toBeInstanceOf(ToolOutputError);
    expect(error.message).toMatch(message);
  });

  it('leaves file parts as they are', () => {
    const file = { type: 'file', mediaType: 'image/png', data: new Uint8Array([1, 2]) };
    expect(toJsonOutput('t', ['see', file])).toEqual(['see', file]);
  });

  it('bounds what memory keeps of a huge output, with a note; small ones and files stay whole', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `row ${i}`, payload: "x".repeat(200) }));
    const kept = boundForMemory(rows, 20_000) as string;
    expect(typeof kept).toBe('string');
    expect(kept.length).toBeLessThan(21_000);
    expect(kept).toMatch(/characters truncated/);
    expect(kept).toMatch(/\[The output was \d+ characters of JSON; memory keeps this much of it\.\]$/);
    expect(boundForMemory('y'.repeat(50_000), 20_000)).toMatch(/characters truncated/);
    expect(boundForMemory({ a: 1 }, 20_000)).toEqual({ a: 1 });
    const file = { type: 'file', mediaType: 'image/png', data: 'A'.repeat(100_000) };
    expect(boundForMemory(file, 20_000)).toBe(file);
  });
});

/** Calls the tool named by the model's reply; the observation is its output. */
class CallingAgent extends MultiStepAgent {
  protected override buildSystemPrompt(): string {
    return 'Call.';
  }
  protected override async executeStep(step: ActionStep, context: StepContext): Promise<void> {
    await context.callModel();
    const name = step.modelOutput!.text;
    if (name === 'done') {
      step.finalAnswer = { value: 'done' };
      return;
    }
    const { record } = await context.callTool({ toolCallId: `c${step.stepNumber}`, toolName: name, input: {} });
    step.toolCalls.push(record);
    step.observation = record.error ? `error: ${record.error.message}` : JSON.stringify(record.output);
  }
}

describe('odd tool outputs in a run', () => {
  it('keep memory serialisable (the save-in-onStepEnd hook works at every step), and huge ones bounded', async () => {
    const tools = [
      tool({ name: 'big', description: 'A BigInt.', input: z.object({}), run: () => ({ n: 10n ** 30n }) }),
      tool({ name: 'loop', description: 'Circular.', input: z.object({}), run: circular }),
      tool({ name: 'huge', description: '50 MB.', input: z.object({}), run: () => 'z'.repeat(50 * 1024 * 1024) }),
    ];
    const saved: string[] = [];
    const agent = new CallingAgent({
      model: listModel(['big', 'loop', 'huge', 'done']),
      tools,
      hooks: { onStepEnd: (_step, { memory }) => void saved.push(JSON.stringify(memory.toJSON())) },
    });
    const result = await agent.run('go');
    expect(result.state).toBe('success');
    expect(saved).toHaveLength(4);
    const [big, loop, huge] = result.steps.filter((s): s is ActionStep => s.type === 'action').map((s) => s.toolCalls[0]!);
    expect(big!.output).toEqual({ n: '1000000000000000000000000000000' });
    expect(loop!.error).toMatchObject({ name: 'ToolOutputError' });
    expect((huge!.output as string).length).toBeLessThan(21_000);
    expect(saved.at(-1)!.length).toBeLessThan(200_000);
    expect(AgentMemory.fromJSON(JSON.parse(saved.at(-1)!)).actionSteps).toHaveLength(4);
  });
});
