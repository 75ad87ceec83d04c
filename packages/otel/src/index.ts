export { type TraceableOptions, type TracingOptions, traceModel, withTracing } from './tracing.js';
