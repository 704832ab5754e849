import { check, FakeVendorServer, type ReceivedRequest, type VendorAnswer } from './fake-vendor-server.js';

/**
 * Jira Cloud REST v3, as far as the notifier uses it, checked against the documentation:
 * - POST /rest/api/3/issue
 *   (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post):
 *   fields.project.key, fields.issuetype.name, fields.summary (≤ 255, one line), fields.description in
 *   Atlassian Document Format (https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/),
 *   fields.labels (strings without spaces), fields.priority.name; answers 201 {id, key, self}.
 * - GET /rest/api/3/search/jql: the JQL `labels = "<label>"` is all it understands; answers
 *   {issues: [{id, key}], isLast}. Documented at
 *   https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get
 * - Auth: Basic base64(email:api-token) (https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/)
 *   or Bearer <personal access token>; anything else is 401.
 * Errors are Jira's shape: {errorMessages: [], errors: {field: message}}.
 */
export interface FakeJiraIssue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
}

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

export class FakeJira extends FakeVendorServer {
  readonly issues: FakeJiraIssue[] = [];

  constructor(
    private readonly auth: { email: string | null; token: string },
    private readonly projectKeys: string[] = ['OPS'],
  ) {
    super();
  }

  static start(auth: { email: string | null; token: string }, projectKeys?: string[]): Promise<FakeJira> {
    return new FakeJira(auth, projectKeys).listen();
  }

  issuesLabelled(label: string): FakeJiraIssue[] {
    return this.issues.filter((issue) => (issue.fields['labels'] as string[]).includes(label));
  }

  protected handle(request: ReceivedRequest): VendorAnswer {
    if (!this.authorised(request)) {
      request.problems.push('missing or wrong Authorization');
      return { status: 401, body: { errorMessages: ['You are not authenticated.'], errors: {} } };
    }
    if (request.method === 'POST' && request.path === '/rest/api/3/issue') return this.createIssue(request);
    if (request.method === 'GET' && request.path === '/rest/api/3/search/jql') return this.search(request);
    request.problems.push(`no such endpoint ${request.method} ${request.path}`);
    return { status: 404, body: { errorMessages: ['Not found'], errors: {} } };
  }

  private authorised(request: ReceivedRequest): boolean {
    const expected = this.auth.email
      ? `Basic ${Buffer.from(`${this.auth.email}:${this.auth.token}`).toString('base64')}`
      : `Bearer ${this.auth.token}`;
    return request.headers['authorization'] === expected;
  }

  private search(request: ReceivedRequest): VendorAnswer {
    const match = /^labels = "([^"\s]+)"$/.exec(request.query.get('jql') ?? '');
    if (!match) {
      request.problems.push(`unsupported JQL ${request.query.get('jql')}`);
      return { status: 400, body: { errorMessages: ['Error in the JQL Query'], errors: {} } };
    }
    return {
      status: 200,
      body: {
        issues: this.issuesLabelled(match[1]!).map(({ id, key }) => ({
          id,
          key,
          self: `${this.url}/rest/api/3/issue/${id}`,
        })),
        isLast: true,
      },
    };
  }

  private createIssue(request: ReceivedRequest): VendorAnswer {
    const problems = request.problems;
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json'))
      problems.push('Content-Type must be application/json');
    const fields = (request.body as { fields?: unknown } | null)?.fields;
    if (check.object(fields, 'fields', problems)) validateFields(fields, this.projectKeys, problems);
    if (problems.length > 0)
      return {
        status: 400,
        body: { errorMessages: [], errors: Object.fromEntries(problems.map((p) => [p.split(' ')[0], p])) },
      };
    const id = String(10_000 + this.issues.length);
    const key = `${(fields as { project: { key: string } }).project.key}-${this.issues.length + 1}`;
    this.issues.push({ id, key, fields: fields as Record<string, unknown> });
    return { status: 201, body: { id, key, self: `${this.url}/rest/api/3/issue/${id}` } };
  }
}

function validateFields(fields: Record<string, unknown>, projectKeys: string[], problems: string[]): void {
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
function validateAdf(doc: unknown, problems: string[]): void {
  if (!check.object(doc, 'fields.description', problems)) return;
  if (doc['type'] !== 'doc' || doc['version'] !== 1)
    problems.push('fields.description must be an ADF doc of version 1');
  if (!check.array(doc['content'], 'fields.description.content', problems)) return;
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
  doc['content'].forEach((node, index) => visit(node, `fields.description.content[${index}]`, true));
}
