/**
 * What a run costs on OpenAI: tokens billed and cost at list price of 20- and 50-step runs of each
 * agent (OpenAI caches stable prefixes by itself: the "uncached" column is the same tokens at the
 * full input price), and with the context budget on a small window — against the local wire
 * server, which bills prompt caching as the API documents it.
 */
import { CodeAgent } from '@actkit/code-actions';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { benchRunCosts, startOpenAIServer } from '@actkit/testing';
import { createOpenAI } from '../src/index.js';

const MODEL = 'gpt-4.1';
await benchRunCosts({
  title: `run cost on OpenAI (${MODEL} list prices; local server billing prompt caching as the API does)`,
  modelId: MODEL,
  startServer: startOpenAIServer,
  model: (server) => createOpenAI({ apiKey: 'bench', baseURL: `${server.url}/v1`, maxRetries: 0 })(MODEL),
  agent: (kind, options) => {
    if (kind === 'tool-calling') return new ToolCallingAgent(options);
    const executor = new LocalExecutor();
    const agent = new CodeAgent({ ...options, executor });
    return Object.assign(agent, { close: () => executor.close() });
  },
  modes: [
    { name: 'default (prefix cached)', cache: true },
    { name: 'budget (16k window)', cache: true, contextBudget: { contextWindow: 16_000 } },
  ],
});
