import { readFileSync } from 'node:fs';
import { createAnthropic } from '@actkit/anthropic';
import type { Model } from '@actkit/core';
import { createOpenAI } from '@actkit/openai';
import { ScriptedModel, type ScriptedReply } from '@actkit/testing';
import { SetupError } from './errors.js';

export const PROVIDERS = ['openai', 'anthropic', 'scripted'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const DEFAULT_MODEL_IDS: Record<Provider, string> = {
  openai: 'gpt-4.1-mini',
  anthropic: 'claude-sonnet-5-5',
  scripted: 'scripted',
};

/** What a person asked for, from flags or a form; every field optional. */
export interface ModelRequest {
  /** A model id ("gpt-4.1-mini"), with an optional provider prefix ("anthropic:claude-…"), or "scripted". */
  model?: string | undefined;
  provider?: string | undefined;
  /** An OpenAI-compatible server (Ollama, vLLM, LM Studio…) or an API proxy. */
  baseUrl?: string | undefined;
  /** The environment variable that holds the API key (default OPENAI_API_KEY / ANTHROPIC_API_KEY). */
  apiKeyEnv?: string | undefined;
}

/** A model choice that has been checked: everything needed to create the model. */
export interface ModelSpec {
  provider: Provider;
  modelId: string;
  baseUrl?: string;
  apiKey?: string;
  /** For people: "openai gpt-4.1-mini", "openai llama3.2 at http://…", "scripted". */
  label: string;
}

/** The provider a model id belongs to, when its family says so. */
const familyOf = (id: string | undefined): Provider | undefined =>
  id === 'scripted' ? 'scripted' : id?.startsWith('claude') ? 'anthropic' : id && /^(gpt|o\d|chatgpt)/.test(id) ? 'openai' : undefined;

/**
 * Works out the provider and model from the request and the environment, and checks that its
 * key is there, so a missing key is reported before any agent starts. The provider is the first
 * of: the request's, a "provider:" prefix on the model id, the family of the requested model id
 * (gpt-…/o…: OpenAI, claude-…: Anthropic), ACTKIT_PROVIDER, the family of ACTKIT_MODEL, OpenAI
 * when a base URL is given — and then, if the request names no model at all, `whenUnset` (e.g.
 * "scripted" for an offline demonstration) or else whichever of OPENAI_API_KEY, OPENAI_BASE_URL,
 * ANTHROPIC_API_KEY is set.
 */
export function resolveModel(request: ModelRequest, env: NodeJS.ProcessEnv = process.env, whenUnset?: Provider): ModelSpec {
  let requested = request.model;
  let provider = request.provider;
  const prefixed = /^(openai|anthropic|scripted):(.*)$/.exec(requested ?? '');
  if (prefixed) {
    provider ??= prefixed[1];
    requested = prefixed[2] || undefined;
  }
  const id = requested || env.ACTKIT_MODEL || undefined;
  const baseUrl = request.baseUrl;
  provider ??= familyOf(requested) ?? (env.ACTKIT_PROVIDER || undefined) ?? familyOf(id) ?? (baseUrl ? 'openai' : undefined);
  if (provider !== undefined && !PROVIDERS.includes(provider as Provider)) {
    throw new SetupError('usage', `Unknown provider "${provider}": use ${PROVIDERS.join(', ')}.`);
  }
  provider ??= (!id && whenUnset) || (env.OPENAI_API_KEY || env.OPENAI_BASE_URL ? 'openai' : env.ANTHROPIC_API_KEY ? 'anthropic' : undefined);
  if (!provider && id) throw new SetupError('usage', `Which provider serves "${id}"? Name it: --provider openai|anthropic, or "openai:${id}", or --base-url.`);
  if (!provider) {
    throw new SetupError(
      'config',
      'No model is configured: set OPENAI_API_KEY or ANTHROPIC_API_KEY, name an OpenAI-compatible server ' +
        '(--base-url / OPENAI_BASE_URL), or use the offline scripted model (--model scripted --script replies.json).',
    );
  }
  return checked(provider as Provider, id, baseUrl, request.apiKeyEnv, env);
}

/** The provider's key and URL, checked. */
function checked(
  provider: Provider,
  id: string | undefined,
  baseUrl: string | undefined,
  apiKeyEnv: string | undefined,
  env: NodeJS.ProcessEnv,
): ModelSpec {
  if (provider === 'scripted') return { provider, modelId: 'scripted', label: 'scripted' };
  const keyVar = apiKeyEnv ?? (provider === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY');
  const apiKey = env[keyVar] || undefined;
  const url = baseUrl ?? (provider === 'openai' ? env.OPENAI_BASE_URL : env.ANTHROPIC_BASE_URL) ?? undefined;
  if (apiKeyEnv && !apiKey) throw new SetupError('config', `${keyVar} is not set (it was named as the variable holding the API key).`);
  if (!apiKey && provider === 'anthropic') throw new SetupError('config', 'ANTHROPIC_API_KEY is not set.');
  // A local OpenAI-compatible server usually needs no key; api.openai.com always does.
  if (!apiKey && !url) {
    throw new SetupError('config', 'OPENAI_API_KEY is not set. Set it, or use an OpenAI-compatible server (--base-url / OPENAI_BASE_URL).');
  }
  if (url && !/^https?:\/\//.test(url)) throw new SetupError('usage', `The base URL must start with http:// or https://, not "${url}".`);
  const modelId = id || DEFAULT_MODEL_IDS[provider];
  return {
    provider,
    modelId,
    ...(url ? { baseUrl: url } : {}),
    ...(apiKey ? { apiKey } : {}),
    label: `${provider} ${modelId}${url ? ` at ${url}` : ''}`,
  };
}

/** The model of a checked choice; the scripted model needs its replies. */
export function createModel(spec: ModelSpec, script?: ScriptedReply[], options: { latencyMs?: number; loop?: boolean } = {}): Model {
  switch (spec.provider) {
    case 'scripted':
      if (!script) throw new SetupError('usage', 'The scripted model needs its replies: pass --script replies.json (see the CLI examples/).');
      return new ScriptedModel(script, { modelId: 'scripted', ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}), ...(options.loop ? { loop: true } : {}) });
    case 'openai':
      // The key is always passed: a local server without one gets a placeholder (the SDK insists on a key).
      return createOpenAI({ apiKey: spec.apiKey ?? 'not-needed', ...(spec.baseUrl ? { baseURL: spec.baseUrl } : {}) })(spec.modelId);
    case 'anthropic':
      return createAnthropic({ ...(spec.apiKey ? { apiKey: spec.apiKey } : {}), ...(spec.baseUrl ? { baseURL: spec.baseUrl } : {}) })(spec.modelId);
  }
}

/**
 * Replies for the scripted model from a JSON file: an array of texts (code agents) or objects
 * `{ text?, toolCalls?: [{ name, input }] }` (tool-calling agents); `{ "error": "…" }` scripts a
 * failing model API.
 */
export function loadScript(path: string): ScriptedReply[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SetupError('usage', `Cannot read the script ${path}: ${(error as Error).message}`);
  }
  return scriptFrom(parsed, path);
}

/** Checks a parsed script and turns `{ "error": "…" }` replies into thrown errors. */
export function scriptFrom(parsed: unknown, where: string): ScriptedReply[] {
  const ok = (r: unknown) => typeof r === 'string' || (typeof r === 'object' && r !== null && !Array.isArray(r));
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(ok)) {
    throw new SetupError('usage', `The script ${where} must be a non-empty JSON array of replies (texts or objects).`);
  }
  return parsed.map((r) => (typeof r === 'object' && typeof r.error === 'string' ? { ...r, error: new Error(r.error) } : r));
}
