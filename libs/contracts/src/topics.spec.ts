import { EVENT_TYPES } from './generated/events.js';
import { declaredTopics, EVENT_TOPIC, topicOf } from './topics.js';

describe('topics', () => {
  it('routes every event type to a declared topic', () => {
    const names = new Set(declaredTopics().map((t) => t.name));
    for (const type of EVENT_TYPES) expect(names.has(topicOf(type))).toBe(true);
    expect(Object.keys(EVENT_TOPIC).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('declares a dead-letter topic beside each topic', () => {
    const names = declaredTopics().map((t) => t.name);
    expect(names).toContain('evalvault.gates.v1.dlq');
    expect(names.filter((n) => n.endsWith('.dlq'))).toHaveLength(names.length / 2);
  });
});
