export { E2BExecutor, type E2BExecutorOptions } from './e2b-executor.js';
export { e2bError, type E2BSandboxOptions, E2BSandboxService } from './e2b-service.js';
