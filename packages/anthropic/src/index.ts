import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk';
import { AnthropicModel, type AnthropicModelOptions } from './anthropic-model.js';

export interface AnthropicProviderSettings extends AnthropicModelOptions {
  /** Default: the ANTHROPIC_API_KEY environment variable. */
  apiKey?: string;
  baseURL?: string;
  headers?: Record<string, string>;
  /** Retries of 408/409/429/5xx/529, connection errors and timeouts, with backoff honouring `retry-after` up to `maxRetryAfterMs` (default 2). */
  maxRetries?: number;
  /** Longest one request may take, the reply's body included, in ms (SDK default 10 minutes). */
  timeout?: number;
  fetch?: ClientOptions['fetch'];
  /** Use this client instead of making one. */
  client?: Anthropic;
}

export type AnthropicProvider = (modelId: string, options?: AnthropicModelOptions) => AnthropicModel;

export function createAnthropic(settings: AnthropicProviderSettings = {}): AnthropicProvider {
  const { apiKey, baseURL, headers, maxRetries, timeout, fetch, client, ...modelDefaults } = settings;
  let shared = client;
  const getClient = () => {
    shared ??= new Anthropic({
      apiKey: apiKey ?? process.env.ANTHROPIC_API_KEY ?? null,
      ...(baseURL ? { baseURL } : {}),
      ...(headers ? { defaultHeaders: headers } : {}),
      ...(maxRetries !== undefined ? { maxRetries } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
      ...(fetch ? { fetch } : {}),
      // The SDK logs what it then throws (a malformed stream event): the adapter's typed error says it, so
      // nothing is printed unless asked for with ANTHROPIC_LOG. A client of the caller's logs as it was made to.
      ...(process.env.ANTHROPIC_LOG ? {} : { logLevel: 'off' as const }),
    });
    return shared;
  };
  return (modelId, options) => new AnthropicModel(modelId, getClient(), { ...modelDefaults, ...options });
}

/** `anthropic("claude-sonnet-5-5")`: a model on the Anthropic API with ANTHROPIC_API_KEY. */
export function anthropic(modelId: string, settings: AnthropicProviderSettings = {}): AnthropicModel {
  return createAnthropic(settings)(modelId);
}

export { AnthropicModel, type AnthropicModelOptions };
export { toAnthropicMessages } from './anthropic-model.js';
