import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyUsage } from '@actkit/core';
import { describe, expect, it } from 'vitest';
import {
  builtinTools,
  checkAnswer,
  costOf,
  createAgent,
  createModel,
  formatApprovalPolicy,
  formatCost,
  loadExtraTools,
  loadTaskSet,
  parseApprovalPolicy,
  pickTools,
  policyDecision,
  resolveModel,
  SetupError,
} from '../src/index.js';

const run = (name: string, input: unknown) => builtinTools[name]!.run(input as never, {} as never);

describe('demo tools', () => {
  it('compute, look up and decode deterministically', async () => {
    expect(await run('calculator', { a: 6, op: '*', b: 7 })).toBe(42);
    expect(() => run('calculator', { a: 1, op: '/', b: 0 })).toThrow('division by zero');
    expect(await run('get_exchange_rate', { from: 'eur', to: 'GBP' })).toBe(0.85);
    expect(await run('caesar_shift', { text: 'Abc, xyz!', shift: 3 })).toBe('Def, abc!');
    expect(await run('caesar_shift', { text: 'Def', shift: -3 })).toBe('Abc');
    expect(await run('hex_to_text', { hex: '68 69' })).toBe('hi');
    expect(await run('reverse_complement', { sequence: 'ATGC' })).toBe('GCAT');
    expect(await run('translate_dna', { sequence: 'ATGTGGTAA' })).toBe('MW*');
    expect(await run('flight_price', { from: 'berlin', to: 'Rome' })).toBe(110);
    expect(() => run('flight_price', { from: 'Berlin', to: 'Oslo' })).toThrow(/unknown city "Oslo"/);
    expect(await run('stock_price', { symbol: 'ACME', day: 4 })).toBe(47);
  });

  it('are picked by name, "all" or "none"; an unknown name is a usage error', () => {
    expect(pickTools(['calculator', 'clock']).map((t) => t.name)).toEqual(['calculator', 'clock']);
    expect(pickTools(['all'])).toHaveLength(Object.keys(builtinTools).length);
    expect(pickTools(['none'])).toEqual([]);
    expect(() => pickTools(['laser'])).toThrow(expect.objectContaining({ kind: 'usage', message: expect.stringMatching(/Unknown tool "laser"\. Available: calculator/) }));
  });
});

describe('answer checks', () => {
  it('find a number within tolerance and texts in any case', () => {
    expect(checkAnswer({ number: 3.69, tolerance: 0.006 }, '3.69 EUR').ok).toBe(true);
    expect(checkAnswer({ number: 3.69, tolerance: 0.006 }, { total: 3.694 }).ok).toBe(true);
    expect(checkAnswer({ number: 2916 }, 'That is 2,916 JPY').ok).toBe(true);
    expect(checkAnswer({ number: 3.69 }, '3.7')).toEqual({ ok: false, reason: 'no number within 1e-9 of 3.69 in the answer' });
    expect(checkAnswer({ contains: ['day 4', 'Day 6'] }, 'Buy on Day 4, sell on day 6').ok).toBe(true);
    expect(checkAnswer({ number: 14.5, contains: ['day 4'] }, 'day 4, 13 EUR')).toMatchObject({ ok: false });
    expect(checkAnswer({ contains: ['R2'] }, 'R3').reason).toBe('the answer lacks "R2"');
  });
});

describe('prices', () => {
  const usage = (input: number, output: number, cacheRead = 0) => ({
    ...emptyUsage(),
    inputTokens: { total: input, noCache: undefined, cacheRead, cacheWrite: undefined },
    outputTokens: { total: output, text: undefined, reasoning: undefined },
  });
  it('cost known models (dated ids too) and nothing for unknown ones', () => {
    expect(costOf('gpt-4.1-mini', usage(1_000_000, 1_000_000))).toBeCloseTo(2.0);
    expect(costOf('gpt-4.1-mini-2025-04-14', usage(1_000_000, 0, 500_000))).toBeCloseTo(0.25);
    expect(costOf('llama3.2', usage(1000, 1000))).toBeUndefined();
    expect(formatCost(0.0123456)).toBe('$0.0123');
    expect(formatCost(0.000123456)).toBe('$0.00012');
  });
});

describe('model choice', () => {
  const none = {} as NodeJS.ProcessEnv;
  it('follows flags, prefixes, model families, and keys in the environment', () => {
    expect(resolveModel({ model: 'scripted' }, none)).toMatchObject({ provider: 'scripted' });
    expect(resolveModel({ model: 'claude-sonnet-5-5' }, { ANTHROPIC_API_KEY: 'k' })).toMatchObject({ provider: 'anthropic', apiKey: 'k' });
    expect(resolveModel({ model: 'openai:llama3.2', baseUrl: 'http://localhost:11434/v1' }, none)).toMatchObject({
      provider: 'openai',
      modelId: 'llama3.2',
      label: 'openai llama3.2 at http://localhost:11434/v1',
    });
    expect(resolveModel({}, { OPENAI_API_KEY: 'k' })).toMatchObject({ provider: 'openai', modelId: 'gpt-4.1-mini' });
    expect(resolveModel({ apiKeyEnv: 'ROUTER_KEY', baseUrl: 'https://router.example/v1', model: 'x/y' }, { ROUTER_KEY: 'r' })).toMatchObject({ apiKey: 'r' });
    expect(resolveModel({}, { OPENAI_API_KEY: 'k' }, 'scripted')).toMatchObject({ provider: 'scripted' });
  });

  it('reports a missing key or an unclear choice before anything runs', () => {
    const fails = (request: object, env: object, kind: string, message: RegExp) =>
      expect(() => resolveModel(request, env as NodeJS.ProcessEnv)).toThrow(expect.objectContaining({ kind, message: expect.stringMatching(message) }));
    fails({}, none, 'config', /No model is configured/);
    fails({ model: 'gpt-4.1' }, none, 'config', /OPENAI_API_KEY is not set/);
    fails({ provider: 'anthropic' }, none, 'config', /ANTHROPIC_API_KEY is not set/);
    fails({ model: 'gpt-4.1', apiKeyEnv: 'MY_KEY' }, none, 'config', /MY_KEY is not set/);
    fails({ provider: 'mistral' }, none, 'usage', /Unknown provider "mistral"/);
    fails({ model: 'llama3.2' }, none, 'usage', /Which provider serves "llama3.2"\?/);
    expect(() => createModel(resolveModel({ model: 'scripted' }, none))).toThrow(SetupError);
  });
});

describe('the built-in task set', () => {
  const tasks = loadTaskSet();

  it('holds M3ToolEval-style tasks with checkers and scripts for both agents', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(8);
    for (const t of tasks) expect(t.scripted?.tool.length && t.scripted.code.length).toBeTruthy();
  });

  // The offline demonstration is only honest if every script really solves its task.
  for (const kind of ['tool', 'code'] as const) {
    it(`is solved by the scripted ${kind} agent, every answer passing its checker`, async () => {
      for (const t of tasks) {
        const agent = await createAgent({ agent: kind, model: createModel({ provider: 'scripted', modelId: 'scripted', label: '' }, t.scripted![kind]), tools: pickTools(t.tools), maxSteps: 10 });
        try {
          const result = await agent.run(t.task);
          expect({ id: t.id, state: result.state, check: checkAnswer(t.expect, result.output) }).toEqual({ id: t.id, state: 'success', check: { ok: true } });
        } finally {
          await agent.close?.();
        }
      }
    });
  }

  it('is solved by the scripted code agent on the QuickJS executor too', { timeout: 120_000 }, async () => {
    for (const t of tasks) {
      const agent = await createAgent({ agent: 'code', executor: 'quickjs', model: createModel({ provider: 'scripted', modelId: 'scripted', label: '' }, t.scripted!.code), tools: pickTools(t.tools), maxSteps: 10 });
      try {
        const result = await agent.run(t.task);
        expect({ id: t.id, state: result.state, check: checkAnswer(t.expect, result.output) }).toEqual({ id: t.id, state: 'success', check: { ok: true } });
      } finally {
        await agent.close?.();
      }
    }
  });

  it('rejects a malformed task set with the task and field named', () => {
    const file = join(tmpdir(), `actkit-bad-tasks-${process.pid}.json`);
    writeFileSync(file, JSON.stringify([{ id: 'a', task: 'x', tools: ['laser'], expect: { number: 1 } }]));
    expect(() => loadTaskSet(file)).toThrow(/at 0\.tools\.0: unknown tool "laser"/);
    writeFileSync(file, JSON.stringify([{ id: 'a', task: 'x', tools: [], expect: {} }]));
    expect(() => loadTaskSet(file)).toThrow(/expect needs "number" or "contains"/);
    expect(() => loadTaskSet(join(tmpdir(), 'no-such-file.json'))).toThrow(/Cannot read the task set/);
  });
});

describe('approval policy (the CLI\'s --approve, the playground\'s form)', () => {
  it('reads a default mode and modes per tool, and decides by them', () => {
    const policy = parseApprovalPolicy('none, place_order=ask,refund=all');
    expect(policy).toEqual({ mode: 'none', perTool: { place_order: 'ask', refund: 'all' } });
    expect(formatApprovalPolicy(policy)).toBe('none,place_order=ask,refund=all');
    expect(policyDecision(policy, 'place_order')).toBe('ask');
    expect(policyDecision(policy, 'refund')).toEqual({ approved: true });
    expect(policyDecision(policy, 'delete_all')).toEqual({ approved: false, reason: 'calls of this tool are denied (--approve none)' });
    expect(parseApprovalPolicy('')).toEqual({ mode: 'ask', perTool: {} });
    expect(() => parseApprovalPolicy('maybe', 'approve')).toThrow(expect.objectContaining({ kind: 'usage', message: 'approve takes ask|all|none, or tool=ask|all|none per tool, not "maybe".' }));
  });
});

describe('extra tools', () => {
  it('loads a tools module relative to the folder given, and says what is wrong with a bad one', async () => {
    const dir = join(tmpdir(), `actkit-kit-tools-${process.pid}`);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'none.ts'), 'export const x = 1;\n');
    await expect(loadExtraTools(['./none.ts'], [], dir)).rejects.toThrow('./none.ts exports no actkit tools');
    await expect(loadExtraTools(['calculator'], [], dir)).rejects.toThrow('"calculator" is not a tools module');
    const none = await loadExtraTools([], []);
    expect(none.tools).toEqual([]);
    await none.close();
  });
});
