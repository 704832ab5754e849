import { basename } from 'node:path';
import { expect } from '@jest/globals';

/** One line the drills runner turns into a row of its table. */
export function report(drill: string, counts: object): void {
  const file = `test/drills/${basename(expect.getState().testPath ?? '')}`;
  console.log(`DRILL ${JSON.stringify({ drill, file, counts })}`);
}
