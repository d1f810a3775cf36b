// Lint config. The import restrictions below enforce DESIGN.md's dependency table:
// protocol <- policies <- sanitizer <- gateway, and client may import protocol only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message: 'This import breaks the dependency direction in docs/architecture.md.' })) }],
});

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
