import type { NotificationMessage } from './message.js';
import { truncate } from './message.js';

/**
 * The body of Jira Cloud's "Create issue" (REST v3, POST /rest/api/3/issue):
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post
 * The description is an Atlassian Document Format document:
 * https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */
export interface JiraIssueTarget {
  projectKey: string;
  issueType: string;
  /** Labels the issue carries; the first names the notification, for the search before creating. */
  labels: string[];
}

export type AdfInline = { type: 'text'; text: string; marks?: { type: string; attrs?: Record<string, string> }[] };
export type AdfBlock = Record<string, unknown>;

const PRIORITY: Record<string, string> = { critical: 'Highest', error: 'High', warning: 'Medium', info: 'Low' };

export const text = (value: string, marks?: AdfInline['marks']): AdfInline => ({
  type: 'text',
  text: value,
  ...(marks ? { marks } : {}),
});
export const paragraph = (...content: AdfInline[]): AdfBlock => ({ type: 'paragraph', content });
const heading = (value: string): AdfBlock => ({ type: 'heading', attrs: { level: 3 }, content: [text(value)] });
const bullets = (items: string[]): AdfBlock => ({
  type: 'bulletList',
  content: items.map((item) => ({ type: 'listItem', content: [paragraph(text(item))] })),
});

export function jiraDescription(message: NotificationMessage): AdfBlock {
  const content: AdfBlock[] = [
    paragraph(text(message.summary)),
    paragraph(text('Run: '), text(message.runUrl, [{ type: 'link', attrs: { href: message.runUrl } }])),
  ];
  if (message.failingRules.length > 0) content.push(heading('Failing rules'), bullets(message.failingRules));
  if (message.failure)
    content.push(
      heading('Failure'),
      paragraph(text(`${message.failure.reason}: ${message.failure.message || '(no message)'}`)),
    );
  content.push(heading('Versions'), bullets(message.facts.map((fact) => `${fact.name}: ${fact.value}`)));
  return { type: 'doc', version: 1, content };
}

export function jiraIssue(message: NotificationMessage, target: JiraIssueTarget): { fields: Record<string, unknown> } {
  return {
    fields: {
      project: { key: target.projectKey },
      issuetype: { name: target.issueType },
      summary: truncate(message.title, 255), // Jira refuses a summary over 255 characters
      description: jiraDescription(message),
      labels: target.labels,
      priority: { name: PRIORITY[message.severity] ?? 'Medium' },
    },
  };
}
