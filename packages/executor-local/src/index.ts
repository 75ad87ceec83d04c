export { InProcessExecutor, type IsolateLimits } from './in-process-executor.js';
export { LocalExecutor, type LocalExecutorOptions } from './local-executor.js';
