export { DockerExecutor, type DockerExecutorOptions } from './docker-executor.js';
export { CONTAINER_LABEL, DockerSandboxProvider, type DockerSandboxOptions, sweepOrphans } from './docker-sandbox.js';
export { buildOfflineNodeImage, type OfflineNodeImageOptions } from './offline-image.js';
export { DockerStandInService } from './stand-in-service.js';
