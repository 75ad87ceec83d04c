import type { ActionStep, MemoryStep } from './memory.js';
import type { RunResult } from './result.js';
import { totalTokens } from './usage.js';

/**
 * A finished run as text, step by step: the plan, the model's thought, its code or tool calls,
 * the observation or error, and per-step usage and timing, then the totals. For logs, bug
 * reports and replaying what an agent did. The full messages each step sent are on
 * `step.modelInput`.
 */
export function formatRun(result: RunResult, options: { maxFieldLength?: number } = {}): string {
  const max = options.maxFieldLength ?? 2000;
  const cut = (text: string) => (text.length > max ? `${text.slice(0, max)}… [${text.length - max} more characters]` : text);
  const indent = (text: string) => text.replace(/\n/g, '\n    ');
  const lines: string[] = [];
  for (const step of result.steps) lines.push(...formatStep(step, cut, indent));
  const { usage, timing } = result;
  lines.push(
    `Result: ${result.state}${result.stopReason ? ` (${result.stopReason})` : ''} · ${(timing.durationMs / 1000).toFixed(2)} s · ` +
      `${usage.inputTokens.total ?? 0} input tokens (${usage.inputTokens.cacheRead ?? 0} cached), ${usage.outputTokens.total ?? 0} output tokens`,
  );
  if (result.output !== undefined) lines.push(`Output: ${indent(cut(typeof result.output === 'string' ? result.output : JSON.stringify(result.output, null, 2)))}`);
  return lines.join('\n');
}

function formatStep(step: MemoryStep, cut: (t: string) => string, indent: (t: string) => string): string[] {
  switch (step.type) {
    case 'task':
      return [`Task: ${indent(cut(step.task))}${step.files?.length ? ` (+${step.files.length} files)` : ''}`];
    case 'planning':
      return [`Plan (${step.timing.durationMs ?? 0} ms, ${totalTokens(step.usage)} tokens):`, `    ${indent(cut(step.plan))}`];
    case 'action':
      return formatAction(step, cut, indent);
  }
}

function formatAction(step: ActionStep, cut: (t: string) => string, indent: (t: string) => string): string[] {
  const out = [`Step ${step.stepNumber} (${(step.timing.durationMs ?? 0).toFixed(0)} ms, ${totalTokens(step.usage)} tokens)`];
  const thought = step.modelOutput?.text.split(/<code>|```/)[0]?.trim();
  if (thought) out.push(`  Thought: ${indent(cut(thought))}`);
  if (step.code) out.push(`  Code:\n    ${indent(cut(step.code))}`);
  for (const call of [...step.toolCalls, ...(step.codeToolCalls ?? [])]) {
    const result = call.error ? `error: ${call.error.message}` : JSON.stringify(call.output);
    out.push(`  Tool ${call.toolName}(${cut(JSON.stringify(call.input))}) → ${cut(result ?? 'undefined')}`);
  }
  if (step.observation) out.push(`  Observation: ${indent(cut(step.observation))}`);
  if (step.error) out.push(`  Error: ${indent(cut(step.error.message))}`);
  if (step.finalAnswer) out.push(`  Final answer: ${cut(JSON.stringify(step.finalAnswer.value))}`);
  return out;
}
