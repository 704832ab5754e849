import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/** kafkajs logs through the service's pino logger: one JSON log stream with the service name and trace ids. */
export function kafkaLogCreator(logger: Logger): logCreator {
  const kafka = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...details } = log;
      const fields = { namespace, ...details };
      if (level === logLevel.ERROR) kafka.error(fields, message);
      else if (level === logLevel.WARN) kafka.warn(fields, message);
      else if (level === logLevel.INFO) kafka.info(fields, message);
      else kafka.debug(fields, message);
    };
}
