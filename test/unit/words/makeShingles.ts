/**
 * Writes manual-shingles.txt: the fingerprints of every 8-word run of a text that the
 * repository must not copy. The text itself never enters the repository.
 *
 *   npx tsx test/unit/words/makeShingles.ts <path-to-text>    (or: npm run words:fixture -- <path>)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shingleHashes } from './shingles';

const source = process.argv[2];
if (!source) {
  console.error('usage: npx tsx test/unit/words/makeShingles.ts <path-to-text>');
  process.exit(2);
}
const hashes = [...shingleHashes(readFileSync(source, 'utf8'))].sort();
const out = fileURLToPath(new URL('./manual-shingles.txt', import.meta.url));
writeFileSync(out, `${hashes.join('\n')}\n`);
console.log(`${hashes.length} fingerprints written to ${out}`);
