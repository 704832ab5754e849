import { readServerSentEvents } from './sse.js';

function body(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe('Server-Sent Events', () => {
  it('parses events split anywhere across chunks, skipping keep-alive comments', async () => {
    const events = [];
    for await (const event of readServerSentEvents(
      body([
        'event: progr',
        'ess\ndata: {"a":1}\n',
        '\n: keep-alive\n\nevent: done\r\ndata: x\r\ndata: y\r\n\r\n',
        'data: z\n\n',
      ]),
    ))
      events.push(event);
    expect(events).toEqual([
      { event: 'progress', data: '{"a":1}' },
      { event: 'done', data: 'x\ny' },
      { event: 'message', data: 'z' },
    ]);
  });
});
