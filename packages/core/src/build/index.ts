/**
 * Build-time tools of actkit's packages (`@actkit/core/build`): how texts kept in files (the
 * prompts) are inlined into what a package ships. Nothing at run time imports it.
 */
export { exactPathFilter, readTextFolder, TEXTS_EXPORT, TEXTS_MODULE, type TextFolderPlugin, textFolderEsbuildPlugin } from './text-folder.js';
