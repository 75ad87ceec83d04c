/**
 * Default prompts of the ToolCallingAgent. Each is a template (`{{name}}` placeholders) kept in a
 * Markdown file of its own under prompts/, that users can replace through the agent's `prompts`
 * option.
 */
import { TEXTS } from './prompts/texts.js';

/** The system prompt when the model calls tools natively. Placeholders: {{tools}}, {{instructions}}. */
export const SYSTEM_PROMPT: string = TEXTS['system-prompt'];

/** Used when the model has no native tool calling: actions are JSON written in the reply. Placeholders: {{tools}}, {{instructions}}. */
export const TEXT_ACTIONS_PROMPT: string = TEXTS['text-actions-prompt'];

/** Where the agent's `instructions` go in the system prompt. Placeholder: {{instructions}}. */
export const INSTRUCTIONS_SECTION: string = TEXTS['instructions-section'];
