/** Scores and shares in explanations: two decimals, as people read them ("0.67"). */
export function fmt(value: number): string {
  return value.toFixed(2);
}

/** A quoted, shortened text for explanations, so one long claim does not swamp the rest. */
export function quote(text: string, maxLength = 80): string {
  const shortened = text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
  return JSON.stringify(shortened);
}
