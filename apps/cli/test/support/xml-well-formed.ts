/**
 * A strict XML 1.0 well-formedness check for the reports (no XML parser among our
 * dependencies): one root, balanced and properly nested tags, quoted attributes without
 * a raw `<`, and only the five predefined entities or character references.
 * Returns the problems found; an empty list means well-formed.
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|([^<]+)|(<)/gy;
  let match: RegExpExecArray | null;
  while ((match = token.exec(body)) !== null) {
    const [, closing, name, attributes, selfClosing, text, stray] = match;
    if (stray) {
      problems.push(`stray "<" at ${match.index}`);
      break;
    }
    if (text !== undefined) {
      if (stack.length === 0 && text.trim() !== '') problems.push(`text outside the root: ${text.slice(0, 20)}`);
      problems.push(...entityProblems(text));
      continue;
    }
    problems.push(...entityProblems(attributes ?? ''));
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}>`);
    } else {
      if (stack.length === 0) roots += 1;
      if (!selfClosing) stack.push(name!);
    }
  }
  if (token.lastIndex !== 0 && token.lastIndex < body.length) problems.push(`unparsed input at ${token.lastIndex}`);
  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(xml)) problems.push('a control character XML cannot carry');
  return problems;
}

function entityProblems(text: string): string[] {
  const bad = text.match(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g);
  return bad ? [`${bad.length} bare "&"`] : [];
}
