// The registry's public routes (datasets, prompts, model profiles, project policies) and the client port they call.
import type { Type } from '@nestjs/common';
import { DatasetsController } from './datasets.controller.js';
import { ProjectPolicyController } from './project-policy.controller.js';
import { RegistryDefinitionsController } from './registry-definitions.controller.js';
import { registryResourceController } from './registry-resources.controller.js';

export { REGISTRY_CLIENT } from './registry-identity.js';
export {
  HttpRegistryClient,
  inProcessRegistryClient,
  type DatasetUploadFunction,
  type RegistryClient,
} from './registry-client.js';
export { installDatasetUploads } from './dataset-uploads.js';
export { pinRunReferences, projectPolicyOf, type RunReference, type SubmitRunBody } from './run-pinning.js';

/** Registration routes first: `POST …/datasets` and the shared per-kind routes live on the same paths. */
export const REGISTRY_CONTROLLERS: Type[] = [
  DatasetsController,
  RegistryDefinitionsController,
  registryResourceController('dataset'),
  registryResourceController('prompt'),
  registryResourceController('model_profile'),
  ProjectPolicyController,
];
