import 'reflect-metadata';
import { runInstrumented } from '@evalvault/platform/instrumentation';

// The service is loaded only once pg is instrumented (when spans are exported).
await runInstrumented(async () => (await import('./notifier.service.js')).NOTIFIER_SERVICE, process.env);
