import { check, FakeVendorServer, type ReceivedRequest, type VendorAnswer } from './fake-vendor-server.js';
import { validateAdf, validateFields } from './fake-jira-format.js';

/**
 * Jira Cloud REST v3, as far as the notifier uses it, checked against the documentation:
 * - POST /rest/api/3/issue
 *   (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post):
 *   fields.project.key, fields.issuetype.name, fields.summary (≤ 255, one line), fields.description in
 *   Atlassian Document Format (https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/),
 *   fields.labels (strings without spaces), fields.priority.name; answers 201 {id, key, self}.
 * - GET /rest/api/3/search/jql: the JQL `labels = "<label>"`, optionally `AND statusCategory != Done`, is all
 *   it understands; answers {issues: [{id, key}], isLast}. Documented at
 *   https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get
 * - GET /rest/api/3/issue/{key}: the issue with fields.status (name, statusCategory.key).
 * - GET /rest/api/3/issue/{key}/transitions: {transitions: [{id, name, to: {name, statusCategory}}]}, what the
 *   workflow offers from the issue's status; POST the same with {transition: {id}} moves it, 204
 *   (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/, "Transition issue").
 * - GET /rest/api/3/issue/{key}/comment: {startAt, maxResults, total, comments}; POST the same with {body: ADF}
 *   adds one, 201
 *   (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/, "Add comment").
 * - Auth: Basic base64(email:api-token) (https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/)
 *   or Bearer <personal access token>; anything else is 401.
 * Errors are Jira's shape: {errorMessages: [], errors: {field: message}}.
 */
export interface FakeJiraStatus {
  name: string;
  /** The status category key: new, indeterminate or done. */
  category: 'new' | 'indeterminate' | 'done';
}

export interface FakeJiraIssue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
  status: FakeJiraStatus;
  comments: { id: string; body: unknown }[];
}

export interface FakeJiraTransition {
  id: string;
  name: string;
  to: FakeJiraStatus;
}

const TO_DO: FakeJiraStatus = { name: 'To Do', category: 'new' };
const CATEGORY_NAMES = { new: 'To Do', indeterminate: 'In Progress', done: 'Done' } as const;
const ISSUE_PATH = /^\/rest\/api\/3\/issue\/([^/]+)(?:\/(transitions|comment))?$/;

const jiraError = (status: number, errorMessages: string[], errors: Record<string, string> = {}): VendorAnswer => ({
  status,
  body: { errorMessages, errors },
});
const refused = (problems: string[]): VendorAnswer =>
  jiraError(400, [], Object.fromEntries(problems.map((p) => [p.split(' ')[0], p])));

export class FakeJira extends FakeVendorServer {
  readonly issues: FakeJiraIssue[] = [];
  /** What the workflow offers from a status that is not done (a done issue is offered only Reopen). */
  workflow: FakeJiraTransition[] = [
    { id: '11', name: 'Start Progress', to: { name: 'In Progress', category: 'indeterminate' } },
    { id: '31', name: 'Done', to: { name: 'Done', category: 'done' } },
  ];
  /** Jira's search index is eventually consistent: while this is set, search sees every issue as not done. */
  searchIndexLags = false;

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
      return jiraError(401, ['You are not authenticated.']);
    }
    if (request.method === 'POST' && request.path === '/rest/api/3/issue') return this.createIssue(request);
    if (request.method === 'GET' && request.path === '/rest/api/3/search/jql') return this.search(request);
    const match = ISSUE_PATH.exec(request.path);
    const issue = match ? this.issues.find((candidate) => candidate.key === decodeURIComponent(match[1]!)) : null;
    if (match && !issue) {
      request.problems.push(`no issue ${match[1]}`);
      return jiraError(404, ['Issue does not exist or you do not have permission to see it.']);
    }
    if (issue) {
      const answer = this.onIssue(request, issue, match![2] ?? 'issue');
      if (answer) return answer;
    }
    request.problems.push(`no such endpoint ${request.method} ${request.path}`);
    return jiraError(404, ['Not found']);
  }

  private onIssue(request: ReceivedRequest, issue: FakeJiraIssue, part: string): VendorAnswer | null {
    const route = `${request.method} ${part}`;
    if (route === 'GET issue') return { status: 200, body: this.view(issue) };
    if (route === 'GET transitions') return { status: 200, body: { transitions: this.offered(issue).map(wire) } };
    if (route === 'POST transitions') return this.transition(request, issue);
    if (route === 'GET comment') {
      const comments = [...issue.comments];
      if (request.query.get('orderBy') === '-created') comments.reverse();
      const max = Number(request.query.get('maxResults') ?? 5000);
      return {
        status: 200,
        body: { startAt: 0, maxResults: max, total: comments.length, comments: comments.slice(0, max) },
      };
    }
    if (route === 'POST comment') return this.comment(request, issue);
    return null;
  }

  private authorised(request: ReceivedRequest): boolean {
    const expected = this.auth.email
      ? `Basic ${Buffer.from(`${this.auth.email}:${this.auth.token}`).toString('base64')}`
      : `Bearer ${this.auth.token}`;
    return request.headers['authorization'] === expected;
  }

  private search(request: ReceivedRequest): VendorAnswer {
    const match = /^labels = "([^"\s]+)"( AND statusCategory != Done)?$/.exec(request.query.get('jql') ?? '');
    if (!match) {
      request.problems.push(`unsupported JQL ${request.query.get('jql')}`);
      return jiraError(400, ['Error in the JQL Query']);
    }
    const found = this.issuesLabelled(match[1]!).filter(
      (issue) => !match[2] || this.searchIndexLags || issue.status.category !== 'done',
    );
    const max = Number(request.query.get('maxResults') ?? 50);
    const issues = found.slice(0, max).map(({ id, key }) => ({ id, key, self: `${this.url}/rest/api/3/issue/${id}` }));
    return { status: 200, body: { issues, isLast: found.length <= max } };
  }

  private createIssue(request: ReceivedRequest): VendorAnswer {
    const problems = request.problems;
    this.requireJson(request);
    const fields = (request.body as { fields?: unknown } | null)?.fields;
    if (check.object(fields, 'fields', problems)) validateFields(fields, this.projectKeys, problems);
    if (problems.length > 0) return refused(problems);
    const id = String(10_000 + this.issues.length);
    const key = `${(fields as { project: { key: string } }).project.key}-${this.issues.length + 1}`;
    this.issues.push({ id, key, fields: fields as Record<string, unknown>, status: TO_DO, comments: [] });
    return { status: 201, body: { id, key, self: `${this.url}/rest/api/3/issue/${id}` } };
  }

  private offered(issue: FakeJiraIssue): FakeJiraTransition[] {
    if (issue.status.category === 'done') return [{ id: '41', name: 'Reopen', to: TO_DO }];
    return this.workflow.filter((transition) => transition.to.name !== issue.status.name);
  }

  private transition(request: ReceivedRequest, issue: FakeJiraIssue): VendorAnswer {
    this.requireJson(request);
    const transition = (request.body as { transition?: unknown } | null)?.transition;
    if (check.object(transition, 'transition', request.problems))
      check.string(transition['id'], 'transition.id', request.problems);
    if (request.problems.length > 0) return refused(request.problems);
    const id = (transition as { id: string }).id;
    const chosen = this.offered(issue).find((offer) => offer.id === id);
    if (!chosen) {
      request.problems.push(`transition ${id} is not offered`);
      return jiraError(400, [`Transition id '${id}' is not valid for this issue.`]);
    }
    issue.status = chosen.to;
    return { status: 204 };
  }

  private comment(request: ReceivedRequest, issue: FakeJiraIssue): VendorAnswer {
    this.requireJson(request);
    validateAdf((request.body as { body?: unknown } | null)?.body, request.problems, 'body');
    if (request.problems.length > 0) return refused(request.problems);
    const comment = { id: String(20_000 + issue.comments.length), body: (request.body as { body: unknown }).body };
    issue.comments.push(comment);
    return {
      status: 201,
      body: { ...comment, self: `${this.url}/rest/api/3/issue/${issue.id}/comment/${comment.id}` },
    };
  }

  private requireJson(request: ReceivedRequest): void {
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json'))
      request.problems.push('Content-Type must be application/json');
  }

  private view(issue: FakeJiraIssue): unknown {
    return { id: issue.id, key: issue.key, fields: { status: wireStatus(issue.status) } };
  }
}

const wireStatus = (status: FakeJiraStatus): unknown => ({
  name: status.name,
  statusCategory: { key: status.category, name: CATEGORY_NAMES[status.category] },
});
const wire = (transition: FakeJiraTransition): unknown => ({
  id: transition.id,
  name: transition.name,
  to: wireStatus(transition.to),
});
