import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

/**
 * The layers are enforced by lint, so `npm test` fails on an import that crosses them.
 * Each case lints one line of code as if it were written in the given file.
 */
const eslint = new ESLint();

async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layers enforced by lint', () => {
  it.each([
    ['core → adapters', 'lambdas/core/machine/x.ts', "import { x } from '../../adapters/dynamodb/groups';"],
    ['core → app', 'lambdas/core/machine/x.ts', "import { x } from '../../app';"],
    ['core → AWS SDK', 'lambdas/core/machine/x.ts', "import { x } from '@aws-sdk/client-dynamodb';"],
    ['contract → handlers', 'lambdas/contract/x.ts', "import { x } from '../handlers';"],
    ['app → adapters', 'lambdas/app/x.ts', "import { x } from '../adapters/dynamodb/groups';"],
    ['app → handlers', 'lambdas/app/x.ts', "import { x } from '../handlers/composition';"],
    ['adapters → handlers', 'lambdas/adapters/sfn/x.ts', "import { x } from '../../handlers/composition';"],
    ['handlers → entries', 'lambdas/handlers/x.ts', "import { x } from '../entries/heartbeat';"],
    [
      'lib → a file inside a layer',
      'lib/constructs/x.ts',
      "import { x } from '../../lambdas/handlers/composition';",
    ],
    [
      'local → a file inside a layer',
      'local/x.ts',
      "import { x } from '../lambdas/adapters/dynamodb/groups';",
    ],
    ['CLI → use cases', 'cli/x.ts', "import { x } from '../lambdas/app';"],
    ['CLI → a file inside the contract', 'cli/x.ts', "import { x } from '../lambdas/contract/routes';"],
    ['agent → handlers', 'agent/x.ts', "import { x } from '../lambdas/handlers';"],
  ])('refuses %s', async (_name, file, code) => {
    expect(await importErrors(file, code)).not.toEqual([]);
  });

  it.each([
    ['app → core', 'lambdas/app/x.ts', "import { x } from '../core';"],
    ['adapters → app ports', 'lambdas/adapters/sfn/x.ts', "import type { x } from '../../app/ports';"],
    ['adapters → contract', 'lambdas/adapters/sfn/x.ts', "import { x } from '../../contract/workflows';"],
    ['handlers → adapters', 'lambdas/handlers/x.ts', "import { x } from '../adapters/dynamodb/groups';"],
    ['lib → the contract', 'lib/constructs/x.ts', "import { x } from '../../lambdas/contract';"],
    ['local → the handlers face', 'local/x.ts', "import { x } from '../lambdas/handlers';"],
    ['CLI → the contract', 'cli/x.ts', "import { x } from '../lambdas/contract';"],
    ['CLI → the light client face', 'cli/x.ts', "import { x } from '../lambdas/contract/client';"],
    ['CLI → the catalogue', 'cli/x.ts', "import { x } from '../lambdas/core/catalogue';"],
  ])('allows %s', async (_name, file, code) => {
    expect(await importErrors(file, code)).toEqual([]);
  });
});
