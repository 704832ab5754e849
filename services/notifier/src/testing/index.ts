// Local stand-ins for the vendors the notifier talks to, for tests (never shipped as a destination).
export { FakeVendorServer, type Behaviour, type ReceivedRequest, type VendorAnswer } from './fake-vendor-server.js';
export { FakeJira, type FakeJiraIssue } from './fake-jira.js';
export { FakePagerDuty } from './fake-pagerduty.js';
export { FakeTeams } from './fake-teams.js';
export { FakeSlack } from './fake-slack.js';
export { FakeLangfuse } from './fake-langfuse.js';
export { FakeMlflow, type FakeMlflowRun } from './fake-mlflow.js';
export { FakeOtlp, type OtlpSpan } from './fake-otlp.js';
