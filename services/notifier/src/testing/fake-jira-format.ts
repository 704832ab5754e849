import { check } from './fake-vendor-server.js';

/** Jira's documented request formats, as the fake checks them (fake-jira.ts says which endpoints). */
const PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];
const ADF_BLOCKS = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'listItem',
  'codeBlock',
  'blockquote',
  'rule',
  'table',
  'panel',
]);

export function validateFields(fields: Record<string, unknown>, projectKeys: string[], problems: string[]): void {
  const project = fields['project'];
  if (
    check.object(project, 'fields.project', problems) &&
    check.string(project['key'], 'fields.project.key', problems) &&
    !projectKeys.includes(project['key'])
  ) {
    problems.push(`fields.project.key ${project['key']} is not a project`);
  }
  const issueType = fields['issuetype'];
  if (check.object(issueType, 'fields.issuetype', problems))
    check.string(issueType['name'], 'fields.issuetype.name', problems);
  if (check.string(fields['summary'], 'fields.summary', problems, 255) && /[\r\n]/.test(fields['summary']))
    problems.push('fields.summary must be one line');
  validateAdf(fields['description'], problems);
  if (check.array(fields['labels'], 'fields.labels', problems)) {
    for (const label of fields['labels'])
      if (typeof label !== 'string' || /\s/.test(label) || label.length > 255)
        problems.push('fields.labels must be strings without spaces');
  }
  const priority = fields['priority'];
  if (priority !== undefined && check.object(priority, 'fields.priority', problems))
    check.oneOf(priority['name'], 'fields.priority.name', PRIORITIES, problems);
}

/** ADF: a doc of version 1 whose content are block nodes; text nodes non-empty, link marks with an href. */
export function validateAdf(doc: unknown, problems: string[], at = 'fields.description'): void {
  if (!check.object(doc, at, problems)) return;
  if (doc['type'] !== 'doc' || doc['version'] !== 1) problems.push(`${at} must be an ADF doc of version 1`);
  if (!check.array(doc['content'], `${at}.content`, problems)) return;
  const visit = (node: unknown, path: string, topLevel: boolean): void => {
    if (!check.object(node, path, problems)) return;
    const type = node['type'];
    if (topLevel && !ADF_BLOCKS.has(String(type))) problems.push(`${path}.type ${String(type)} is not a block node`);
    if (type === 'text') {
      check.string(node['text'], `${path}.text`, problems);
      for (const mark of (node['marks'] as { type: string; attrs?: { href?: string } }[] | undefined) ?? []) {
        if (mark.type === 'link' && !/^https?:\/\//.test(mark.attrs?.href ?? ''))
          problems.push(`${path}: a link mark needs attrs.href`);
      }
      return;
    }
    if (
      type === 'heading' &&
      ![1, 2, 3, 4, 5, 6].includes((node['attrs'] as { level?: number } | undefined)?.level ?? 0)
    )
      problems.push(`${path}: heading needs attrs.level 1-6`);
    const content = node['content'];
    if (content !== undefined && check.array(content, `${path}.content`, problems))
      content.forEach((child, index) => visit(child, `${path}.content[${index}]`, false));
  };
  doc['content'].forEach((node, index) => visit(node, `${at}.content[${index}]`, true));
}
