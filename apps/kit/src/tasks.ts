import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ScriptedReply } from '@actkit/testing';
import { z } from 'zod';
import { SetupError } from './errors.js';
import { scriptFrom } from './models.js';
import { builtinTools } from './tools.js';

/**
 * A comparison task: a question, the built-in tools it may use, a deterministic check of the
 * answer, and optionally the replies a scripted model gives each agent (offline demonstration).
 */
export interface Task {
  id: string;
  task: string;
  tools: string[];
  expect: Expectation;
  scripted?: { tool: ScriptedReply[]; code: ScriptedReply[] };
}

/**
 * What a correct answer holds: a number (± tolerance) somewhere in it, and/or texts it contains
 * (case-insensitive). Checks read the answer as text, so "3.69 EUR", 3.69 and {"total": 3.69} pass alike.
 */
export interface Expectation {
  number?: number;
  tolerance?: number;
  contains?: string[];
}

/** A task's schema; its tools must be among `toolNames` (the built-in ones and any the user added). */
function taskSchema(toolNames: readonly string[]) {
  const toolName = z.string().refine((name) => toolNames.includes(name), {
    error: (issue) => `unknown tool ${JSON.stringify(issue.input)} (tools: ${toolNames.join(', ')})`,
  });
  return z.object({
    id: z.string().min(1),
    task: z.string().min(1),
    tools: z.array(toolName),
    expect: z
      .object({ number: z.number().optional(), tolerance: z.number().nonnegative().optional(), contains: z.array(z.string().min(1)).min(1).optional() })
      .refine((e) => e.number !== undefined || e.contains, 'expect needs "number" or "contains"'),
    scripted: z.object({ tool: z.array(z.unknown()), code: z.array(z.unknown()) }).optional(),
  });
}

/** The built-in task set, in the spirit of the CodeAct paper's M3ToolEval (see tasks/README.md). */
export const BUILTIN_TASK_SET = fileURLToPath(new URL('../tasks/m3-lite.json', import.meta.url));

/**
 * Reads and checks a task set file; every problem is a usage error naming the task and field.
 * Tasks may name the built-in tools and `extraToolNames` (from `--tools ./module.ts`, `--mcp`).
 */
export function loadTaskSet(path: string = BUILTIN_TASK_SET, extraToolNames: readonly string[] = []): Task[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SetupError('usage', `Cannot read the task set ${path}: ${(error as Error).message}`);
  }
  const result = z.array(taskSchema([...Object.keys(builtinTools), ...extraToolNames])).min(1).safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const at = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new SetupError('usage', `${path} is not a task set${at}: ${issue.message}. A task set is a JSON array of { id, task, tools, expect, scripted? }.`);
  }
  const ids = new Set<string>();
  return result.data.map((t, i) => {
    if (ids.has(t.id)) throw new SetupError('usage', `${path}: the task id "${t.id}" is used twice.`);
    ids.add(t.id);
    const { scripted, ...rest } = t;
    return scripted
      ? { ...rest, scripted: { tool: scriptFrom(scripted.tool, `${path} [${i}].scripted.tool`), code: scriptFrom(scripted.code, `${path} [${i}].scripted.code`) } }
      : rest;
  });
}

/** Whether an answer passes the task's check, and if not, why (for reports). */
export function checkAnswer(expect: Expectation, answer: unknown): { ok: boolean; reason?: string } {
  // "2,916" and "2916" are the same number.
  const text = (typeof answer === 'string' ? answer : (JSON.stringify(answer) ?? '')).replace(/(\d),(?=\d{3}\b)/g, '$1');
  if (expect.number !== undefined) {
    const tolerance = expect.tolerance ?? 1e-9;
    const numbers = (text.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
    if (!numbers.some((n) => Math.abs(n - expect.number!) <= tolerance)) {
      return { ok: false, reason: `no number within ${tolerance} of ${expect.number} in the answer` };
    }
  }
  const missing = (expect.contains ?? []).filter((s) => !text.toLowerCase().includes(s.toLowerCase()));
  if (missing.length) return { ok: false, reason: `the answer lacks ${missing.map((s) => JSON.stringify(s)).join(', ')}` };
  return { ok: true };
}
