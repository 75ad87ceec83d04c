import { readTextFolder } from '@actkit/core/build';

/**
 * The ToolCallingAgent's prompts, one Markdown file each in this folder (see ../prompts.ts). Read
 * from the files when running from source; inlined by the build (`@actkit/core/build`).
 */
export const TEXTS = readTextFolder(import.meta.url, ['system-prompt', 'text-actions-prompt', 'instructions-section']);
