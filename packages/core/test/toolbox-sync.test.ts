import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Toolbox, ToolCallDeniedError, ToolExecutionError, ToolInputError, ToolOutputError, tool } from '../src/index.js';

const options = { signal: new AbortController().signal, toolCallId: 'c1' };
const isPromise = (value: unknown) => value instanceof Promise;

const echo = tool({ name: 'echo', description: 'Echoes.', input: z.object({ i: z.number() }), run: ({ i }) => ({ i }) });
const echoLater = tool({ name: 'echo_later', description: 'Echoes later.', input: z.object({ i: z.number() }), run: async ({ i }) => ({ i }) });
const checkedLater = tool({
  name: 'checked_later',
  description: 'An async refinement.',
  input: z.object({ i: z.number() }).refine(async ({ i }) => i >= 0, 'i must not be negative'),
  run: ({ i }) => ({ i }),
});
const lookup = (i: number) => {
  if (i > 100) throw new Error('the lookup service is down');
  return i >= 0;
};
const checkedNow = tool({ name: 'checked_now', description: 'A refinement.', input: z.object({ i: z.number() }).refine(({ i }) => lookup(i)), run: ({ i }) => ({ i }) });
const checkedLaterFailing = tool({
  name: 'checked_later_failing',
  description: 'An async refinement that may fail.',
  input: z.object({ i: z.number() }).refine(async ({ i }) => lookup(i)),
  run: ({ i }) => ({ i }),
});
const throws = tool({
  name: 'throws',
  description: 'Fails.',
  input: z.object({}),
  run: () => {
    throw new Error('boom');
  },
});
const badOutput = tool({ name: 'bad_output', description: 'Wrong output.', input: z.object({}), output: z.object({ n: z.number() }), run: () => ({ n: 'x' }) as unknown as { n: number } });
const circular = tool({
  name: 'circular',
  description: 'Unserialisable output.',
  input: z.object({}),
  run: () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    return a;
  },
});

describe('Toolbox.call answers synchronously when every part does', () => {
  const toolbox = new Toolbox([echo, echoLater, checkedLater, checkedNow, checkedLaterFailing, throws, badOutput, circular]);

  it('gives a plain outcome for a synchronous tool and schema, a promise of the same outcome otherwise', async () => {
    const now = toolbox.call('echo', { i: 1 }, options);
    expect(isPromise(now)).toBe(false);
    expect(now).toEqual({ ok: true, output: { i: 1 }, input: { i: 1 } });

    const later = toolbox.call('echo_later', { i: 1 }, options);
    expect(isPromise(later)).toBe(true);
    expect(await later).toEqual({ ok: true, output: { i: 1 }, input: { i: 1 } });

    const refined = toolbox.call('checked_later', { i: 2 }, options);
    expect(isPromise(refined)).toBe(true);
    expect(await refined).toEqual({ ok: true, output: { i: 2 }, input: { i: 2 } });
    // The schema's async refinement still runs (and rejects) on later calls.
    const refused = await toolbox.call('checked_later', { i: -1 }, options);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toBeInstanceOf(ToolInputError);
  });

  it('answers a refinement that throws or rejects with a ToolExecutionError outcome, never a throw or rejection', async () => {
    for (const name of ['checked_now', 'checked_later_failing']) {
      expect(await toolbox.call(name, { i: 1 }, options)).toEqual({ ok: true, output: { i: 1 }, input: { i: 1 } });
      const failed = await toolbox.call(name, { i: 101 }, options);
      expect(failed.ok).toBe(false);
      if (!failed.ok) {
        expect(failed.error).toBeInstanceOf(ToolExecutionError);
        expect(failed.error.message).toMatch(new RegExp(`${name}.*lookup service is down`));
        expect(failed.input).toEqual({ i: 101 });
      }
    }
  });

  it('keeps the errors of the asynchronous path: input, throw, output schema, unserialisable output, unknown tool', () => {
    const outcomes = {
      input: toolbox.call('echo', { i: 'x' }, options),
      thrown: toolbox.call('throws', {}, options),
      output: toolbox.call('bad_output', {}, options),
      circular: toolbox.call('circular', {}, options),
      unknown: toolbox.call('nope', {}, options),
    };
    for (const outcome of Object.values(outcomes)) expect(isPromise(outcome)).toBe(false);
    const error = (outcome: unknown) => (outcome as { ok: false; error: Error }).error;
    expect(error(outcomes.input)).toBeInstanceOf(ToolInputError);
    expect(error(outcomes.thrown)).toBeInstanceOf(ToolExecutionError);
    expect(error(outcomes.thrown).message).toMatch(/boom/);
    expect(error(outcomes.output).message).toMatch(/bad_output.*output schema/);
    expect(error(outcomes.circular)).toBeInstanceOf(ToolOutputError);
    expect(error(outcomes.unknown).message).toMatch(/nope/);
  });

  it("waits for the scope's approval when it returns a promise, and takes a synchronous refusal at once", async () => {
    const denied = new ToolCallDeniedError('echo', 'not now');
    const refusedNow = toolbox.call('echo', { i: 1 }, { ...options, approve: () => denied });
    expect(refusedNow).toEqual({ ok: false, error: denied, input: { i: 1 } });
    const approvedNow = toolbox.call('echo', { i: 1 }, { ...options, approve: () => undefined });
    expect(approvedNow).toEqual({ ok: true, output: { i: 1 }, input: { i: 1 } });
    const approvedLater = toolbox.call('echo', { i: 1 }, { ...options, approve: async () => undefined });
    expect(isPromise(approvedLater)).toBe(true);
    expect(await approvedLater).toEqual({ ok: true, output: { i: 1 }, input: { i: 1 } });
  });

  it("hands the tool the scope's ids, context and sub-run reporter, and asks approval with the validated input", () => {
    const seen: unknown[] = [];
    const reporter = { reportEvent: (e: unknown) => seen.push(['event', e]), reportResult: (r: unknown) => seen.push(['result', r]) };
    const reporting = tool({
      name: 'reporting',
      description: 'Reports a sub-run.',
      input: z.object({ n: z.coerce.number() }),
      run: ({ n }, context) => {
        context.subRun?.reportEvent({ n });
        context.subRun?.reportResult({ done: n });
        return { key: context.idempotencyKey, id: context.toolCallId, user: context.context?.user };
      },
    });
    const approved: unknown[] = [];
    const outcome = new Toolbox([reporting]).call(
      'reporting',
      { n: '3' },
      { ...options, idempotencyKey: 'run/1/c1', context: { user: 'u1' }, subRun: reporter, approve: (t, input) => void approved.push([t.name, input]) },
    );
    expect(outcome).toEqual({ ok: true, output: { key: 'run/1/c1', id: 'c1', user: 'u1' }, input: { n: 3 } });
    expect(approved).toEqual([['reporting', { n: 3 }]]);
    expect(seen).toEqual([
      ['event', { n: 3 }],
      ['result', { done: 3 }],
    ]);
  });
});

describe('Toolbox.answersAtOnce', () => {
  it('says yes for a tool that says it is synchronous, and then its calls are plain outcomes', () => {
    const counter = tool({ name: 'counter', description: 'Counts.', input: z.object({ i: z.number() }), synchronous: true, run: ({ i }) => i + 1 });
    const toolbox = new Toolbox([counter, echo, echoLater]);
    expect(toolbox.answersAtOnce('counter')).toBe(true);
    expect(toolbox.call('counter', { i: 1 }, options)).toEqual({ ok: true, output: 2, input: { i: 1 } });
    // Answered at once here too, but not promised: the tool may change its mind.
    expect(toolbox.answersAtOnce('echo')).toBe(false);
    expect(toolbox.answersAtOnce('echo_later')).toBe(false);
    expect(toolbox.answersAtOnce('missing')).toBe(false);
  });

  it('says no for a hand-made tool that says it is synchronous but may wait', () => {
    const base = { description: 'Made by hand.', input: z.object({}), synchronous: true, run: () => 1 };
    const toolbox = new Toolbox([
      { ...base, name: 'plain' },
      { ...base, name: 'approved', needsApproval: true },
      { ...base, name: 'later', run: async () => 1 },
      { ...base, name: 'refined', input: z.object({}).refine(() => true) },
    ]);
    expect(['plain', 'approved', 'later', 'refined'].map((name) => toolbox.answersAtOnce(name))).toEqual([true, false, false, false]);
  });

  it('puts wrappers around every later call, the last added outermost, and then answers none at once', async () => {
    const counter = tool({ name: 'counter', description: 'Counts.', input: z.object({ i: z.number() }), synchronous: true, run: ({ i }) => i + 1 });
    const toolbox = new Toolbox([counter]);
    const seen: string[] = [];
    toolbox.wrapCalls((name, input, scope, next) => (seen.push(`inner ${name}`), next(name, input, scope)));
    toolbox.wrapCalls(async (name, input, scope, next) => {
      seen.push(`outer ${name}`);
      // A wrapper may answer itself (a journal replaying a recorded call).
      if ((input as { i: number }).i < 0) return { ok: true, output: 'replayed', input };
      return next(name, input, scope);
    });
    expect(toolbox.answersAtOnce('counter')).toBe(false);
    expect(await toolbox.call('counter', { i: 1 }, options)).toEqual({ ok: true, output: 2, input: { i: 1 } });
    expect(await toolbox.call('counter', { i: -1 }, options)).toMatchObject({ ok: true, output: 'replayed' });
    expect(seen).toEqual(['outer counter', 'inner counter', 'outer counter']);
  });
});
