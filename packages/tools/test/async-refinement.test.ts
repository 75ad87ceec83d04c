import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkToolInput, checkToolOutput, tool, validateToolInput, validateToolOutput } from '../src/index.js';

/*
 * A schema's async refinement that rejects must reach the caller as a rejected promise, like a
 * synchronous refinement's throw does, and never as an unhandled rejection (vitest fails a run
 * that has one, so these tests fail if a validation starts a refinement and drops its promise).
 */

const lookupFailed = () => new Error('the lookup service is down');

describe('a schema refinement that throws', () => {
  it('rejects validateToolInput with its error, on the first call of a schema and on later ones', async () => {
    let runs = 0;
    const guarded = tool({
      name: 'guarded',
      description: 'Checks its input against a service.',
      input: z.object({ id: z.string() }).refine(async () => {
        runs++;
        throw lookupFailed();
      }, 'unknown id'),
      run: (input) => input,
    });
    await expect(validateToolInput(guarded, { id: 'a' })).rejects.toThrow(/lookup service is down/);
    await expect(validateToolInput(guarded, '{"id":"b"}')).rejects.toThrow(/lookup service is down/);
    // Each validation runs the refinement once: none is started and dropped by a synchronous attempt.
    expect(runs).toBe(2);
  });

  it('rejects for an async refinement that only some values reach (an optional field)', async () => {
    const guarded = tool({
      name: 'maybe_guarded',
      description: 'Checks a URL only when one is given.',
      input: z.object({
        url: z
          .string()
          .refine(async () => {
            throw lookupFailed();
          })
          .optional(),
      }),
      run: (input) => input,
    });
    expect(await validateToolInput(guarded, {})).toEqual({ success: true, value: {} });
    await expect(validateToolInput(guarded, { url: 'https://example.com' })).rejects.toThrow(/lookup service is down/);
  });

  it('rejects the same way when the refinement is synchronous (the error is the refinement’s own)', async () => {
    const error = lookupFailed();
    const guarded = tool({
      name: 'sync_guarded',
      description: 'Checks its input synchronously.',
      input: z.object({ id: z.string() }).refine(() => {
        throw error;
      }),
      run: (input) => input,
    });
    await expect(validateToolInput(guarded, { id: 'a' })).rejects.toBe(error);
  });

  it('rejects validateToolOutput and checkToolOutput for an output schema whose async refinement throws', async () => {
    const checked = tool({
      name: 'checked_output',
      description: 'Its output is checked against a service.',
      input: z.object({}),
      output: z.object({ n: z.number() }).refine(async () => {
        throw lookupFailed();
      }),
      run: () => ({ n: 1 }),
    });
    await expect(validateToolOutput(checked, { n: 1 })).rejects.toThrow(/lookup service is down/);
    const direct = checkToolOutput(checked, { n: 2 });
    expect(direct).toBeInstanceOf(Promise);
    await expect(direct).rejects.toThrow(/lookup service is down/);
  });

  it('rejects for an async transform that throws, as for a refinement', async () => {
    const converted = tool({
      name: 'converted',
      description: 'Converts its input through a service.',
      input: z.object({
        amount: z.number().transform(async () => {
          throw lookupFailed();
        }),
      }),
      run: (input) => input,
    });
    await expect(validateToolInput(converted, { amount: 1 })).rejects.toThrow(/lookup service is down/);
  });

  it('still answers a refused async refinement as a ToolInputError', async () => {
    const positive = tool({
      name: 'positive',
      description: 'd',
      input: z.object({ n: z.number() }).refine(async ({ n }) => n > 0, 'n must be positive'),
      run: (input) => input,
    });
    const refused = await checkToolInput(positive, { n: -1 });
    expect(refused.success).toBe(false);
    if (!refused.success) {
      expect(refused.error.name).toBe('ToolInputError');
      expect(refused.error.message).toMatch(/positive.*n must be positive/);
    }
  });
});

describe('schemaMayAwait', () => {
  it('finds a refinement or transform anywhere in a schema, and passes plain schemas', async () => {
    const { schemaMayAwait } = await import('../src/schema-may-await.js');
    const refined = z.string().refine(async () => true);
    const plain = [
      z.object({ a: z.string().min(1).email(), b: z.array(z.number().int()).optional(), c: z.enum(['x', 'y']).default('x') }),
      z.union([z.literal(1), z.tuple([z.string(), z.boolean()])]),
      z.record(z.string(), z.object({ d: z.date().nullable() })).catch({}),
      z.lazy(() => z.string()),
    ];
    for (const schema of plain) expect(schemaMayAwait(schema)).toBe(false);
    const tree: z.ZodType = z.object({ name: z.string(), get children() { return z.array(tree); } });
    expect(schemaMayAwait(tree)).toBe(false);

    const withCode = [
      z.object({ deep: z.object({ deeper: z.array(refined) }) }),
      z.object({}).superRefine(() => {}),
      z.string().check(() => {}),
      z.custom<string>(() => true),
      z.string().transform(Number),
      z.preprocess((v) => v, z.string()),
      z.codec(z.string(), z.number(), { decode: Number, encode: String }),
      z.union([z.number(), z.tuple([z.string(), refined])]),
      z.record(z.string(), refined),
      z.lazy(() => z.object({ a: refined })),
      z.promise(z.string()),
    ];
    for (const schema of withCode) expect(schemaMayAwait(schema)).toBe(true);
    const refinedTree: z.ZodType = z.object({ name: refined, get children() { return z.array(refinedTree); } });
    expect(schemaMayAwait(refinedTree)).toBe(true);
  });
});
