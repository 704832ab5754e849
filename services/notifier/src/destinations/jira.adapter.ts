import type { AttemptResult, DeliveryRequest, DestinationAdapter } from '../delivery/destination.port.js';
import { DeliveryStepError, type HttpDeliveryOptions } from '../delivery/http-call.js';
import { jiraEpisodeLabel } from '../notification/notification.ids.js';
import { JiraClient } from './jira-client.adapter.js';
import { jiraIssue } from './jira.render.js';
import {
  describeTransitions,
  doneTransition,
  jiraResolveComment,
  openEpisodeJql,
  resolveMarker,
} from './jira.resolve.js';

/** How many open issues of one episode a resolve closes at most (one per failure of the gate since it passed). */
const MAX_EPISODE_ISSUES = 50;

/**
 * Jira Cloud REST v3. A trigger opens exactly one issue per notification: the issue carries a label
 * naming the notification, and every attempt first searches for it (enhanced JQL search,
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get),
 * so an attempt whose answer was lost (a crash, a timeout after Jira created the issue) finds the issue
 * instead of creating a second one. The issue also carries its episode's label (route and gate, or drift), by
 * which a resolve (the gate passed again, the drift ended) finds the episode's issues that are not done,
 * comments why and moves each to a done status (jira.resolve.ts).
 */
export class JiraAdapter implements DestinationAdapter {
  constructor(private readonly options: HttpDeliveryOptions) {}

  async deliver(request: DeliveryRequest): Promise<AttemptResult> {
    const { destination, intent } = request;
    if (destination.type !== 'jira') throw new Error(`JiraAdapter got a ${destination.type} destination`);
    const jira = await JiraClient.of(this.options, destination);
    if (intent.action === 'resolve') return this.resolve(jira, request);

    const [existing] = await jira.search(`labels = "${intent.dedupKey}"`, 1);
    if (existing) return { ok: true, remoteId: existing, remoteUrl: jira.browseUrl(existing) };
    const episode = intent.gateId ? [jiraEpisodeLabel(intent.routeId, intent.gateId)] : [];
    const key = await jira.createIssue(
      jiraIssue(request.message, {
        projectKey: destination.projectKey,
        issueType: destination.issueType,
        labels: [intent.dedupKey, 'evalvault', `evalvault-${intent.triggerType.toLowerCase()}`, ...episode],
      }),
    );
    return { ok: true, remoteId: key, remoteUrl: key ? jira.browseUrl(key) : null };
  }

  /**
   * Closes the episode's open issues, each exactly once across retries: an issue already done is left alone
   * (read from the issue, not the search index), and the comment is skipped when an earlier attempt of this
   * notification made it before a crash or a failed transition.
   */
  private async resolve(jira: JiraClient, request: DeliveryRequest): Promise<AttemptResult> {
    const { intent, message, notificationId, destination } = request;
    const named = destination.type === 'jira' ? (destination.resolveTransition ?? null) : null;
    const keys = await jira.search(openEpisodeJql(intent.dedupKey), MAX_EPISODE_ISSUES);
    const closed: string[] = [];
    for (const key of keys) {
      if ((await jira.statusCategory(key)) === 'done') continue;
      // Chosen before commenting: an issue the workflow cannot close gets no comment saying it was resolved.
      const transitions = await jira.transitions(key);
      const done = doneTransition(transitions, named);
      if (!done) throw noDoneTransition(key, named, describeTransitions(transitions));
      const marker = resolveMarker(notificationId);
      if (!(await jira.recentCommentBodies(key)).some((body) => body.includes(marker)))
        await jira.addComment(key, jiraResolveComment(message, notificationId));
      await jira.transition(key, done.id);
      closed.push(key);
    }
    const [first] = closed;
    return {
      ok: true,
      remoteId: closed.length > 0 ? closed.join(',') : null,
      remoteUrl: first ? jira.browseUrl(first) : null,
    };
  }
}

/** The workflow cannot close the issue from where it is: no retry will change that, a person has to. */
const noDoneTransition = (key: string, named: string | null, offered: string): DeliveryStepError =>
  new DeliveryStepError({
    error: `jira resolve: issue ${key} offers no ${wanted(named)} (offered: ${offered})`,
    statusCode: null,
    retryAfterMs: null,
    permanent: true,
  });

const wanted = (named: string | null): string =>
  named ? `transition "${named}" (the route's resolveTransition)` : 'transition to a done status';
