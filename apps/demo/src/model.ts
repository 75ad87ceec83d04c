import { createModel, resolveModel } from '@actkit/app-kit';
import type { Model } from '@actkit/core';

/**
 * The demo's model: a real one when the environment names one, the scripted replay otherwise —
 * chosen the same way as by the CLI and the playground (`@actkit/app-kit`):
 *   OPENAI_API_KEY or OPENAI_BASE_URL (any OpenAI-compatible server) → OpenAI Chat Completions
 *   ANTHROPIC_API_KEY → Anthropic Messages
 *   ACTKIT_MODEL picks the model id; ACTKIT_PROVIDER=openai|anthropic|scripted forces a choice.
 */
export function pickModel(scripted: () => Model): { model: Model; real: boolean } {
  const spec = resolveModel({}, process.env, 'scripted');
  return spec.provider === 'scripted' ? { model: scripted(), real: false } : { model: createModel(spec), real: true };
}
