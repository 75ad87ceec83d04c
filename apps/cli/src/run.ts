import { readFileSync } from 'node:fs';
import {
  AGENT_KINDS,
  AGENT_LABELS,
  costOf,
  createAgent,
  createModel,
  isAgentKind,
  isToolModulePath,
  loadExtraTools,
  loadScript,
  parseApprovalPolicy,
  pickTools,
  resolveModel,
  SetupError,
} from '@actkit/app-kit';
import type { ActionStep, RunResult } from '@actkit/core';
import { terminalApproval } from './approval.js';
import { createDisplay, paint, useColor } from './display.js';
import { EXIT } from './exit-codes.js';
import { onInterrupt, positiveInt, splitList } from './shared.js';
import type { Spinner } from './spinner.js';

export interface RunFlags {
  agent: string;
  model?: string | undefined;
  provider?: string | undefined;
  'base-url'?: string | undefined;
  'api-key-env'?: string | undefined;
  script?: string | undefined;
  executor?: string | undefined;
  'docker-image'?: string | undefined;
  tools: string;
  mcp?: string[] | undefined;
  approve: string;
  'approve-timeout': string;
  'max-steps'?: string | undefined;
  verbose?: boolean | undefined;
  quiet?: boolean | undefined;
  json?: boolean | undefined;
}

/** `actkit run "task"`: one agent on one task, watched live; the exit code says how it ended. */
export async function runCommand(flags: RunFlags, words: string[], startup: Spinner): Promise<number> {
  // The task may be quoted or not; "-" reads it from stdin (`echo "…" | actkit run -`).
  let task = words.join(' ').trim();
  if (task === '-') task = readFileSync(0, 'utf8').trim();
  if (!task) throw new SetupError('usage', 'actkit run needs a task, e.g. actkit run "What is 6 times 7?"');
  const maxSteps = positiveInt('--max-steps', flags['max-steps'] ?? '10');
  const approvalTimeoutMs = positiveInt('--approve-timeout', flags['approve-timeout']) * 1000;
  const policy = parseApprovalPolicy(flags.approve);
  if (!isAgentKind(flags.agent)) throw new SetupError('usage', `Unknown agent "${flags.agent}": use ${AGENT_KINDS.join(' or ')}.`);
  if (flags.agent === 'tool' && (flags.executor || flags['docker-image'])) {
    throw new SetupError('usage', '--executor and --docker-image are for --agent code: a ToolCallingAgent runs no code.');
  }
  if (flags['docker-image'] && flags.executor !== 'docker') throw new SetupError('usage', '--docker-image needs --executor docker.');

  const spec = resolveModel({ model: flags.model, provider: flags.provider, baseUrl: flags['base-url'], apiKeyEnv: flags['api-key-env'] });
  if (flags.script && spec.provider !== 'scripted') throw new SetupError('usage', `--script is for the scripted model, not ${spec.label}.`);
  const model = createModel(spec, flags.script ? loadScript(flags.script) : undefined);

  // --tools names built-in tools and/or modules of the user's own; --mcp servers add theirs.
  const toolList = splitList(flags.tools);
  const modulePaths = toolList.filter(isToolModulePath);
  const names = toolList.filter((entry) => !isToolModulePath(entry));
  if (modulePaths.length || flags.mcp?.length) startup.update('loading tools');
  const extra = await loadExtraTools(modulePaths, flags.mcp ?? []);
  const tools = [...(names.length ? pickTools(names) : []), ...extra.tools];

  const level = flags.json || flags.quiet ? 'quiet' : flags.verbose ? 'debug' : 'info';
  const display = createDisplay({ modelId: model.modelId, level, estimatedTokens: spec.provider === 'scripted' });
  const executorName = flags.executor ?? 'local';
  let agent: Awaited<ReturnType<typeof createAgent>>;
  try {
    if (flags.agent === 'code') startup.update(`starting the ${executorName} sandbox`);
    agent = await createAgent({
      agent: flags.agent,
      model,
      tools,
      executor: executorName,
      dockerImage: flags['docker-image'],
      maxSteps,
      hooks: display.hooks,
      approval: terminalApproval({ policy, timeoutMs: approvalTimeoutMs, beforeAsk: () => display.pause() }),
    });
  } catch (error) {
    await extra.close();
    throw error;
  } finally {
    startup.stop();
  }

  if (level !== 'quiet') {
    // Who answers is the first thing a person needs to know about what follows.
    const dim = (text: string) => paint(useColor(process.stdout))(2, text);
    const who = spec.provider === 'scripted' ? `scripted (replays ${flags.script ?? 'a script'}; no LLM is called)` : spec.label;
    console.log(dim(`${AGENT_LABELS[flags.agent]} · model: ${who}${flags.agent === 'code' ? ` · sandbox: ${executorName}` : ''} · at most ${maxSteps} step${maxSteps === 1 ? '' : 's'}`));
  }

  const abort = new AbortController();
  const stopListening = onInterrupt(() => abort.abort());
  let result: RunResult;
  try {
    const stream = agent.stream(task, { signal: abort.signal });
    for await (const _ of stream);
    result = await stream.result;
  } finally {
    display.stop();
    stopListening();
    await agent.close?.();
    await extra.close();
  }

  if (flags.json) {
    const cost = costOf(model.modelId, result.usage);
    const out = {
      state: result.state,
      output: result.output,
      ...(result.stopReason ? { stopReason: result.stopReason } : {}),
      agent: flags.agent,
      model: { provider: spec.provider, id: spec.modelId },
      usage: result.usage,
      ...(spec.provider === 'scripted' ? { usageEstimated: true } : {}),
      bill: result.bill,
      costUsd: cost ?? null,
      timing: result.timing,
      steps: result.steps.filter((s): s is ActionStep => s.type === 'action').map(slimStep),
    };
    console.log(JSON.stringify(out, null, 2));
  } else if (flags.quiet && result.state === 'success') {
    // Only an answer the model chose to give is an answer; the step limit's best guess is not.
    console.log(typeof result.output === 'string' ? result.output : JSON.stringify(result.output));
  }
  if (result.state === 'aborted') {
    if (!flags.json) console.error('actkit: interrupted.');
    return EXIT.interrupted;
  }
  if (result.state !== 'success') {
    if (!flags.json) {
      const why = result.state === 'max_steps' ? `it reached --max-steps ${maxSteps}` : `${result.state}${result.stopReason ? `: ${result.stopReason}` : ''}`;
      console.error(`actkit: the agent did not give a final answer (${why}).`);
    }
    return EXIT.notSolved;
  }
  return EXIT.ok;
}

/** A step for machines: what happened, without the prompt sent to the model at every step. */
function slimStep(step: ActionStep) {
  const { modelInput: _input, modelOutput, ...rest } = step;
  return { ...rest, modelText: modelOutput?.text ?? '' };
}
