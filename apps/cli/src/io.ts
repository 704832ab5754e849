/** What a command may touch of its process: its output streams and environment, injected for tests. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export type Environment = Readonly<Record<string, string | undefined>>;

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** For `login --api-key-stdin`. */
  stdin: AsyncIterable<Buffer | string>;
  env: Environment;
  cwd: string;
}
