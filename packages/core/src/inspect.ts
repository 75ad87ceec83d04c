import type { AgentMemory } from './memory.js';
import type { ActionStep, MemoryStep, ToolCallRecord } from './run-record.js';
import type { FinishReason, ModelContent, ModelMessage } from './model.js';
import type { RunResult, SubRun } from './run-record.js';
import { sumUsage, totalTokens, type Usage } from './usage.js';

/** What `formatRun` and `inspectRun` read: a run's result, a managed agent's sub-run, or an agent's memory (e.g. restored from JSON). */
export type InspectableRun = Pick<RunResult, 'steps'> & Partial<Pick<RunResult, 'state' | 'output' | 'usage' | 'timing' | 'stopReason'>>;

/** One model call of a run, with exactly what it was sent. */
export interface ModelCallRecord {
  /** `planning` for a plan, `action` for an action step (the max-steps answer included). */
  kind: 'planning' | 'action';
  /** The action step's number (a plan has none). */
  stepNumber: number | undefined;
  /** The managed agents this call was made in, outermost first: `[]` for the agent itself, `['researcher']` for its sub-agent's calls. */
  agentPath: string[];
  /** The full messages the model was sent (system prompt, task, earlier steps). */
  messages: ModelMessage[];
  /** What the model replied, when the call completed. */
  reply: { text: string; content?: ModelContent[]; finishReason?: FinishReason } | undefined;
  /** The step's token usage (an action step's includes the managed agents it called). */
  usage: Usage;
  startedAt: number;
  durationMs: number;
}

export interface RunInspection {
  /** Every model call in order; a managed agent's calls follow the step that called it. */
  calls: ModelCallRecord[];
  /** Token usage of the whole run, managed agents included. */
  usage: Usage;
  /** Wall-clock time of the run (the sum of its steps when only memory is given). */
  durationMs: number;
  /** Action steps of the run itself. */
  steps: number;
}

/**
 * The full record of a finished run, model call by model call: the messages each step sent, its
 * reply, usage and timing, including the runs of managed agents; then the totals. Pass a
 * `RunResult`, or an `AgentMemory` (e.g. `AgentMemory.fromJSON(saved)`).
 */
export function inspectRun(run: InspectableRun | AgentMemory): RunInspection {
  const calls: ModelCallRecord[] = [];
  const collect = (steps: readonly MemoryStep[], agentPath: string[]) => {
    for (const step of steps) {
      if (step.type === 'task') continue;
      const durationMs = step.timing.durationMs ?? (step.timing.endedAt ?? step.timing.startedAt) - step.timing.startedAt;
      if (step.type === 'planning') {
        calls.push({
          kind: 'planning',
          stepNumber: undefined,
          agentPath,
          messages: step.modelInput ?? [],
          reply: { text: step.plan },
          usage: step.usage,
          startedAt: step.timing.startedAt,
          durationMs,
        });
        continue;
      }
      calls.push({
        kind: 'action',
        stepNumber: step.stepNumber,
        agentPath,
        messages: step.modelInput ?? [],
        reply: step.modelOutput ? { text: step.modelOutput.text, content: step.modelOutput.content, finishReason: step.modelOutput.finishReason } : undefined,
        usage: step.usage,
        startedAt: step.timing.startedAt,
        durationMs,
      });
      for (const call of toolCallsOf(step)) {
        if (call.subRun) collect(call.subRun.steps, [...agentPath, call.toolName]);
      }
    }
  };
  collect(run.steps, []);
  const own = run.steps.filter((s): s is Exclude<MemoryStep, { type: 'task' }> => s.type !== 'task');
  const usage = 'usage' in run && run.usage ? run.usage : sumUsage(own.map((s) => s.usage));
  const durationMs =
    'timing' in run && run.timing ? run.timing.durationMs : own.reduce((sum, s) => sum + (s.timing.durationMs ?? 0), 0);
  return { calls, usage, durationMs, steps: own.filter((s) => s.type === 'action').length };
}

/**
 * A finished run as text, step by step: the plan, the model's thought, its code or tool calls,
 * the observation or error, per-step usage and timing, managed agents' runs indented under the
 * call that made them, then the totals. For logs, bug reports and replaying what an agent did.
 * Pass a `RunResult` or an `AgentMemory`.
 */
export function formatRun(run: InspectableRun | AgentMemory, options: { maxFieldLength?: number } = {}): string {
  const max = options.maxFieldLength ?? 2000;
  const cut = (text: string) => (text.length > max ? `${text.slice(0, max)}… [${text.length - max} more characters]` : text);
  const lines = formatSteps(run.steps, cut);
  const { usage, durationMs, steps } = inspectRun(run);
  const state = 'state' in run && run.state ? `${run.state}${run.stopReason ? ` (${run.stopReason})` : ''} · ` : '';
  lines.push(
    `Result: ${state}${stepCount(steps)} · ${(durationMs / 1000).toFixed(2)} s · ` +
      `${usage.inputTokens.total ?? 0} input tokens (${usage.inputTokens.cacheRead ?? 0} cached), ${usage.outputTokens.total ?? 0} output tokens`,
  );
  if ('output' in run && run.output !== undefined) lines.push(`Output: ${hang(cut(show(run.output)), '    ')}`);
  return lines.join('\n');
}

function formatSteps(steps: readonly MemoryStep[], cut: (t: string) => string): string[] {
  const lines: string[] = [];
  for (const step of steps) {
    switch (step.type) {
      case 'task':
        lines.push(`Task: ${hang(cut(step.task), '    ')}${step.files?.length ? ` (+${step.files.length} files)` : ''}`);
        break;
      case 'planning':
        lines.push(`Plan (${(step.timing.durationMs ?? 0).toFixed(0)} ms, ${totalTokens(step.usage)} tokens):`, block(cut(step.plan), '    '));
        break;
      case 'action':
        lines.push(...formatAction(step, cut));
        break;
    }
  }
  return lines;
}

function formatAction(step: ActionStep, cut: (t: string) => string): string[] {
  const out = [`Step ${step.stepNumber} (${(step.timing.durationMs ?? 0).toFixed(0)} ms, ${totalTokens(step.usage)} tokens)`];
  const thought = step.modelOutput?.text.split(/<code>|```/)[0]?.trim();
  if (thought) out.push(`  Thought: ${hang(cut(thought), '    ')}`);
  if (step.code) out.push(`  Code:\n${block(cut(step.code), '    ')}`);
  for (const call of toolCallsOf(step)) {
    const result = call.error ? `error: ${call.error.message}` : call.pendingApproval ? 'waiting for approval' : show(call.output);
    out.push(`  Tool ${call.toolName}(${cut(show(call.input))}) → ${cut(result)}`);
    if (call.subRun) out.push(...formatSubRun(call.toolName, call.subRun, cut));
  }
  if (step.observation) out.push(`  Observation: ${hang(cut(step.observation), '    ')}`);
  if (step.error) out.push(`  Error: ${hang(cut(step.error.message), '    ')}`);
  if (step.finalAnswer) out.push(`  Final answer: ${cut(show(step.finalAnswer.value))}`);
  return out;
}

function formatSubRun(name: string, run: SubRun, cut: (t: string) => string): string[] {
  const header = `    ┌ ${name}: ${run.state} · ${stepCount(run.steps.filter((s) => s.type === 'action').length)} · ${totalTokens(run.usage)} tokens · ${(run.timing.durationMs / 1000).toFixed(2)} s`;
  const body = formatSteps(run.steps, cut);
  if (run.state === 'failed') body.push(`Failed: ${run.error.message}`);
  return [header, block(body.join('\n'), '    │ ')];
}

function toolCallsOf(step: ActionStep): ToolCallRecord[] {
  return [...step.toolCalls, ...(step.codeToolCalls ?? [])];
}

/** Every line of `text` with `prefix` before it. */
function block(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

/** `text` after a label: its second and later lines indented by `prefix`. */
function hang(text: string, prefix: string): string {
  return text.replace(/\n/g, `\n${prefix}`);
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

/** "1 step", "3 steps": for the one-line summaries of a run. */
export const stepCount = (n: number) => `${n} ${n === 1 ? 'step' : 'steps'}`;
