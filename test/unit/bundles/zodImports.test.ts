import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every TypeScript file under a directory, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/**
 * `import { z } from 'zod'` makes esbuild keep zod's whole namespace object, locales
 * included (258 KiB in every Lambda bundle); `import * as z from 'zod'` lets it keep only
 * what is used, with the same English messages. One such import anywhere in lambdas/
 * brings the locales back into every bundle that reaches it.
 */
describe('zod in the Lambda code', () => {
  it('is imported as a namespace, so the bundles carry no locales', () => {
    const offenders = sources('lambdas').filter((file) =>
      /^import\s+(?:\{\s*z\s*\}|z)\s+from\s+'zod'/m.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
