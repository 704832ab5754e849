/** Retrieved contexts as the judge sees them: numbered blocks, in retrieval order. */
export function contextsBlock(contexts: readonly string[]): string {
  return contexts.map((text, index) => `[Context ${index + 1}]\n${text}`).join('\n\n');
}

/** Items the judge must answer one by one, numbered from 1 so that it can keep count. */
export function numberedList(items: readonly string[]): string {
  return items.map((item, index) => `${index + 1}. ${item}`).join('\n');
}
