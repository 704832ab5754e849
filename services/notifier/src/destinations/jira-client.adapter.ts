import type { Destination } from '@evalvault/service-apis';
import {
  failureOf,
  httpCall,
  isSuccess,
  resolveSecret,
  type HttpAnswer,
  type HttpDeliveryOptions,
} from '../delivery/http-call.js';
import type { JiraTransition } from './jira.resolve.js';

type JiraDestination = Extract<Destination, { type: 'jira' }>;

/**
 * The Jira Cloud REST v3 calls the notifier makes, each with the route's credentials: Basic email:API-token for
 * Jira Cloud (https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/), Bearer personal
 * access token when no email is configured (Jira Data Center). A non-2xx answer throws a DeliveryStepError
 * naming the call, with the secrets blanked out.
 */
export class JiraClient {
  private constructor(
    private readonly options: HttpDeliveryOptions,
    readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    private readonly secrets: string[],
  ) {}

  static async of(options: HttpDeliveryOptions, destination: JiraDestination): Promise<JiraClient> {
    const token = await resolveSecret(options.secrets, destination.tokenRef);
    const email = destination.emailRef ? await resolveSecret(options.secrets, destination.emailRef) : null;
    const authorization = email ? `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}` : `Bearer ${token}`;
    return new JiraClient(options, destination.baseUrl, { authorization, accept: 'application/json' }, [
      token,
      ...(email ? [email] : []),
    ]);
  }

  /** Enhanced JQL search, GET /rest/api/3/search/jql (the first page is enough for what the notifier asks). */
  async search(jql: string, maxResults: number): Promise<string[]> {
    const query = new URLSearchParams({ jql, fields: 'summary', maxResults: String(maxResults) });
    const answer = await this.call('jira search', 'GET', `/rest/api/3/search/jql?${query.toString()}`);
    return ((JSON.parse(answer.body) as { issues?: { key: string }[] }).issues ?? []).map((issue) => issue.key);
  }

  async createIssue(body: unknown): Promise<string | null> {
    const answer = await this.call('jira create issue', 'POST', '/rest/api/3/issue', body);
    return (JSON.parse(answer.body) as { key?: string }).key ?? null;
  }

  /** The status category key of the issue now (new, indeterminate, done): read from the issue, not the index. */
  async statusCategory(key: string): Promise<string | null> {
    const answer = await this.call('jira get issue', 'GET', `${issuePath(key)}?fields=status`);
    const fields = (JSON.parse(answer.body) as { fields?: { status?: { statusCategory?: { key?: string } } } }).fields;
    return fields?.status?.statusCategory?.key ?? null;
  }

  /** The latest comments, newest first: a comment this notifier made moments before is among them. */
  async recentCommentBodies(key: string): Promise<string[]> {
    const query = new URLSearchParams({ orderBy: '-created', maxResults: '100' });
    const answer = await this.call('jira get comments', 'GET', `${issuePath(key)}/comment?${query.toString()}`);
    const comments = (JSON.parse(answer.body) as { comments?: { body?: unknown }[] }).comments ?? [];
    return comments.map((comment) => JSON.stringify(comment.body ?? null));
  }

  async addComment(key: string, body: unknown): Promise<void> {
    await this.call('jira add comment', 'POST', `${issuePath(key)}/comment`, body);
  }

  async transitions(key: string): Promise<JiraTransition[]> {
    const answer = await this.call('jira get transitions', 'GET', `${issuePath(key)}/transitions`);
    return (JSON.parse(answer.body) as { transitions?: JiraTransition[] }).transitions ?? [];
  }

  async transition(key: string, transitionId: string): Promise<void> {
    await this.call('jira transition issue', 'POST', `${issuePath(key)}/transitions`, {
      transition: { id: transitionId },
    });
  }

  browseUrl(key: string): string {
    return `${this.baseUrl}/browse/${key}`;
  }

  private async call(what: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpAnswer> {
    const answer = await httpCall(this.options, what, `${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!isSuccess(answer)) throw failureOf(what, answer, this.options.now(), this.secrets);
    return answer;
  }
}

const issuePath = (key: string): string => `/rest/api/3/issue/${encodeURIComponent(key)}`;
