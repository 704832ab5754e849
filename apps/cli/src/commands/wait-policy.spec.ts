import { shouldWait } from './wait-policy.js';

const noReports = { junit: undefined, json: undefined, markdown: undefined };
const server = { reports: noReports, embedded: false };

describe('whether a submitting command waits for the verdict', () => {
  it('waits by default whenever the run has a gate, so the exit code is the gate’s', () => {
    expect(shouldWait({}, { ...server, hasGate: true })).toBe(true);
    expect(shouldWait({}, { ...server, hasGate: false })).toBe(false);
    expect(shouldWait({ wait: true }, { ...server, hasGate: false })).toBe(true);
    expect(shouldWait({}, { hasGate: false, reports: { ...noReports, junit: 'r.xml' }, embedded: false })).toBe(true);
    expect(shouldWait({}, { hasGate: false, reports: noReports, embedded: true })).toBe(true);
  });

  it('only submits with --no-wait, and refuses it where a result would be lost', () => {
    expect(shouldWait({ 'no-wait': true }, { ...server, hasGate: true })).toBe(false);
    expect(() => shouldWait({ 'no-wait': true, wait: true }, { ...server, hasGate: true })).toThrow(
      '--wait and --no-wait contradict each other',
    );
    expect(() =>
      shouldWait({ 'no-wait': true }, { hasGate: true, reports: { ...noReports, markdown: 'r.md' }, embedded: false }),
    ).toThrow(/--no-wait cannot write reports/);
    expect(() => shouldWait({ 'no-wait': true }, { hasGate: true, reports: noReports, embedded: true })).toThrow(
      /--no-wait needs a server/,
    );
  });
});
