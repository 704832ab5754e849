import { canonicalJson, hashOfCanonical } from '../hashing/canonical-json.js';
import { invalidInput } from '../resource/resource.errors.js';

export const MODEL_PROVIDERS = ['openai', 'azure_openai', 'anthropic', 'ollama'] as const;
const MAX_PARAMETERS_LENGTH = 16_384;
/** Parameter names that would carry a credential: profiles travel in events, secrets never do. */
const SECRET_NAME = new RegExp(
  '^(api[_-]?key|apikey|secret|client[_-]?secret|password|passwd|authorization|' +
    'auth[_-]?token|access[_-]?token|bearer|private[_-]?key)$',
  'i',
);

export interface ModelProfileContent {
  provider: string;
  model: string;
  /** Canonical JSON of the parameters. */
  parametersJson: string;
  contentHash: string;
}

export function modelProfileContent(provider: unknown, model: unknown, parameters: unknown): ModelProfileContent {
  if (typeof provider !== 'string' || !(MODEL_PROVIDERS as readonly string[]).includes(provider)) {
    throw invalidInput(`provider: one of ${MODEL_PROVIDERS.join(', ')} is required`);
  }
  if (typeof model !== 'string' || model.trim() === '' || model.length > 200)
    throw invalidInput('model: a non-empty string of at most 200 characters is required');
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))
    throw invalidInput('parameters: must be an object');
  const secret = secretPath(parameters, 'parameters');
  if (secret)
    throw invalidInput(
      `${secret}: looks like a credential; ` +
        "a model profile never holds secrets (the judge's key is configured by reference)",
    );
  let parametersJson: string;
  try {
    parametersJson = canonicalJson(parameters);
  } catch (error) {
    throw invalidInput(`parameters: ${(error as Error).message}`);
  }
  if (parametersJson.length > MAX_PARAMETERS_LENGTH)
    throw invalidInput(`parameters: at most ${MAX_PARAMETERS_LENGTH} characters of JSON`);
  return { provider, model, parametersJson, contentHash: hashOfCanonical({ provider, model, parameters }) };
}

function secretPath(value: unknown, path: string): string | null {
  if (Array.isArray(value))
    return value.map((item, index) => secretPath(item, `${path}[${index}]`)).find((found) => found !== null) ?? null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    if (SECRET_NAME.test(key)) return `${path}.${key}`;
    const found = secretPath(child, `${path}.${key}`);
    if (found) return found;
  }
  return null;
}
