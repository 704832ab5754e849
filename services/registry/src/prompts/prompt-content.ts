import { hashOfCanonical } from '../hashing/canonical-json.js';
import { invalidInput } from '../resource/resource.errors.js';

export const MAX_TEMPLATE_LENGTH = 100_000;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

export interface PromptContent {
  template: string;
  /** Sorted: the set of names the template takes. */
  variables: string[];
  contentHash: string;
}

/**
 * A prompt's content: its template and the variables it takes. Without a variables list the
 * `{{name}}` placeholders of the template are the variables. The hash covers both, so the
 * same template declaring other variables is another version.
 */
export function promptContent(template: unknown, variables: unknown): PromptContent {
  if (typeof template !== 'string' || template.trim() === '')
    throw invalidInput('template: a non-empty string is required');
  if (template.length > MAX_TEMPLATE_LENGTH) throw invalidInput(`template: at most ${MAX_TEMPLATE_LENGTH} characters`);
  const names = variables === undefined || variables === null ? placeholdersOf(template) : checkedVariables(variables);
  const sorted = [...new Set(names)].sort();
  return { template, variables: sorted, contentHash: hashOfCanonical({ template, variables: sorted }) };
}

function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!);
}

function checkedVariables(variables: unknown): string[] {
  if (!Array.isArray(variables)) throw invalidInput('variables: must be an array of names');
  if (variables.length > 100) throw invalidInput('variables: at most 100');
  variables.forEach((name, index) => {
    if (typeof name !== 'string' || !VARIABLE.test(name))
      throw invalidInput(
        `variables[${index}]: a name of letters, digits, _ . - is required, starting with a letter or _`,
      );
  });
  const names = variables as string[];
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) throw invalidInput(`variables: "${repeated}" is listed twice`);
  return names;
}
