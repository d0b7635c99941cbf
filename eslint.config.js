// Lint rules, including the architectural boundaries the project relies on:
// - src-main/core runs under plain Node: it may not import Electron or electron-store;
// - the renderer reaches the core only through the app API: no imports from src-main;
// - src-shared is imported by all three processes: no Node, no Electron, no DOM-only code.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronImports = {
  paths: [
    { name: 'electron', message: 'src-main/core must run under plain Node: Electron belongs in src-main/index.ts and src-main/electron/.' },
    { name: 'electron-store', message: 'src-main/core must run under plain Node: use the SettingsStore interface.' },
  ],
  patterns: [{ group: ['electron/*'], message: 'src-main/core must run under plain Node.' }],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', electronImports] },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronImports,
          patterns: [
            ...electronImports.patterns,
            { group: ['node:*', '**/src-main/**', '**/src-renderer/**'], message: 'src-shared is loaded by every process: keep it free of Node and of either side.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer is sandboxed: use the app API client.' }],
          patterns: [
            { group: ['**/src-main/**', 'node:*'], message: 'The renderer reaches the core only through the app API (src-shared/app-api-contract.ts).' },
          ],
        },
      ],
    },
  },
  {
    files: ['bench/**/*.mjs', 'scripts/**/*.mjs'],
    rules: { 'no-console': 'off' },
  },
);
