import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Package root: one level above both src/ (tests) and dist/ (runtime). */
export const CONTRACTS_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ContractsLayout {
  schemasDir: string;
  publishedDir: string;
  generatedTypesFile: string;
}

export function contractsLayout(root: string = CONTRACTS_ROOT): ContractsLayout {
  return {
    schemasDir: join(root, 'schemas'),
    publishedDir: join(root, 'published'),
    generatedTypesFile: join(root, 'src', 'generated', 'events.ts'),
  };
}
