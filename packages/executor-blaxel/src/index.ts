export { BlaxelExecutor, type BlaxelExecutorOptions } from './blaxel-executor.js';
export { blaxelError, type BlaxelSandboxOptions, BlaxelSandboxService } from './blaxel-service.js';
