import { sampleIntent } from '../notification/testing.js';
import { jiraIssue } from './jira.render.js';
import { messageOf, versionLabel } from './message.js';
import { pagerDutyEvent } from './pagerduty.render.js';
import { slackMessage } from './slack.render.js';
import { teamsMessage } from './teams.render.js';

const message = messageOf(sampleIntent(), 'checkout');
const everything = (value: unknown): string => JSON.stringify(value);

describe('message rendering', () => {
  it('names what failed, where to look and which versions ran', () => {
    expect(message.title).toBe('EvalVault gate failed: rag-qa v3 (ds-rag) in project checkout');
    expect(message.summary).toBe('1 of 2 gate rule(s) failed on run run-42');
    expect(message.failingRules).toEqual(['mean(faithfulness) >= 0.8: actual 0.5, threshold 0.8']);
    expect(message.facts).toEqual(
      expect.arrayContaining([
        { name: 'Dataset', value: 'rag-qa v3 (ds-rag)' },
        { name: 'Prompt', value: 'answer v7 (pr-answer)' },
        { name: 'Model profile', value: 'gpt-prod v2 (mp-gpt)' },
      ]),
    );
  });

  it('says why a run failed, and labels inline datasets and missing versions', () => {
    const failed = messageOf(
      sampleIntent({
        triggerType: 'RunFailed',
        rules: [],
        gateId: null,
        failureReason: 'budget',
        failureMessage: 'over budget by $3',
      }),
      'checkout',
    );
    expect(failed.title).toContain('run failed (budget)');
    expect(failed.summary).toBe('Run run-42 failed: over budget by $3');
    expect(versionLabel({ id: 'inline-1', name: 'smoke', version: null, contentHash: 'f'.repeat(64) })).toBe(
      'smoke (inline, ffffffffffff)',
    );
    expect(versionLabel(null)).toBe('none');
  });

  it('makes a Jira issue with an ADF description listing the failing rule and the run link', () => {
    const { fields } = jiraIssue(message, {
      projectKey: 'OPS',
      issueType: 'Bug',
      labels: ['evalvault-notification-n-1'],
    });
    expect(fields).toMatchObject({
      project: { key: 'OPS' },
      issuetype: { name: 'Bug' },
      labels: ['evalvault-notification-n-1'],
      priority: { name: 'Highest' },
    });
    expect(fields['description']).toMatchObject({ type: 'doc', version: 1 });
    expect(everything(fields['description'])).toContain('mean(faithfulness) >= 0.8: actual 0.5, threshold 0.8');
    expect(everything(fields['description'])).toContain('"href":"https://evalvault.example.com/runs/run-42"');
    const long = jiraIssue({ ...message, title: 'x'.repeat(400) }, { projectKey: 'OPS', issueType: 'Bug', labels: [] });
    expect((long.fields['summary'] as string).length).toBe(255);
  });

  it('makes a PagerDuty trigger with the dedup key and severity, and a bare resolve', () => {
    const trigger = pagerDutyEvent(message, 'routing-key', 'evalvault-r-1-gate-g');
    expect(trigger).toMatchObject({
      routing_key: 'routing-key',
      event_action: 'trigger',
      dedup_key: 'evalvault-r-1-gate-g',
      payload: {
        source: 'evalvault',
        severity: 'critical',
        group: 'checkout',
        class: 'GateFailed',
        timestamp: '2026-01-05T10:00:00.000Z',
      },
      links: [{ href: message.runUrl }],
    });
    expect(everything(trigger)).toContain('actual 0.5, threshold 0.8');
    expect(pagerDutyEvent({ ...message, action: 'resolve' }, 'routing-key', 'k')).toEqual({
      routing_key: 'routing-key',
      event_action: 'resolve',
      dedup_key: 'k',
    });
  });

  it('makes a Teams Adaptive Card and Slack blocks carrying the same facts', () => {
    const teams = teamsMessage(message) as {
      attachments: { contentType: string; content: { type: string; actions: { url: string }[] } }[];
    };
    expect(teams.attachments[0]).toMatchObject({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: { type: 'AdaptiveCard', actions: [{ url: message.runUrl }] },
    });
    expect(everything(teams)).toContain('gpt-prod v2 (mp-gpt)');
    const slack = slackMessage({ ...message, summary: 'a <b> & c' }) as { text: string; blocks: { type: string }[] };
    expect(slack.blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'section', 'actions']);
    expect(everything(slack)).toContain('a &lt;b&gt; &amp; c');
    expect(everything(slack)).toContain('mean(faithfulness) &gt;= 0.8: actual 0.5, threshold 0.8');
  });
});
