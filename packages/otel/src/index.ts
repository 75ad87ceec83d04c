export { createTracingHooks, type TracingOptions } from './tracing.js';
