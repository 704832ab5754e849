import {
  datasetKeyOf,
  factIdOf,
  factStreamId,
  id32,
  maintenanceStreamId,
  normaliseText,
  policyStreamId,
  sourceKey,
  targetHashOf,
} from './memory-ids.js';
import { createHash } from 'node:crypto';

describe('memory ids', () => {
  it('normalises: lowercase, whitespace collapsed, trailing punctuation trimmed', () => {
    expect(normaliseText('  The   Eiffel\tTower!?. ')).toBe('the eiffel tower');
    expect(normaliseText('U.S.A.')).toBe('u.s.a');
  });

  it('one triple in a project is one fact id, whatever its spacing and case', () => {
    const id = factIdOf('t1', 'p', 'Paris', 'is the capital of', 'France.');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(factIdOf('t1', 'p', ' paris ', 'IS THE  CAPITAL OF', 'france')).toBe(id);
    expect(id).toBe(createHash('sha256').update('t1\0p\0paris\0is the capital of\0france').digest('hex').slice(0, 32));
    expect(factIdOf('t2', 'p', 'Paris', 'is the capital of', 'France')).not.toBe(id);
    expect(factIdOf('t1', 'q', 'Paris', 'is the capital of', 'France')).not.toBe(id);
    expect(factStreamId(id)).toBe(`memoryfact-${id}`);
  });

  it('project streams hash tenant and project apart', () => {
    expect(policyStreamId('t', 'p')).toBe(`memorypolicy-${id32('t', 'p')}`);
    expect(maintenanceStreamId('t', 'p')).toBe(`memorymaintenance-${id32('t', 'p')}`);
    expect(policyStreamId('t2', 'p')).not.toBe(policyStreamId('t', 'p'));
  });

  it('dataset keys, source keys and deletion target hashes', () => {
    expect(datasetKeyOf({ id: 'ds-1', name: 'qa', version: 3 })).toBe('ds-1');
    expect(datasetKeyOf({ id: 'inline-abc', name: 'qa', version: null })).toBe('inline:qa');
    expect(sourceKey({ kind: 'case', id: 'c1', runId: 'r1' })).toBe('case:r1:c1');
    expect(sourceKey({ kind: 'run', id: 'r1', runId: null })).toBe('run:r1');
    expect(targetHashOf(' Paris. ')).toBe(createHash('sha256').update('paris').digest('hex'));
  });
});
