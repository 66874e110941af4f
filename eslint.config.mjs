// Lint rules, including the layer rules of ARCHITECTURE.md:
//   src/core      pure: no vscode, ws, @kubernetes/client-node, node built-ins; no upward imports
//   src/platform  Node adapters: never vscode, never the vscode layer
//   src/agent     the in-container agent: never vscode, never the vscode layer or platform/kube
//   src/controller the in-cluster slice controller: core + node + client-node only
//   src/app       orchestration (sessions, lifetimes, reconnect policy): never vscode, never the vscode layer
//   src/vscode    the only layer that imports 'vscode'; renders and registers only: no Kubernetes client,
//                 no ws, no node built-ins, no src/platform (it asks src/app, which uses src/platform)
//   src/container.ts  the composition root: the one file that builds platform adapters and hands them to vscode
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const vscodeOnly = {
  name: 'vscode',
  message: "Only src/vscode (and src/extension.ts) may import 'vscode'. Put the logic in src/core and pass ports in.",
};

/** @param {string[]} extraPatterns @param {{name: string, message: string}[]} paths */
function restricted(paths, extraPatterns = []) {
  return ['error', { paths, patterns: extraPatterns }];
}

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'out/**', '.run/**', 'test/workspace/**', '**/fixtures/**', 'test/cluster/go/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.mjs', 'src/*/__probe__.ts', 'src/*/*/__probe__.ts'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': restricted([vscodeOnly]),
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': restricted(
        [
          vscodeOnly,
          { name: 'ws', message: 'src/core is pure: no sockets. Define a port in core and implement it in src/platform.' },
          { name: '@kubernetes/client-node', message: 'src/core is pure: no Kubernetes client. Define a port in core and implement it in src/platform/kube.' },
          ...nodeBuiltins.map((name) => ({ name, message: 'src/core is pure: no Node built-ins (no I/O). Take a port instead.' })),
        ],
        [
          // src/core/agent (the agent protocol) is core; src/agent (the in-pod agent) is an outer layer.
          { group: ['**/platform/**', '**/vscode/**', '**/app/**', '../../agent/**', '../../../agent/**', '../../../../agent/**', '../platform', '../vscode', '../app'], message: 'src/core must not import from outer layers.' },
          { group: ['node:*'], message: 'src/core is pure: no Node built-ins.' },
        ],
      ),
      'no-restricted-globals': ['error', 'process', 'require', 'Buffer', '__dirname', '__filename', 'setImmediate'],
    },
  },
  {
    files: ['src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted([vscodeOnly], [
        { group: ['**/vscode/**', '../vscode', '../../vscode'], message: 'src/platform must not depend on the vscode layer.' },
        { group: ['../../agent/**', '../../../agent/**', '../agent'], message: 'src/platform must not depend on the in-pod agent (src/core/agent, the protocol, is fine).' },
      ]),
    },
  },
  {
    files: ['src/agent/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted(
        [vscodeOnly, { name: '@kubernetes/client-node', message: 'The agent runs in the pod and never talks to the Kubernetes API.' }],
        [{ group: ['**/vscode/**', '**/platform/kube/**', '**/platform/agent-link/**'], message: 'The agent may use src/core and its own code only.' }],
      ),
    },
  },
  {
    files: ['src/controller/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted([vscodeOnly], [
        { group: ['**/vscode/**', '**/agent/**', '**/platform/**', '../vscode', '../agent', '../platform'], message: 'The slice controller is self-contained: src/core, node built-ins and @kubernetes/client-node only.' },
      ]),
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted(
        [{ name: 'vscode', message: "src/app is the editor-independent orchestration layer: no 'vscode'. Take a port (an Event, a callback) and let src/vscode render." }],
        [{ group: ['**/vscode/**', '../vscode', '../../vscode'], message: 'src/app must not depend on the vscode layer.' }],
      ),
    },
  },
  {
    files: ['src/vscode/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted(
        [
          { name: 'ws', message: 'src/vscode renders and registers only: sockets belong in src/platform, driven by src/app.' },
          { name: '@kubernetes/client-node', message: 'src/vscode renders and registers only: ask src/app (which uses src/platform/kube) instead of the Kubernetes client.' },
          ...nodeBuiltins.map((name) => ({ name, message: 'src/vscode renders and registers only: do I/O in src/platform or src/app (use vscode.Uri / vscode.workspace.fs for editor paths and files).' })),
        ],
        [
          { group: ['node:*'], message: 'src/vscode renders and registers only: no Node built-ins.' },
          { group: ['**/platform/**', '../platform', '../../platform'], message: 'src/vscode renders and registers only: ask a service of src/app (or a type of src/core); the composition root (src/container.ts) builds the src/platform adapters behind them.' },
        ],
      ),
    },
  },
  {
    files: ['src/extension.ts', 'src/container.ts', 'test/integration/**/*.ts', 'bench/*/probe.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
