import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', 'dist/', 'console/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'off',
    },
  },
  {
    // Tests state what they know about fixtures they built themselves, and read JSON
    // answers whose shape is exactly what they assert.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  // The layers, each importing only what is beneath it (docs/architecture.md):
  // core ← contract ← app ← adapters ← handlers ← entries. lib/, local/ and the tools
  // import a layer only through its public face (its index), never a file inside it.
  layer('lambdas/core/**/*.ts', 'The domain core depends on nothing outside lambdas/core.', [
    ...anyOf('contract', 'app', 'adapters', 'handlers', 'entries'),
  ]),
  layer('lambdas/contract/**/*.ts', 'The contract is data over the core: no use case, adapter or handler.', [
    ...anyOf('app', 'adapters', 'handlers', 'entries'),
  ]),
  layer('lambdas/app/**/*.ts', 'Use cases depend on the core and on their own ports only.', [
    ...anyOf('contract', 'adapters', 'handlers', 'entries'),
  ]),
  layer(
    'lambdas/adapters/**/*.ts',
    'Adapters implement the ports of lambdas/app; handlers compose them, never the reverse.',
    anyOf('handlers', 'entries'),
    { aws: true },
  ),
  layer(
    'lambdas/handlers/**/*.ts',
    'Entries compose handlers; handlers never import an entry.',
    anyOf('entries'),
    {
      aws: true,
    },
  ),
  layer(
    '{lib,local}/**/*.ts',
    'Import a layer through its public face (lambdas/<layer>), not a file inside it.',
    ['**/lambdas/*/**', '**/lambdas/entries'],
    { aws: true },
  ),
  layer(
    '{cli,agent,demo}/**/*.ts',
    'The tools speak to the API through lambdas/contract (its light client face: lambdas/contract/client) and read labels from lambdas/core (or its dependency-free catalogue), nothing else.',
    [
      '**/lambdas/*/**',
      '!**/lambdas/contract/client',
      '!**/lambdas/core/catalogue',
      '**/lambdas/app',
      '**/lambdas/adapters',
      '**/lambdas/handlers',
      '**/lambdas/entries',
    ],
  ),
  {
    // The console runs in a browser: it calls the API through the light client face and
    // shows the catalogue's labels. The contract's view types may be imported as types
    // (they vanish from the bundle); a value import would pull zod and the schemas in.
    files: ['console/src/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // A regex, since a gitignore-style group cannot forbid a folder and allow one file in it.
              regex: '(^|/)lambdas/(?!contract/client$|core/catalogue$)',
              allowTypeImports: true,
              message:
                'The console speaks to the API through lambdas/contract/client and reads labels from lambdas/core/catalogue; other layers only as `import type`.',
            },
            {
              group: [
                ...anyOf('app', 'adapters', 'handlers', 'entries').map((p) => `**/lambdas/${p.slice(3)}`),
              ],
              message:
                'The console never imports use cases, adapters, handlers or entries, not even their types.',
            },
            {
              group: [
                '@aws-sdk/*',
                'aws-cdk-lib',
                'aws-cdk-lib/*',
                '@middy/*',
                '@aws-lambda-powertools/*',
                'zod',
              ],
              message: 'The console is a browser bundle: no AWS, server or schema library in it.',
            },
          ],
        },
      ],
    },
  },
);

/** Import patterns naming a layer folder and anything inside it. */
function anyOf(...layers) {
  return layers.flatMap((name) => [`**/${name}`, `**/${name}/**`]);
}

/**
 * One layer's import rule: the patterns it must not import, and, unless it talks to AWS
 * itself, no AWS SDK, CDK, middy or Powertools either.
 */
function layer(files, message, forbidden, { aws = false } = {}) {
  const patterns = [{ group: forbidden, message }];
  if (!aws) {
    patterns.push({
      group: ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', '@middy/*', '@aws-lambda-powertools/*'],
      message: `${message} No AWS import here.`,
    });
  }
  return { files: [files], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}
