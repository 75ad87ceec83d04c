import { readFileSync, writeFileSync } from 'node:fs';
import { actionSteps, type Model, totalTokens } from '@actkit/core';
import type { ScriptedReply } from '@actkit/testing';
import { ConfigError, createAgent } from './setup.js';
import { pickTools, UsageError } from './tools.js';

/**
 * Runs the same tasks through ToolCallingAgent and CodeAgent on the same model, and compares
 * success, steps, tokens, time and errors — the founding question of actkit, on your tasks.
 */
export interface CompareTask {
  id: string;
  task: string;
  tools: string[];
  /** A deterministic check: a number (± tolerance) somewhere in the answer, or texts it must contain. */
  expect: { number: number; tolerance?: number } | { contains: string[] };
  /** Replies for the scripted model, per agent (offline demonstration). */
  scripted?: { tool: ScriptedReply[]; code: ScriptedReply[] };
}

export interface Outcome {
  success: boolean;
  state: string;
  steps: number;
  tokens: number;
  ms: number;
  errors: number;
  output: string;
}

export function readTasks(path: string): CompareTask[] {
  let tasks: unknown;
  try {
    tasks = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`Cannot read the task set ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(tasks) || tasks.some((t) => typeof t?.id !== 'string' || typeof t?.task !== 'string' || !Array.isArray(t?.tools) || !t?.expect)) {
    throw new UsageError(`${path} must be a JSON array of { id, task, tools, expect, scripted? }.`);
  }
  return tasks as CompareTask[];
}

export function check(task: CompareTask, output: unknown): boolean {
  const text = typeof output === 'string' ? output : JSON.stringify(output ?? '');
  if ('contains' in task.expect) return task.expect.contains.every((s) => text.includes(s));
  const { number, tolerance = 1e-9 } = task.expect;
  return (text.match(/-?\d+(?:\.\d+)?/g) ?? []).some((n) => Math.abs(Number(n) - number) <= tolerance);
}

export async function runComparison(
  tasks: CompareTask[],
  makeModel: (task: CompareTask, agent: 'tool' | 'code') => Model,
  options: { executor: string; maxSteps: number },
): Promise<Array<{ task: CompareTask; tool: Outcome; code: Outcome }>> {
  const rows = [];
  for (const task of tasks) {
    const row: Record<string, Outcome> = {};
    for (const kind of ['tool', 'code'] as const) {
      const agent = await createAgent({ agent: kind, model: makeModel(task, kind), tools: pickTools(task.tools), executor: options.executor, maxSteps: options.maxSteps });
      const t0 = performance.now();
      try {
        const result = await agent.run(task.task);
        const steps = actionSteps(result);
        row[kind] = {
          success: result.state === 'success' && check(task, result.output),
          state: result.state,
          steps: steps.length,
          tokens: totalTokens(result.usage),
          ms: performance.now() - t0,
          errors: steps.filter((s) => s.error).length + steps.flatMap((s) => [...s.toolCalls, ...(s.codeToolCalls ?? [])]).filter((c) => c.error).length,
          output: typeof result.output === 'string' ? result.output : JSON.stringify(result.output),
        };
      } catch (error) {
        if (error instanceof ConfigError || error instanceof UsageError) throw error;
        row[kind] = { success: false, state: `error: ${(error as Error).message}`, steps: 0, tokens: 0, ms: performance.now() - t0, errors: 1, output: '' };
      } finally {
        await agent.close?.();
      }
    }
    rows.push({ task, tool: row.tool!, code: row.code! });
  }
  return rows;
}

type Row = Awaited<ReturnType<typeof runComparison>>[number];

export function totals(rows: Row[], kind: 'tool' | 'code') {
  const all = rows.map((r) => r[kind]);
  return {
    success: all.filter((o) => o.success).length,
    steps: all.reduce((n, o) => n + o.steps, 0),
    tokens: all.reduce((n, o) => n + o.tokens, 0),
    ms: all.reduce((n, o) => n + o.ms, 0),
    errors: all.reduce((n, o) => n + o.errors, 0),
  };
}

/** The side-by-side table and a bar chart, for the terminal. */
export function formatComparison(rows: Row[]): string {
  const cell = (o: Outcome) => `${o.success ? '✔' : '✘'} ${String(o.steps).padStart(2)} steps ${String(o.tokens).padStart(6)} tok ${o.ms.toFixed(0).padStart(6)} ms ${o.errors ? `${o.errors} err` : ''}`.padEnd(44);
  const lines = [`${'task'.padEnd(24)} ${'ToolCallingAgent (JSON)'.padEnd(44)} CodeAgent (code)`, '─'.repeat(24 + 44 + 40)];
  for (const r of rows) lines.push(`${r.task.id.padEnd(24)} ${cell(r.tool)} ${cell(r.code)}`);
  const t = totals(rows, 'tool');
  const c = totals(rows, 'code');
  lines.push('─'.repeat(24 + 44 + 40));
  const total = (x: typeof t) => `${x.success}/${rows.length} ✔ ${String(x.steps).padStart(3)} steps ${String(x.tokens).padStart(6)} tok ${x.ms.toFixed(0).padStart(6)} ms ${x.errors} err`.padEnd(44);
  lines.push(`${'total'.padEnd(24)} ${total(t)} ${total(c)}`);
  lines.push('');
  const bar = (label: string, a: number, b: number) => {
    const max = Math.max(a, b, 1);
    const width = 40;
    lines.push(`${label}`);
    lines.push(`  tool ${'█'.repeat(Math.round((a / max) * width)).padEnd(width)} ${a}`);
    lines.push(`  code ${'█'.repeat(Math.round((b / max) * width)).padEnd(width)} ${b}`);
  };
  bar('steps', t.steps, c.steps);
  bar('tokens', t.tokens, c.tokens);
  return lines.join('\n');
}

/** An HTML report with SVG charts, for sharing. */
export function writeReport(path: string, rows: Row[], modelLabel: string): void {
  const t = totals(rows, 'tool');
  const c = totals(rows, 'code');
  const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
  const chart = (title: string, a: number, b: number) => {
    const max = Math.max(a, b, 1);
    return `<figure><figcaption>${title}</figcaption><svg width="420" height="70" role="img" aria-label="${title}">
<rect x="60" y="5" height="25" width="${(a / max) * 300}" fill="#4f7cff"/><text x="0" y="22">tool</text><text x="${70 + (a / max) * 300}" y="22">${a}</text>
<rect x="60" y="40" height="25" width="${(b / max) * 300}" fill="#22a06b"/><text x="0" y="57">code</text><text x="${70 + (b / max) * 300}" y="57">${b}</text></svg></figure>`;
  };
  const row = (r: Row) =>
    `<tr><td>${esc(r.task.id)}</td>${[r.tool, r.code].map((o) => `<td class="${o.success ? 'ok' : 'ko'}">${o.success ? '✔' : '✘'}</td><td>${o.steps}</td><td>${o.tokens}</td><td>${o.ms.toFixed(0)}</td><td>${o.errors}</td>`).join('')}</tr>`;
  writeFileSync(
    path,
    `<!doctype html><html><head><meta charset="utf-8"><title>actkit compare</title>
<style>body{font:15px system-ui;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:right}td:first-child{text-align:left}.ok{color:#22a06b}.ko{color:#d33}figure{display:inline-block;margin:1em 2em 1em 0}</style></head>
<body><h1>ToolCallingAgent vs CodeAgent</h1><p>Model: ${esc(modelLabel)} · ${rows.length} tasks</p>
<table><tr><th></th><th colspan="5">ToolCallingAgent</th><th colspan="5">CodeAgent</th></tr>
<tr><th>task</th>${'<th>ok</th><th>steps</th><th>tokens</th><th>ms</th><th>errors</th>'.repeat(2)}</tr>
${rows.map(row).join('\n')}
<tr><th>total</th>${[t, c].map((x) => `<th>${x.success}/${rows.length}</th><th>${x.steps}</th><th>${x.tokens}</th><th>${x.ms.toFixed(0)}</th><th>${x.errors}</th>`).join('')}</tr></table>
${chart('Steps', t.steps, c.steps)}${chart('Tokens', t.tokens, c.tokens)}${chart('Success', t.success, c.success)}
</body></html>\n`,
  );
}
