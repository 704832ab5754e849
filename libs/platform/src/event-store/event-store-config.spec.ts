import { loadEventStoreSettings } from './event-store-config.js';

describe('event store settings', () => {
  it('keeps events in PostgreSQL unless told otherwise', () => {
    expect(loadEventStoreSettings({})).toEqual({ kind: 'postgres' });
    expect(loadEventStoreSettings({ EVENT_STORE: 'postgres', EVENTSTOREDB_URL: 'esdb://ignored:2113' })).toEqual({
      kind: 'postgres',
    });
  });

  it('selects EventStoreDB with its connection string', () => {
    const url = 'esdb://127.0.0.1:2113?tls=false';
    expect(loadEventStoreSettings({ EVENT_STORE: 'eventstoredb', EVENTSTOREDB_URL: url })).toEqual({
      kind: 'eventstoredb',
      url,
    });
  });

  it('stops with a message naming EVENTSTOREDB_URL when EventStoreDB is selected without one', () => {
    expect(() => loadEventStoreSettings({ EVENT_STORE: 'eventstoredb' })).toThrow(
      /^invalid configuration: EVENTSTOREDB_URL is required when EVENT_STORE=eventstoredb/,
    );
    expect(() => loadEventStoreSettings({ EVENT_STORE: 'eventstoredb', EVENTSTOREDB_URL: 'http://x' })).toThrow(
      /EVENTSTOREDB_URL must be an esdb:\/\//,
    );
  });

  it('names the choices of EVENT_STORE', () => {
    expect(() => loadEventStoreSettings({ EVENT_STORE: 'kafka' })).toThrow(
      'invalid configuration: EVENT_STORE must be one of postgres, eventstoredb, got "kafka"',
    );
  });
});
