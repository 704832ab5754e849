import { chunksUpTo } from './kafka-event-client.js';

const message = (topic: string, bytes: number) => ({ topic, message: { value: Buffer.alloc(bytes) } });

describe('chunksUpTo', () => {
  it('splits a relay batch into requests the broker accepts, in order', () => {
    const items = [message('a', 300), message('b', 300), message('a', 300), message('a', 100)];
    const chunks = chunksUpTo(items, 600);
    expect(chunks.map((chunk) => chunk.map((item) => (item.message.value as Buffer).length))).toEqual([
      [300, 300],
      [300, 100],
    ]);
    expect(chunks.flat()).toEqual(items);
  });

  it('sends a message larger than the limit alone rather than dropping it', () => {
    const chunks = chunksUpTo([message('a', 10), message('a', 900), message('a', 10)], 600);
    expect(chunks.map((chunk) => chunk.length)).toEqual([1, 1, 1]);
  });
});
