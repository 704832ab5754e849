// One jest config, one project per test tier (named by file suffix, see README "Tests").
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      target: 'es2023',
      keepClassNames: true,
      // decoratorMetadata is what lets Nest inject constructor parameters by type.
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'es6' },
  },
];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@evalvault/service-apis$': '<rootDir>/libs/service-apis/src/index.ts',
    '^@evalvault/service-([a-z-]+)$': '<rootDir>/services/$1/src/index.ts',
    '^@evalvault/(cli|embedded)$': '<rootDir>/apps/$1/src/index.ts',
    '^@evalvault/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^@evalvault/service-([a-z-]+)/testing$': '<rootDir>/services/$1/src/testing/index.ts',
    '^@evalvault/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.ts$': swc },
  setupFiles: ['<rootDir>/test/setup-reflect.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

export default {
  reporters: ['default', '<rootDir>/test/summary-reporter.mjs'],
  // Integration and end-to-end suites share real servers; two cores gain nothing from more workers.
  maxWorkers: 1,
  // Each suite runs in a worker process, replaced once it holds this much: run in band, 300 suites grow one
  // heap until every forced collection (the streaming memory tests) takes seconds instead of milliseconds.
  workerIdleMemoryLimit: '700MB',
  // Integration and end-to-end tests wait on real servers; a unit test never comes near this.
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,apps,infra,test}/**/*.spec.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,apps,infra,test}/**/*.int.spec.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.mjs',
      globalTeardown: '<rootDir>/test/integration/global-teardown.mjs',
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{libs,services,apps,infra,test}/**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.mjs',
      globalTeardown: '<rootDir>/test/integration/global-teardown.mjs',
    },
  ],
};
