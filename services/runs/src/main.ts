import 'reflect-metadata';
import { runInstrumented } from '@evalvault/platform/instrumentation';

// The service is loaded only once pg is instrumented (when spans are exported).
await runInstrumented(async () => (await import('./runs.service.js')).RUNS_SERVICE, process.env);
