// Test support of @evalvault/llm: a local fake of the LLM vendors' HTTP APIs.
export {
  FakeLlmServer,
  type FakeLlmRequest,
  type FakeLlmServerOptions,
  type FakeLlmTally,
  type FakeRateLimit,
  type FakeReply,
  type FakeScript,
  type ReceivedRequest,
} from './fake-llm-server.js';
export type { FakeApi, FakeMessage } from './vendors/fake-vendor.js';
