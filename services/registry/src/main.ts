import 'reflect-metadata';
import { runInstrumented } from '@evalvault/platform/instrumentation';

// The service is loaded only once pg is instrumented (when spans are exported).
await runInstrumented(async () => (await import('./registry.service.js')).REGISTRY_SERVICE, process.env);
