import { describe, expect, it } from 'vitest';
import { readApiDoc, renderApiDoc } from '../../../docs/generate/api';
import { ROUTE_LIST } from '../../../lambdas/contract';

describe('docs/api.md', () => {
  it('says what the route table says', async () => {
    const rendered = await renderApiDoc();
    const onDisk = await readApiDoc();
    const advice =
      'docs/api.md is generated from lambdas/contract and is out of date: run `npm run docs:api` and commit the result.';
    expect(onDisk, advice).not.toBeNull();
    expect(onDisk === rendered, advice).toBe(true);
  });

  it('has a section for every route, with its answer described field by field', async () => {
    const rendered = await renderApiDoc();
    for (const route of ROUTE_LIST) {
      expect(rendered, route.key).toContain(`### \`${route.key}\``);
      if (route.spec.response && route.key !== 'GET /v1/openapi.json') {
        const section = rendered.slice(rendered.indexOf(`### \`${route.key}\``)).split('\n### ')[0]!;
        expect(section, `${route.key} lists the fields of its answer`).toMatch(/\| `\w+` +\|/);
      }
    }
  });
});
