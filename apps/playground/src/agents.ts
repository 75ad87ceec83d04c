import {
  AGENT_KINDS,
  AGENT_LABELS,
  type AppAgent,
  builtinTools,
  createAgent,
  createModel,
  isAgentKind,
  loadTaskSet,
  PROVIDERS,
  type Provider,
  resolveModel,
  SetupError,
} from '@actkit/app-kit';

/**
 * What the page may choose: the two agents, the models this server can reach, and example tasks
 * (actkit's comparison task set — the scripted model knows how to answer exactly these).
 */
const EXAMPLES = loadTaskSet();

export interface ModelOption {
  id: Provider;
  label: string;
  /** Why it cannot be used on this server (a missing key), if so. */
  unavailable?: string;
}

export function playgroundOptions(env: NodeJS.ProcessEnv = process.env) {
  // Scripted first: it is the default, and works everywhere.
  const models: ModelOption[] = (['scripted', 'openai', 'anthropic'] as const).map((id) => {
    if (id === 'scripted') return { id, label: 'scripted (offline replay)' };
    try {
      return { id, label: resolveModel({ provider: id }, env).label };
    } catch (error) {
      return { id, label: id, unavailable: (error as Error).message };
    }
  });
  return {
    agents: AGENT_KINDS.map((id) => ({ id, label: AGENT_LABELS[id] })),
    models,
    examples: EXAMPLES.map((t) => ({ id: t.id, task: t.task })),
  };
}

/** Scripted replies are paced so that a person can watch the steps arrive. */
const SCRIPTED_LATENCY_MS = 350;

/** The agent for one run of the page; bad choices are SetupErrors with a message for the page. */
export async function createPlaygroundAgent(choice: { task: string; agent: string; model: string }, env: NodeJS.ProcessEnv = process.env): Promise<AppAgent> {
  if (!isAgentKind(choice.agent)) throw new SetupError('usage', `Unknown agent type "${choice.agent}": use tool or code.`);
  if (!(PROVIDERS as readonly string[]).includes(choice.model)) throw new SetupError('usage', `Unknown model "${choice.model}": use ${PROVIDERS.join(', ')}.`);
  const example = EXAMPLES.find((t) => t.task === choice.task);
  const spec = resolveModel({ provider: choice.model }, env);
  if (spec.provider === 'scripted' && !example) {
    throw new SetupError('usage', 'The scripted model only knows the example tasks: pick one from the list, or choose a real model for your own task.');
  }
  const model = createModel(spec, example?.scripted?.[choice.agent], { latencyMs: SCRIPTED_LATENCY_MS });
  // An example brings its own tools; a task of your own gets every demo tool.
  const tools = example ? example.tools.map((name) => builtinTools[name]!) : Object.values(builtinTools);
  return createAgent({ agent: choice.agent, model, tools, maxSteps: 10 });
}
