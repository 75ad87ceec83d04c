import { CodeAgent } from '@actkit/code-actions';
import type { AgentHooks, AnyTool, ApprovalOptions, CodeExecutor, Model, MultiStepAgent } from '@actkit/core';
import { ToolCallingAgent } from '@actkit/json-actions';
import { SetupError } from './errors.js';

export const AGENT_KINDS = ['tool', 'code'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];
export const EXECUTORS = ['local', 'quickjs', 'docker'] as const;

export const AGENT_LABELS: Record<AgentKind, string> = {
  tool: 'ToolCallingAgent (JSON tool calls)',
  code: 'CodeAgent (JavaScript code actions)',
};

export interface AgentSetup {
  agent: string;
  model: Model;
  tools: AnyTool[];
  /** Where code actions run: "local" (V8 isolates, default), "quickjs" (WebAssembly) or "docker". */
  executor?: string;
  /** The Docker image (default ACTKIT_DOCKER_IMAGE, else "actkit-runner:latest"). */
  dockerImage?: string | undefined;
  maxSteps?: number;
  hooks?: AgentHooks;
  /** How calls of tools that need approval are decided (a prompt at the terminal, buttons on a page). */
  approval?: ApprovalOptions;
  /** Values every tool gets as `context.context` (e.g. the files a person attached). */
  toolContext?: Record<string, unknown>;
}

export type AppAgent = MultiStepAgent & { close?: () => Promise<void> };

export function isAgentKind(value: string): value is AgentKind {
  return (AGENT_KINDS as readonly string[]).includes(value);
}

/**
 * A ToolCallingAgent or a CodeAgent. A CodeAgent's executor is started here, before the model is
 * called, so an engine that is missing or down is reported as a setup problem rather than as a
 * failed step after a paid model call.
 */
export async function createAgent(setup: AgentSetup): Promise<AppAgent> {
  if (!isAgentKind(setup.agent)) throw new SetupError('usage', `Unknown agent "${setup.agent}": use tool or code.`);
  const base = {
    model: setup.model,
    tools: setup.tools,
    ...(setup.maxSteps ? { maxSteps: setup.maxSteps } : {}),
    ...(setup.hooks ? { hooks: setup.hooks } : {}),
    ...(setup.approval ? { approval: setup.approval } : {}),
    ...(setup.toolContext ? { toolContext: setup.toolContext } : {}),
  };
  if (setup.agent === 'tool') return new ToolCallingAgent(base);
  const executor = await startExecutor(setup.executor ?? 'local', setup.dockerImage);
  return new CodeAgent({ ...base, executor });
}

async function startExecutor(name: string, dockerImage: string | undefined): Promise<CodeExecutor> {
  let executor: CodeExecutor & { warmUp?: () => Promise<void> };
  let hint: string;
  if (name === 'local') {
    const { LocalExecutor } = await import('@actkit/executor-local');
    executor = new LocalExecutor();
    hint = 'The local executor needs isolated-vm built for this Node.js (pnpm install builds it).';
  } else if (name === 'quickjs') {
    const { QuickJSExecutor } = await import('@actkit/executor-quickjs');
    executor = new QuickJSExecutor();
    hint = 'The QuickJS executor loads QuickJS compiled to WebAssembly (@jitl/quickjs-wasmfile-release-asyncify): reinstall if it is missing.';
  } else if (name === 'docker') {
    const docker = (await import('@actkit/executor-docker').catch(() => undefined)) as typeof import('@actkit/executor-docker') | undefined;
    if (!docker?.DockerExecutor) throw new SetupError('config', 'The Docker executor is not available in this build of actkit (@actkit/executor-docker exports no DockerExecutor).');
    const image = dockerImage ?? process.env.ACTKIT_DOCKER_IMAGE ?? 'actkit-runner:latest';
    executor = new docker.DockerExecutor({ image });
    hint = `Is the Docker engine running (DOCKER_HOST), and does the image "${image}" exist? Choose another with --docker-image or ACTKIT_DOCKER_IMAGE.`;
  } else {
    throw new SetupError('usage', `Unknown executor "${name}": use ${EXECUTORS.join(' or ')}.`);
  }
  try {
    await executor.warmUp?.();
  } catch (error) {
    await executor.close().catch(() => {});
    throw new SetupError('config', `The ${name} executor could not start: ${(error as Error).message}\n${hint}`, { cause: error });
  }
  return executor;
}
