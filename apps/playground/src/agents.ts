import {
  AGENT_KINDS,
  AGENT_LABELS,
  type AgentKind,
  type ApprovalPolicy,
  builtinTools,
  formatApprovalPolicy,
  isAgentKind,
  loadTaskSet,
  PROVIDERS,
  type Provider,
  resolveModel,
  SetupError,
  type Task,
} from '@actkit/app-kit';
import type { AnyTool } from '@actkit/core';

/**
 * What the page may choose: the two agents, the models this server can reach, example tasks
 * (actkit's comparison task set — the scripted model knows how to answer exactly these), and
 * the tools that can ask for approval.
 */
export const EXAMPLES: readonly Task[] = loadTaskSet();

/** A call waiting for the page's approve/deny counts as denied after this long. */
export const APPROVAL_TIMEOUT_MS = 10 * 60_000;

/** What the server was started with: tools of the user's own (`--tools`, `--mcp`) and the default approval policy (`--approve`). */
export interface PlaygroundSetup {
  extraTools: readonly AnyTool[];
  approve: ApprovalPolicy;
  env: NodeJS.ProcessEnv;
}

export const SCRIPTED_LABEL = 'scripted (replays recorded replies; no LLM is called)';

export interface ModelOption {
  id: Provider;
  label: string;
  /** Why it cannot be used on this server (a missing key), if so. */
  unavailable?: string;
}

/** Every tool a conversation's agent gets (besides `read_attachment`): the demo tools and the user's own. */
export function toolsOf(setup: PlaygroundSetup): AnyTool[] {
  return [...Object.values(builtinTools), ...setup.extraTools];
}

export function playgroundOptions(setup: PlaygroundSetup) {
  // Scripted first: it is the default, and works everywhere.
  const models: ModelOption[] = (['scripted', 'openai', 'anthropic'] as const).map((id) => {
    if (id === 'scripted') return { id, label: SCRIPTED_LABEL };
    try {
      return { id, label: resolveModel({ provider: id }, setup.env).label };
    } catch (error) {
      return { id, label: id, unavailable: (error as Error).message };
    }
  });
  return {
    agents: AGENT_KINDS.map((id) => ({ id, label: AGENT_LABELS[id] })),
    models,
    examples: EXAMPLES.map((t) => ({ id: t.id, task: t.task })),
    // The approval form: the server's default policy, and which tools can ask at all.
    approve: formatApprovalPolicy(setup.approve),
    approvalTools: toolsOf(setup).filter((t) => t.needsApproval).map((t) => t.name),
    extraTools: setup.extraTools.map((t) => t.name),
    approvalTimeoutMinutes: APPROVAL_TIMEOUT_MS / 60_000,
  };
}

/** The agent kind and model a new conversation asks for, checked; bad choices are SetupErrors with a message for the page. */
export function checkChoice(choice: { agent?: unknown; model?: unknown }, env: NodeJS.ProcessEnv) {
  const agent = typeof choice.agent === 'string' ? choice.agent : 'code';
  const model = typeof choice.model === 'string' ? choice.model : 'scripted';
  if (!isAgentKind(agent)) throw new SetupError('usage', `Unknown agent type "${agent}": use tool or code.`);
  if (!(PROVIDERS as readonly string[]).includes(model)) throw new SetupError('usage', `Unknown model "${model}": use ${PROVIDERS.join(', ')}.`);
  return { agent: agent as AgentKind, spec: resolveModel({ provider: model }, env) };
}
