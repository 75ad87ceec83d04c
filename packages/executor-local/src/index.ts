export { type HostThreadActions, InProcessExecutor, type InProcessOptions, type IsolateLimits } from './in-process-executor.js';
export { IsolatedVmUnavailableError } from './isolated-vm-unavailable.js';
export { LocalExecutor, type LocalExecutorOptions } from './local-executor.js';
