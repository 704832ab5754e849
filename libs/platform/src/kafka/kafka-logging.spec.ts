import { Writable } from 'node:stream';
import { logLevel } from 'kafkajs';
import { createLogger } from '../observability/logger.js';
import { kafkaLogCreator } from './kafka-logging.js';

describe('kafkajs logging', () => {
  it('goes through the service logger as JSON with the service name and the level it had', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger(
      { serviceName: 'runs', logLevel: 'info', redactPaths: [] },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          done();
        },
      }),
    );
    const log = kafkaLogCreator(logger)(logLevel.INFO);
    log({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { message: 'Connection error: ECONNREFUSED', broker: '127.0.0.1:9092', timestamp: 'x' },
    });
    log({ namespace: 'Consumer', level: logLevel.DEBUG, label: 'DEBUG', log: { message: 'fetching', timestamp: 'x' } });
    expect(lines).toEqual([
      expect.objectContaining({
        service: 'runs',
        component: 'kafkajs',
        level: 50,
        namespace: 'Connection',
        broker: '127.0.0.1:9092',
        msg: 'Connection error: ECONNREFUSED',
      }),
    ]);
  });
});
