import { basename } from 'node:path';
import {
  AGENT_KINDS,
  type AgentKind,
  BUILTIN_TASK_SET,
  checkAnswer,
  costOf,
  createAgent,
  createModel,
  loadExtraTools,
  loadTaskSet,
  type ModelSpec,
  pickTools,
  resolveModel,
  SetupError,
  type Task,
} from '@actkit/app-kit';
import { type ActionStep, AgentAbortedError, type AnyTool, ModelCallError, totalTokens } from '@actkit/core';
import { useColor } from './display.js';
import { EXIT } from './exit-codes.js';
import { type ComparisonReport, formatComparison, type Outcome, type Row, totals, writeHtmlReport } from './report.js';
import { onInterrupt, positiveInt, splitList } from './shared.js';
import { Spinner } from './spinner.js';

export interface CompareFlags {
  model?: string | undefined;
  provider?: string | undefined;
  'base-url'?: string | undefined;
  'api-key-env'?: string | undefined;
  executor?: string | undefined;
  'docker-image'?: string | undefined;
  'max-steps'?: string | undefined;
  report?: string | undefined;
  json?: boolean | undefined;
  quiet?: boolean | undefined;
  /** Tools modules (paths, comma-separated) whose tools a task set may name, as it names built-in ones. */
  tools?: string | undefined;
  mcp?: string[] | undefined;
}

/**
 * `actkit compare [tasks.json]`: the same tasks through ToolCallingAgent and CodeAgent on the
 * same model. Without a model named on the command line it replays each task's scripts (an
 * offline demonstration) rather than spending tokens of a key it happens to find.
 */
export async function compareCommand(flags: CompareFlags, files: string[], startup: Spinner): Promise<number> {
  if (files.length > 1) throw new SetupError('usage', `actkit compare takes one task set, got ${files.length}: ${files.join(' ')}`);
  const file = files[0] ?? BUILTIN_TASK_SET;
  const maxSteps = positiveInt('--max-steps', flags['max-steps'] ?? '10');
  if (flags['docker-image'] && flags.executor !== 'docker') throw new SetupError('usage', '--docker-image needs --executor docker.');
  const extra = await loadExtraTools(splitList(flags.tools ?? ''), flags.mcp ?? []);
  let report: ComparisonReport;
  try {
    const tasks = loadTaskSet(file, extra.tools.map((t) => t.name));
    const spec = resolveModel({ model: flags.model, provider: flags.provider, baseUrl: flags['base-url'], apiKeyEnv: flags['api-key-env'] }, process.env, 'scripted');
    if (spec.provider === 'scripted') {
      const bare = tasks.find((t) => !t.scripted);
      if (bare) throw new SetupError('usage', `Task "${bare.id}" has no scripted replies: name a model (--model …) to run this task set.`);
    }
    startup.stop();
    const abort = new AbortController();
    const stopListening = onInterrupt(() => abort.abort());
    const progress = new Spinner(process.stderr);
    try {
      const { rows, interrupted } = await runComparison(tasks, spec, {
        executor: flags.executor ?? 'local',
        dockerImage: flags['docker-image'],
        maxSteps,
        extraTools: extra.tools,
        signal: abort.signal,
        onStart: (i, task, kind) => {
          if (!flags.json && !flags.quiet) progress.start(`${i + 1}/${tasks.length} ${task.id} · ${kind === 'tool' ? 'ToolCallingAgent' : 'CodeAgent'} · ${spec.label}`);
        },
      });
      report = { model: spec, taskSet: basename(file), maxSteps, rows, interrupted };
    } finally {
      progress.stop();
      stopListening();
    }
  } finally {
    startup.stop();
    await extra.close();
  }

  const { rows, interrupted } = report;
  if (flags.json) console.log(JSON.stringify(toJson(report), null, 2));
  else console.log(formatComparison(report, { color: useColor(process.stdout) }));
  if (flags.report && rows.length) {
    writeHtmlReport(flags.report, report);
    if (!flags.json) console.log(`\nReport written to ${flags.report}`);
  }
  // Failed tasks are results, not errors: a finished comparison exits 0.
  return interrupted ? EXIT.interrupted : EXIT.ok;
}

export async function runComparison(
  tasks: Task[],
  spec: ModelSpec,
  options: {
    executor: string;
    dockerImage?: string | undefined;
    maxSteps: number;
    extraTools?: readonly AnyTool[];
    signal: AbortSignal;
    onStart?: (index: number, task: Task, kind: AgentKind) => void;
  },
): Promise<{ rows: Row[]; interrupted: boolean }> {
  const rows: Row[] = [];
  for (const [index, task] of tasks.entries()) {
    const outcomes: Partial<Record<AgentKind, Outcome>> = {};
    for (const kind of AGENT_KINDS) {
      if (options.signal.aborted) return { rows, interrupted: true };
      options.onStart?.(index, task, kind);
      const outcome = await runOne(task, kind, spec, options);
      if (!outcome) return { rows, interrupted: true };
      outcomes[kind] = outcome;
    }
    rows.push({ task, tool: outcomes.tool!, code: outcomes.code! });
  }
  return { rows, interrupted: false };
}

/** One agent on one task; undefined when interrupted. */
async function runOne(
  task: Task,
  kind: AgentKind,
  spec: ModelSpec,
  options: { executor: string; dockerImage?: string | undefined; maxSteps: number; extraTools?: readonly AnyTool[]; signal: AbortSignal },
): Promise<Outcome | undefined> {
  const model = createModel(spec, spec.provider === 'scripted' ? task.scripted?.[kind] : undefined);
  // The sandbox starts before the clock does: time is the agent's, not the executor's start-up.
  let agent: Awaited<ReturnType<typeof createAgent>>;
  try {
    agent = await createAgent({
      agent: kind,
      model,
      tools: pickTools(task.tools, options.extraTools),
      executor: options.executor,
      dockerImage: options.dockerImage,
      maxSteps: options.maxSteps,
    });
  } catch (error) {
    // Ctrl-C while a sandbox starts is an interruption, not a broken executor.
    if (options.signal.aborted) return undefined;
    throw error;
  }
  const t0 = performance.now();
  try {
    const result = await agent.run(task.task, { signal: options.signal });
    if (result.state === 'aborted') return undefined;
    // The step-limit answer is not one of the task's steps: "at most N steps" holds in the table.
    const steps = result.steps.filter((s): s is ActionStep => s.type === 'action' && !s.afterStepLimit);
    const check = checkAnswer(task.expect, result.output);
    const cost = costOf(model.modelId, result.usage);
    return {
      success: result.state === 'success' && check.ok,
      state: result.state,
      steps: steps.length,
      tokens: totalTokens(result.usage),
      ...(cost !== undefined ? { costUsd: cost } : {}),
      bill: result.bill,
      ms: performance.now() - t0,
      errors: steps.flatMap(stepErrors),
      answer: result.output === undefined ? '' : typeof result.output === 'string' ? result.output : JSON.stringify(result.output),
      ...(result.state !== 'success' ? { reason: result.state } : check.reason ? { reason: check.reason } : {}),
    };
  } catch (error) {
    if (error instanceof AgentAbortedError || options.signal.aborted) return undefined;
    // A key, model id or URL that is wrong will fail every task: stop and say so.
    if (error instanceof SetupError || (error instanceof ModelCallError && [401, 403, 404].includes(error.statusCode ?? 0))) throw error;
    const message = (error as Error).message;
    return { success: false, state: 'error', steps: 0, tokens: 0, ms: performance.now() - t0, errors: [message], answer: '', reason: message };
  } finally {
    await agent.close?.();
  }
}

/** A step's errors; a failed tool call that also failed the code action counts once. */
function stepErrors(step: ActionStep): string[] {
  const failedCalls = [...step.toolCalls, ...(step.codeToolCalls ?? [])].filter((c) => c.error && !step.error?.message.includes(c.error.message));
  return [
    ...(step.error ? [`step ${step.stepNumber}: ${step.error.message}`] : []),
    ...failedCalls.map((c) => `step ${step.stepNumber}: ${c.toolName}: ${c.error!.message}`),
  ];
}

function toJson(report: ComparisonReport) {
  return {
    model: { provider: report.model.provider, id: report.model.modelId },
    taskSet: report.taskSet,
    interrupted: report.interrupted,
    tasks: report.rows.map((r) => ({ id: r.task.id, tool: r.tool, code: r.code })),
    totals: { tool: totals(report.rows, 'tool'), code: totals(report.rows, 'code') },
  };
}
