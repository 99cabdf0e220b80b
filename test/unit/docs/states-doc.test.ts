import { describe, expect, it } from 'vitest';
import { readStatesDoc, renderStatesDoc } from '../../../docs/generate/states';

describe('docs/states.md', () => {
  it('says what the catalogue says', async () => {
    const rendered = await renderStatesDoc();
    const onDisk = await readStatesDoc();
    const advice =
      'docs/states.md is generated from lambdas/core/catalogue and is out of date: run `npm run docs:states` and commit the result.';
    expect(onDisk, advice).not.toBeNull();
    // One line per difference would drown the advice: compare whole, say what to do.
    expect(onDisk === rendered, advice).toBe(true);
  });
});
