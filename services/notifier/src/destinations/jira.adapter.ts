import type { AttemptResult, DeliveryRequest, DestinationAdapter } from '../delivery/destination.port.js';
import { failureOf, httpCall, isSuccess, resolveSecret, type HttpDeliveryOptions } from '../delivery/http-call.js';
import { jiraIssue } from './jira.render.js';

/**
 * Jira Cloud REST v3. Exactly one issue per notification: the issue carries a label naming
 * the notification, and every attempt first searches for it (enhanced JQL search,
 * GET /rest/api/3/search/jql:
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get),
 * so an attempt whose answer was lost (a crash, a timeout after Jira created the issue)
 * finds the issue instead of creating a second one.
 * Auth: Basic email:API-token for Jira Cloud
 * (https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/), Bearer
 * personal access token when no email is configured (Jira Data Center).
 */
export class JiraAdapter implements DestinationAdapter {
  constructor(private readonly options: HttpDeliveryOptions) {}

  async deliver({ destination, message, intent }: DeliveryRequest): Promise<AttemptResult> {
    if (destination.type !== 'jira') throw new Error(`JiraAdapter got a ${destination.type} destination`);
    const token = await resolveSecret(this.options.secrets, destination.tokenRef);
    const email = destination.emailRef ? await resolveSecret(this.options.secrets, destination.emailRef) : null;
    const secrets = [token, ...(email ? [email] : [])];
    const headers = {
      authorization: email ? `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}` : `Bearer ${token}`,
      accept: 'application/json',
    };
    const label = intent.dedupKey;
    const existing = await this.findIssue(destination.baseUrl, label, headers, secrets);
    if (existing) return { ok: true, remoteId: existing, remoteUrl: `${destination.baseUrl}/browse/${existing}` };

    const body = jiraIssue(message, {
      projectKey: destination.projectKey,
      issueType: destination.issueType,
      labels: [label, 'evalvault', `evalvault-${intent.triggerType.toLowerCase()}`],
    });
    const answer = await httpCall(this.options, 'jira create issue', `${destination.baseUrl}/rest/api/3/issue`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!isSuccess(answer)) throw failureOf('jira create issue', answer, this.options.now(), secrets);
    const key = (JSON.parse(answer.body) as { key?: string }).key ?? null;
    return { ok: true, remoteId: key, remoteUrl: key ? `${destination.baseUrl}/browse/${key}` : null };
  }

  private async findIssue(
    baseUrl: string,
    label: string,
    headers: Record<string, string>,
    secrets: string[],
  ): Promise<string | null> {
    const query = new URLSearchParams({ jql: `labels = "${label}"`, fields: 'summary', maxResults: '1' });
    const answer = await httpCall(this.options, 'jira search', `${baseUrl}/rest/api/3/search/jql?${query.toString()}`, {
      method: 'GET',
      headers,
    });
    if (!isSuccess(answer)) throw failureOf('jira search', answer, this.options.now(), secrets);
    const issues = (JSON.parse(answer.body) as { issues?: { key: string }[] }).issues ?? [];
    return issues[0]?.key ?? null;
  }
}
