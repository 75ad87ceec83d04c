/**
 * The CodeAgent's default prompts. Each is a template kept in a Markdown file of its own under
 * prompts/: `{{name}}` placeholders are filled in when a run starts, and any of them can be
 * replaced through the `prompts` option.
 */
import { TEXTS } from './prompts/texts.js';

export const SYSTEM_PROMPT: string = TEXTS['system-prompt'];

export const INSTRUCTIONS_SECTION: string = TEXTS['instructions-section'];

export const NO_MODULES: string = TEXTS['no-modules'];
export const ALLOWED_MODULES: string = TEXTS['allowed-modules'];
