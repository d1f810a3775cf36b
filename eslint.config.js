// Lint config. The import restrictions below enforce DESIGN.md's dependency table:
// protocol <- policies <- sanitizer <- gateway, and client may import protocol only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns, message = 'This import breaks the dependency direction in docs/architecture.md.') => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

// Rules inside gateway/ (docs/architecture.md, "Inside gateway/"). A flat-config entry
// replaces the rule's options for its files, so each entry repeats `**/client/**`.
const ROUTES_AND_CLI = ['gateway/http/**', 'gateway/cli/**', 'gateway/gateway.ts', 'gateway/server.ts', 'gateway/app.ts'];
const insideGateway = [
  // Services and features never reach up into the routes or the command line.
  {
    files: ['gateway/**'],
    ignores: ROUTES_AND_CLI,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/client/**'], message: 'This import breaks the dependency direction in docs/architecture.md.' },
          { group: ['**/http/*', '**/cli/*', '../gateway.js', './gateway.js', '../server.js', './server.js', '../app.js', './app.js'], message: 'Only routes, the CLI and the composition root import http/, cli/ or the root: move what you need into a service or a neutral module.' },
        ],
      }],
    },
  },
  // The store knows no feature: features declare their migrations, gateway/database.ts registers them.
  {
    files: ['gateway/store/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/client/**'], message: 'This import breaks the dependency direction in docs/architecture.md.' },
          // One level up but not two: gateway/<anything>, not protocol/ or policies/.
          { regex: '^\\.\\./(?!\\.\\./)', message: 'gateway/store imports no feature folder or gateway module; features register their migrations in gateway/database.ts.' },
        ],
      }],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  { files: ['protocol/**'], rules: restrict(['**/gateway/**', '**/client/**', '**/policies/**', '**/sanitizer/**']) },
  { files: ['policies/**'], rules: restrict(['**/gateway/**', '**/client/**', '**/sanitizer/**']) },
  { files: ['sanitizer/**'], rules: restrict(['**/gateway/**', '**/client/**']) },
  { files: ['gateway/**'], rules: restrict(['**/client/**']) },
  ...insideGateway,
  { files: ['client/**'], rules: restrict(['**/gateway/**', '**/policies/**', '**/sanitizer/**']) },
  // Routes receive services from the composition root (gateway/gateway.ts): never the
  // database handle, a SQLite repository or the root itself.
  { files: ['gateway/http/**'], rules: restrict(['**/client/**', 'better-sqlite3', '**/store/sqlite-*', '**/*sqlite-*repository*', '**/gateway.js']) },
  {
    files: ['bin/**', 'scripts/**', '*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', module: 'writable', require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
