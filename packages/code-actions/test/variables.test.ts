import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentConfigError, ChildProcessSandboxProvider, CodeAgent, RunnerExecutor, tool } from '../src/index.js';
import { inferSchema } from '../src/agent/variables.js';
import { prepareAction } from '../src/sandbox/host.js';
import { jsonSchemaToTypeScript } from '@actkit/core';

const typeOf = (value: unknown) => jsonSchemaToTypeScript(inferSchema(value)).replace(/\s+/g, ' ');

describe('types inferred from variable values', () => {
  it('describes primitives, arrays and objects as TypeScript', () => {
    expect(typeOf(3)).toBe('number');
    expect(typeOf(['a'])).toBe('string[]');
    expect(typeOf({ id: 1, name: 'x', tags: ['a'] })).toMatch(/^\{ id: number; name: string; tags: string\[\];? \}$/);
  });

  it('merges the elements of an array: a field missing from some is optional, mixed types are a union', () => {
    const type = typeOf([
      { id: 1, note: 'x' },
      { id: 2, note: null },
      { id: 3, extra: true },
    ]);
    expect(type).toContain('id: number');
    expect(type).toMatch(/note\?: (string \| null|null \| string)/);
    expect(type).toMatch(/extra\?: boolean/);
  });
});

describe('the action request of a run with variables', () => {
  const handle = { id: 'run-1', names: ['rows'], json: JSON.stringify({ rows: [{ a: 1, __proto__: 2 }] }).replace('"a"', '"__proto__"') };
  it('carries the data only when asked, as JSON beside the code, never compiled into it', async () => {
    const withData = await prepareAction('rows.length', { tools: [], maxLogChars: 100, filename: 'a.js', variables: { handle, withData: true } });
    const check = await prepareAction('rows.length', { tools: [], maxLogChars: 100, filename: 'a.js', variables: { handle, withData: false } });
    expect(withData.ok && withData.request.variables).toEqual({ id: 'run-1', json: handle.json });
    expect(withData.ok && withData.request.code).not.toContain('__proto__');
    // A later step's request does not grow with the data: only the run's id is checked.
    expect(check.ok && check.request.variables).toEqual({ id: 'run-1' });
    expect(check.ok && check.json.length).toBeLessThan(600);
  });
});

describe('CodeAgent run variables', { timeout: 60_000 }, () => {
  it('lists them in the task with their types and makes them globals of the code', async () => {
    const orders = [
      { id: 1, total: 10 },
      { id: 2, total: 32 },
    ];
    const model = new ScriptedModel(['<code>\nconst sum = orders.reduce((s, o) => s + o.total, 0);\n</code>', '<code>\nfinal_answer(sum * prices.rate)\n</code>']);
    const agent = new CodeAgent({ model, tools: [], executor: new RunnerExecutor(new ChildProcessSandboxProvider(), { memoryLimitMb: 64 }) });
    try {
      const result = await agent.run('Total the orders at the rate.', {
        variables: { orders, prices: { rate: 2, currency: 'EUR' } },
        variableSchemas: { prices: z.object({ rate: z.number().describe('Multiplier'), currency: z.enum(['EUR', 'USD']) }) },
      });
      expect(result.output).toBe(84);
      const task = result.steps.find((s) => s.type === 'task');
      expect(task?.type === 'task' && task.task).toMatch(/^Total the orders at the rate\.\n\nYour code can use these global variables/);
      const prompt = JSON.stringify(model.calls[0]?.messages);
      expect(prompt).toContain('declare const orders:');
      expect(prompt).toMatch(/declare const prices: \{[^}]*currency: \\"EUR\\" \| \\"USD\\"/);
    } finally {
      await agent.close();
    }
  });

  it('refuses a variable that hides a tool, a bad name, a value that does not match its schema, or a non-JSON value', async () => {
    const lookup = tool({ name: 'lookup', description: 'Looks up.', input: z.object({ q: z.string() }), run: () => 'x' });
    const agent = new CodeAgent({ model: new ScriptedModel(['<code>\nfinal_answer(1)\n</code>'], { loop: true }), tools: [lookup], executor: new RunnerExecutor(new ChildProcessSandboxProvider()) });
    try {
      await expect(agent.run('t', { variables: { lookup: 1 } })).rejects.toThrow(/name of a tool/);
      await expect(agent.run('t', { variables: { 'not-a-name': 1 } })).rejects.toThrow(AgentConfigError);
      await expect(agent.run('t', { variables: { n: 'x' }, variableSchemas: { n: z.number() } })).rejects.toThrow(/does not match its schema/);
      await expect(agent.run('t', { variables: { n: 1n } })).rejects.toThrow(/JSON-serialisable/);
      // A global named __proto__ would set the sandbox global's prototype, not define a variable.
      await expect(agent.run('t', { variables: JSON.parse('{"__proto__": {"x": 1}}') })).rejects.toThrow(AgentConfigError);
    } finally {
      await agent.close();
    }
  });
});
