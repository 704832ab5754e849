import type { NotificationMessage } from './message.js';
import { paragraph, text, type AdfBlock } from './jira.render.js';

/**
 * What closing an episode's Jira issues says and does, apart from the I/O (jira.adapter.ts), per Jira Cloud
 * REST v3: the comment (POST /rest/api/3/issue/{key}/comment, body in ADF:
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/, "Add comment")
 * and the transition to a done status (GET and POST /rest/api/3/issue/{key}/transitions:
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/, "Transition issue").
 */
export interface JiraTransition {
  id: string;
  name: string;
  to?: { name?: string; statusCategory?: { key?: string } };
}

/** The JQL of the issues an episode opened that are not done yet (status category keys: new, indeterminate, done). */
export const openEpisodeJql = (episodeLabel: string): string => `labels = "${episodeLabel}" AND statusCategory != Done`;

/** The words a comment carries so that a retried resolve finds it and does not comment twice. */
export const resolveMarker = (notificationId: string): string => `EvalVault notification ${notificationId}`;

/** Why the issue closes: the gate passed again, or the drifting metric recovered; with the run and its link. */
export function jiraResolveComment(message: NotificationMessage, notificationId: string): { body: AdfBlock } {
  const metric = message.failure?.reason.replace(/^drift:/, '') ?? 'the metric';
  const why =
    message.triggerType === 'DriftResolved'
      ? `Resolved by EvalVault: ${metric} recovered on run ${message.runId}, which ends this drift.`
      : `Resolved by EvalVault: the gate passed again on run ${message.runId}.`;
  return {
    body: {
      type: 'doc',
      version: 1,
      content: [
        paragraph(text(why)),
        paragraph(text(message.summary)),
        paragraph(text('Run: '), text(message.runUrl, [{ type: 'link', attrs: { href: message.runUrl } }])),
        paragraph(text(resolveMarker(notificationId))),
      ],
    },
  };
}

/**
 * The transition that closes the issue: the one the route names (`resolveTransition`, by transition name, case
 * aside), else the first offered whose target status is in the done category (Jira lists them in the
 * workflow's order); null when the workflow offers no such transition from the status.
 */
export function doneTransition(transitions: readonly JiraTransition[], named?: string | null): JiraTransition | null {
  if (named) return transitions.find((t) => t.name.toLowerCase() === named.toLowerCase()) ?? null;
  return transitions.find((transition) => transition.to?.statusCategory?.key === 'done') ?? null;
}

/** "Start Progress → In Progress, Reopen → To Do", to name in an error what the workflow offered. */
export const describeTransitions = (transitions: readonly JiraTransition[]): string =>
  transitions.length === 0
    ? 'none'
    : transitions.map((t) => `${t.name} (id ${t.id}) → ${t.to?.name ?? 'unknown status'}`).join(', ');
