// `npm run lint` (run by .ci/run before the tests): Prettier checks the formatting, ESLint checks
// for mistakes and keeps the arrows of docs/architecture.md pointing the right way.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import streamctl from './scripts/lint/rules.js'

/** src/lib's folders, bottom to top: a folder imports only folders listed before it. */
export const LIB_LAYERS = [
  'text',
  'yaml',
  'random',
  'host',
  'ui',
  'kafka',
  'streamflow',
  'measure',
  'quota',
  'sla',
  'stack',
  'load',
  'report',
  'k8s',
  'provision',
  'replay',
  'doctor',
  'bench',
]

/**
 * src/services' folders, bottom to top: the shared rooms first, then the services (the gateway
 * calls the tagger's gRPC client, so the tagger sits below it).
 */
export const SERVICE_LAYERS = [
  'telemetry',
  'http',
  'redis',
  'quota',
  'cache',
  'runtime',
  'amqp',
  'llm-sim',
  'tagger',
  'collector',
  'content-pipeline',
  'projector',
  'recommender',
  'worker',
  'gateway',
]

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'fixtures/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {globals: {...globals.node}},
    plugins: {streamctl},
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true},
      ],
      // An empty catch is streamctl/explained-ignore's to judge.
      'no-empty': ['error', {allowEmptyCatch: true}],
      'streamctl/explained-ignore': 'error',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      'streamctl/layers': [
        'error',
        {
          root: 'src',
          forbidden: {
            lib: ['services', 'broker', 'commands', 'cli'],
            broker: ['services', 'commands', 'cli'],
            services: ['broker', 'commands', 'cli'],
            cli: ['commands'],
          },
          order: {lib: LIB_LAYERS, services: SERVICE_LAYERS},
        },
      ],
    },
  },
)
