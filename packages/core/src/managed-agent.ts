/**
 * An agent as a tool of another (a managed agent): the manager passes a task, the agent runs it
 * to the end as a run of its own, and its answer is the tool's result. Calls made at the same
 * time are separate runs and go on at the same time.
 */
import { type AnyTool, type ToolContext, tool } from '@actkit/tools';
import { z } from 'zod';
import type { AgentConfig, RunOptions } from './agent-options.js';
import { billOf } from './bill.js';
import { AgentConfigError, AgentError, serializeError } from './errors.js';
import type { SubRun } from './run-record.js';
import type { AgentStream } from './run-stream.js';
import { renderTemplate } from './template.js';
import { emptyUsage, sumUsage } from './usage.js';

/** What a managed agent offers its manager. */
export interface ManagedAgent<TOutput> {
  readonly config: AgentConfig<TOutput>;
  stream(task: string, options: RunOptions, streaming: boolean): AgentStream<TOutput>;
}

export function managedAgentTool<TOutput>(agent: ManagedAgent<TOutput>, options: { name?: string; description?: string }): AnyTool {
  const { config } = agent;
  const description = options.description ?? config.description;
  if (!description) throw new AgentConfigError(`Agent "${config.name}" needs a description to be used as a tool.`);
  return tool({
    name: options.name ?? config.name,
    description,
    input: z.object({
      task: z.string().min(1).describe('The task for this agent, with every detail it needs: it sees nothing else.'),
    }),
    run: ({ task }, context) => runManaged(agent, task, context),
  });
}

async function runManaged<TOutput>(agent: ManagedAgent<TOutput>, task: string, context: ToolContext): Promise<unknown> {
  const { config } = agent;
  const startedAt = Date.now();
  const stream = agent.stream(renderTemplate(config.loopPrompts.managedAgentTask, { name: config.name, task }), { signal: context.signal }, false);
  let started = false;
  let result: Awaited<AgentStream<TOutput>['result']>;
  try {
    for await (const event of stream) {
      if (event.type === 'run-start') started = true;
      context.subRun?.reportEvent(event);
    }
    result = await stream.result;
  } catch (error) {
    // Keep what the sub-agent did before it failed (its run's memory holds only this run).
    const steps = started ? [...stream.memory.steps] : [];
    const endedAt = Date.now();
    const usage = sumUsage(steps.map((s) => (s.type === 'task' ? emptyUsage() : s.usage)));
    const failed: SubRun = {
      state: 'failed',
      output: undefined,
      error: serializeError(error),
      steps,
      usage,
      bill: billOf(usage, config.model.modelId),
      timing: { startedAt, endedAt, durationMs: endedAt - startedAt },
      runId: started ? stream.runId : '',
    };
    context.subRun?.reportResult(failed);
    throw error;
  }
  context.subRun?.reportResult(result);
  if (result.state === 'aborted' || result.state === 'stopped' || result.state === 'awaiting_approval') {
    throw new AgentError(`Agent "${config.name}" did not finish (${result.state}${result.stopReason ? `: ${result.stopReason}` : ''}).`);
  }
  return result.state === 'max_steps' ? { answer: result.output, note: 'The agent hit its step limit; this is its best answer.' } : result.output;
}
