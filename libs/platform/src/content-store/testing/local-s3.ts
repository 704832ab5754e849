import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

interface S3rverServer {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
}) => S3rverServer;

// s3rver is CommonJS without type declarations: loaded through require, typed by the shape used here.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

/** s3rver's fixed development credentials (not a secret: the server accepts no others). */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * An S3-compatible server (the s3rver package) on a free loopback port, keeping its objects in a
 * temporary directory, and a client of it: what the S3 content store's tests run against.
 */
export class LocalS3 {
  private constructor(
    private readonly server: S3rverServer,
    private readonly directory: string,
    readonly endpoint: string,
    readonly client: S3Client,
  ) {}

  static async start(): Promise<LocalS3> {
    const directory = mkdtempSync(join(tmpdir(), 'evalvault-s3-'));
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS });
    return new LocalS3(server, directory, endpoint, client);
  }

  get credentials(): { accessKeyId: string; secretAccessKey: string } {
    return CREDENTIALS;
  }

  async createBucket(bucket: string): Promise<void> {
    await this.client.send(new CreateBucketCommand({ Bucket: bucket }));
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await this.server.close();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
