import OpenAI, { AzureOpenAI, type ClientOptions } from 'openai';
import { OpenAIChatModel, type OpenAIChatModelOptions } from './openai-chat-model.js';

export interface OpenAIProviderSettings extends OpenAIChatModelOptions {
  /** Default: the OPENAI_API_KEY environment variable (servers that need no key accept any text). */
  apiKey?: string;
  /** For OpenAI-compatible servers, e.g. "http://localhost:11434/v1" (Ollama). */
  baseURL?: string;
  organization?: string;
  project?: string;
  headers?: Record<string, string>;
  /** Retries of 408/409/429/5xx, connection errors and timeouts, with backoff honouring `retry-after` up to `maxRetryAfterMs` (default 2). */
  maxRetries?: number;
  /** Longest one request may take, the reply's body included, in ms (SDK default 10 minutes). */
  timeout?: number;
  fetch?: ClientOptions['fetch'];
  /** Use this client instead of making one (e.g. an `AzureOpenAI`). */
  client?: OpenAI;
}

/** A provider: call it with a model id to get a `Model`. */
export type OpenAIProvider = (modelId: string, options?: OpenAIChatModelOptions) => OpenAIChatModel;

export function createOpenAI(settings: OpenAIProviderSettings = {}): OpenAIProvider {
  const { apiKey, baseURL, organization, project, headers, maxRetries, timeout, fetch, client, ...modelDefaults } = settings;
  let shared = client;
  const getClient = () => {
    shared ??= new OpenAI({
      apiKey: apiKey ?? process.env.OPENAI_API_KEY ?? (baseURL ? 'not-needed' : undefined),
      ...(baseURL ? { baseURL } : {}),
      ...(organization ? { organization } : {}),
      ...(project ? { project } : {}),
      ...(headers ? { defaultHeaders: headers } : {}),
      ...(maxRetries !== undefined ? { maxRetries } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
      ...(fetch ? { fetch } : {}),
      // The SDK logs what it then throws (a malformed stream event): the adapter's typed error says it, so
      // nothing is printed unless asked for with OPENAI_LOG. A client of the caller's logs as it was made to.
      ...(process.env.OPENAI_LOG ? {} : { logLevel: 'off' as const }),
    });
    return shared;
  };
  return (modelId, options) => new OpenAIChatModel(modelId, getClient(), { ...modelDefaults, ...options });
}

/** `openai("gpt-4.1")`: a model on api.openai.com with OPENAI_API_KEY. */
export function openai(modelId: string, settings: OpenAIProviderSettings = {}): OpenAIChatModel {
  return createOpenAI(settings)(modelId);
}

export { AzureOpenAI, OpenAIChatModel, type OpenAIChatModelOptions };
export { toOpenAIMessages } from './openai-chat-model.js';
