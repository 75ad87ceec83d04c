/**
 * What a run costs on Anthropic: tokens billed and cost at list price of 20- and 50-step runs of
 * each agent, with the conversation cached (the default), with only the system prompt and tools
 * cached, and with the context budget on a small window — against the local wire server, which
 * bills prompt caching as the API documents it.
 */
import { CodeAgent } from '@actkit/code-actions';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { benchRunCosts, startAnthropicServer } from '@actkit/testing';
import { createAnthropic } from '../src/index.js';

const MODEL = 'claude-sonnet-5-5';
await benchRunCosts({
  title: `run cost on Anthropic (${MODEL} list prices; local server billing prompt caching as the API does)`,
  modelId: MODEL,
  startServer: startAnthropicServer,
  model: (server, mode) => createAnthropic({ apiKey: 'bench', baseURL: server.url, maxRetries: 0 })(MODEL, { cacheConversation: mode.cache }),
  agent: (kind, options) => {
    if (kind === 'tool-calling') return new ToolCallingAgent(options);
    const executor = new LocalExecutor();
    const agent = new CodeAgent({ ...options, executor });
    return Object.assign(agent, { close: () => executor.close() });
  },
  modes: [
    { name: 'conversation cached', cache: true },
    { name: 'system + tools cached only', cache: false },
    { name: 'cached + budget (16k win)', cache: true, contextBudget: { contextWindow: 16_000 } },
  ],
  target: { kind: 'tool-calling', steps: 20, mode: 'conversation cached', maxInputCostShare: 0.35 },
});
