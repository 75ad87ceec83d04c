// The bundling of allowed modules is shared by every in-process executor: it lives in @actkit/code-actions.
export { bundleModules, type ModuleBundle } from '@actkit/code-actions';
