import { jiraEpisodeLabel } from '../notification/notification.ids.js';
import type { ActiveRoute } from '../projection/notifier.queries.js';
import { planNotifications, type TriggerFacts } from './notification-plan.js';

const route = (type: 'pagerduty' | 'slack' | 'jira', on: string[]): ActiveRoute =>
  ({ routeId: `route-${type}`, on, destination: { type }, createdAtMs: 0 }) as unknown as ActiveRoute;
const drift = (type: 'DriftDetected' | 'DriftResolved'): TriggerFacts => ({
  type,
  eventId: 'e1',
  occurredAt: 1,
  projectId: 'p',
  runId: 'r2',
  gateId: 'drift-sch-1-token_f1',
  subject: null,
  rules: [],
  failure: { reason: 'drift:token_f1', message: 'token_f1 fell' },
});

describe('notification plan for drift episodes', () => {
  const pagerDuty = route('pagerduty', ['DriftDetected']);
  const jira = route('jira', ['DriftDetected']);
  const slack = route('slack', ['DriftDetected', 'DriftResolved']);

  it('opens a ticket, an incident and a message when a drift is detected', async () => {
    const plans = await planNotifications(drift('DriftDetected'), [pagerDuty, jira, slack], async () => false);
    expect(plans.map((plan) => [plan.route.routeId, plan.action])).toEqual([
      ['route-pagerduty', 'trigger'],
      ['route-jira', 'trigger'],
      ['route-slack', 'trigger'],
    ]);
  });

  it('resolves the open incident and closes the Jira issues of the episode when the drift ends', async () => {
    const asked: string[] = [];
    const plans = await planNotifications(drift('DriftResolved'), [pagerDuty, jira, slack], async (_route, key) => {
      asked.push(key);
      return true;
    });
    expect(plans.map((plan) => [plan.route.routeId, plan.action, plan.dedupKey])).toEqual([
      ['route-pagerduty', 'resolve', 'evalvault-route-pagerduty-gate-drift-sch-1-token_f1'],
      ['route-jira', 'resolve', jiraEpisodeLabel('route-jira', 'drift-sch-1-token_f1')],
      ['route-slack', 'trigger', null],
    ]);
    expect(asked).toEqual([
      'evalvault-route-pagerduty-gate-drift-sch-1-token_f1',
      jiraEpisodeLabel('route-jira', 'drift-sch-1-token_f1'),
    ]);
    expect(await planNotifications(drift('DriftResolved'), [pagerDuty, jira], async () => false)).toEqual([]);
  });
});

describe('notification plan for gates', () => {
  const gate = (type: 'GateFailed' | 'GatePassed', gateId: string | null = 'gate-1'): TriggerFacts => ({
    ...drift('DriftDetected'),
    type,
    gateId,
    failure: null,
  });
  const jira = route('jira', ['GateFailed']);

  it("closes the Jira issues of the gate's open episode when it passes again, and opens none", async () => {
    const key = jiraEpisodeLabel('route-jira', 'gate-1');
    const plans = await planNotifications(gate('GatePassed'), [jira], async (_route, asked) => asked === key);
    expect(plans.map((plan) => [plan.action, plan.dedupKey])).toEqual([['resolve', key]]);
  });

  it('does nothing on a pass without an open episode, a route following failures, or a gate', async () => {
    const open = async (): Promise<boolean> => true;
    expect(await planNotifications(gate('GatePassed'), [jira], async () => false)).toEqual([]);
    expect(await planNotifications(gate('GatePassed'), [route('jira', ['RunFailed'])], open)).toEqual([]);
    expect(await planNotifications(gate('GatePassed', null), [jira], open)).toEqual([]);
    const opened = await planNotifications(gate('GateFailed'), [jira], open);
    expect(opened.map((plan) => [plan.action, plan.dedupKey])).toEqual([['trigger', null]]);
  });
});
