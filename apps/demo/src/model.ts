import { createAnthropic } from '@actkit/anthropic';
import type { Model } from '@actkit/core';
import { createOpenAI } from '@actkit/openai';

/**
 * The demo's model: a real one when the environment names one, the scripted replay otherwise.
 *   OPENAI_API_KEY or OPENAI_BASE_URL (any OpenAI-compatible server) → OpenAI Chat Completions
 *   ANTHROPIC_API_KEY → Anthropic Messages
 *   ACTKIT_MODEL picks the model id; ACTKIT_PROVIDER=openai|anthropic|scripted forces a choice.
 */
export function pickModel(scripted: () => Model): { model: Model; real: boolean } {
  const env = process.env;
  const provider =
    env.ACTKIT_PROVIDER ?? (env.OPENAI_API_KEY || env.OPENAI_BASE_URL ? 'openai' : env.ANTHROPIC_API_KEY ? 'anthropic' : 'scripted');
  switch (provider) {
    case 'openai':
      return {
        model: createOpenAI({ ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}) })(env.ACTKIT_MODEL ?? 'gpt-4.1-mini'),
        real: true,
      };
    case 'anthropic':
      return { model: createAnthropic()(env.ACTKIT_MODEL ?? 'claude-sonnet-5-5'), real: true };
    case 'scripted':
      return { model: scripted(), real: false };
    default:
      throw new Error(`ACTKIT_PROVIDER must be openai, anthropic or scripted, not "${provider}".`);
  }
}
