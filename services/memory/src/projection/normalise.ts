/**
 * A subject as memory compares it (the spec's norm): lowercase, whitespace collapsed, trailing
 * punctuation trimmed. Used for the read model's subject index and deletion requests by subject.
 */
export function normaliseText(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s\p{P}]+$/u, '');
}
