// The bundling of allowed modules is shared with the remote executors: it lives in @actkit/code-actions.
export { bundleModules, type ModuleBundle } from '@actkit/code-actions';
