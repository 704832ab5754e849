import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import globals from 'globals';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '.nx/**', '**/generated/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      // Services depend on libs and contracts, never on each other; contracts depend on nothing;
      // apps (the embedded platform, the CLI) compose services.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            // Apps compose: the embedded platform assembles every service; the CLI drives it.
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:app', 'type:service', 'type:lib', 'type:contracts'],
            },
          ],
        },
      ],
      // Every line at most 120 characters, strings, template literals, comments and URLs included:
      // Biome formats to the same width but never breaks a string or a comment. max-len is a core
      // rule (deprecated in favour of @stylistic, still shipped until ESLint 11).
      'max-len': [
        'error',
        {
          code: 120,
          tabWidth: 2,
          ignoreComments: false,
          ignoreTrailingComments: false,
          ignoreUrls: false,
          ignoreStrings: false,
          ignoreTemplateLiterals: false,
          ignoreRegExpLiterals: false,
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read the environment only in a config module (config.ts) and inject the typed result.',
        },
      ],
    },
  },
  {
    // The web console: plain ES modules run by the browser, served as they are (no bundler).
    files: ['apps/console/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // The config modules and entry points are where the environment is read.
    files: [
      '**/config.ts',
      '**/config/*.ts',
      '**/migrate.ts',
      '**/test/**',
      '**/testing/**',
      '**/secrets/**',
      '**/main.ts',
      '**/*.spec.ts',
      'test/**',
      'infra/**',
      '**/cli/**',
      'apps/cli/src/**',
      'jest.config.js',
      'scripts/**',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
];
