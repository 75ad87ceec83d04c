import { readTextFolder } from '../build/text-folder.js';

/**
 * The loop's prompts, one Markdown file each in this folder (see ../prompts.ts). Read from the
 * files when running from source; inlined by the build (core/build/text-folder.ts).
 */
export const TEXTS = readTextFolder(import.meta.url, [
  'initial-plan',
  'update-plan',
  'max-steps-answer',
  'max-steps-schema',
  'output-schema',
  'schema-mismatch',
  'answer-rejected',
  'managed-agent-task',
]);
