// ESLint flat config: type-aware TypeScript rules plus the import direction of design.md §2.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layers of core/ and the layers each may NOT import (design.md §2; runner may use storage). */
const forbidden = {
  api: [
    'engine',
    'models',
    'tasks',
    'diagnostics',
    'training',
    'runner',
    'storage',
    'compare',
    'export',
    'hosts',
  ],
  engine: ['models', 'tasks', 'diagnostics', 'training', 'runner', 'storage', 'compare', 'export', 'hosts'],
  models: ['tasks', 'diagnostics', 'training', 'runner', 'storage', 'compare', 'export', 'hosts'],
  tasks: ['models', 'diagnostics', 'training', 'runner', 'storage', 'compare', 'export', 'hosts'],
  diagnostics: ['tasks', 'training', 'runner', 'storage', 'compare', 'export', 'hosts'],
  training: ['runner', 'storage', 'compare', 'export', 'hosts'],
  storage: ['engine', 'models', 'tasks', 'diagnostics', 'training', 'runner', 'compare', 'export', 'hosts'],
  compare: ['engine', 'models', 'tasks', 'diagnostics', 'training', 'runner', 'export', 'hosts'],
  export: ['tasks', 'diagnostics', 'training', 'runner', 'compare', 'hosts'],
  runner: ['compare', 'export', 'hosts'],
};
const noTensorflow = new Set(['api', 'storage', 'compare']);

const layerBlocks = Object.entries(forbidden).map(([layer, banned]) => ({
  files: [`core/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: [...banned.flatMap((b) => [`**/${b}/**`, `../${b}`]), '**/workbench.ts'],
            message: `core/${layer} may not import this layer (design.md §2: imports run one way).`,
          },
          ...(noTensorflow.has(layer)
            ? [{ group: ['@tensorflow/*'], message: `core/${layer} must not depend on TensorFlow.js.` }]
            : []),
          { group: ['electron'], message: 'Nothing in core/ imports electron.' },
        ],
      },
    ],
  },
}));

/** What electron/ may import of core (design.md §2): the contract, the dispatch, the Workbench, the Launcher seam. */
const shellPatterns = [
  {
    // Files, not folders: gitignore semantics cannot re-include a file of an excluded folder.
    group: [
      '**/core/**/*.ts',
      '!**/core/workbench.ts',
      '!**/core/hosts/dispatch.ts',
      '!**/core/api/*.ts',
      '!**/core/runner/runner.ts',
    ],
    message:
      'electron/ may import only core/workbench, core/hosts/dispatch, core/api and core/runner/runner types.',
  },
  {
    // Its fork launcher is plain Node's; the shell brings its own (utility-launcher.ts).
    group: ['**/core/runner/runner.ts'],
    allowTypeImports: true,
    message: 'electron/ may use only the types of core/runner/runner (the Launcher seam).',
  },
  { group: ['**/renderer/**'], message: 'The shell does not import the renderer; it serves its build.' },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.tools/**',
      'dist/**',
      'out/**',
      'test-output/**',
      'renderer/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.py',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Contract methods are async even when their body is synchronous: a refused input must surface as a
      // rejected promise on every transport, never as a synchronous throw.
      '@typescript-eslint/require-await': 'off',
      'no-restricted-exports': [
        'error',
        {
          restrictDefaultExports: {
            direct: true,
            named: true,
            defaultFrom: true,
            namedFrom: true,
            namespaceFrom: true,
          },
        },
      ],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron'], message: 'Nothing in core/ imports electron.' }] },
      ],
    },
  },
  ...layerBlocks,
  {
    files: ['electron/**/*.ts', 'electron/**/*.cts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: shellPatterns }],
    },
  },
  {
    // Only these two call Electron; everything else gets Electron objects as parameters (tested under Node).
    files: ['electron/**/*.ts'],
    ignores: ['electron/main.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...shellPatterns,
            {
              group: ['electron'],
              allowTypeImports: true,
              message: 'Only electron/main.ts and electron/preload.cts use Electron at run time.',
            },
          ],
        },
      ],
    },
  },
  {
    // A sandboxed preload is a plain script: it can only require('electron'), never import.
    files: ['electron/preload.cts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['it', 'test', 'describe', 'suite'] },
          ],
        },
      ],
    },
  },
);
