export { QuickJSExecutor, type QuickJSExecutorOptions } from './quickjs-executor.js';
export type { ModuleScript } from './quickjs-sandbox.js';
export type { QuickJSAsyncVariant } from './wasm-module.js';
