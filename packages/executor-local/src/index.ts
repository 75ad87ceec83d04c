export { LocalExecutor, type LocalExecutorOptions } from './local-executor.js';
