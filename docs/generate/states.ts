/**
 * Renders docs/states.md from the catalogue (`lambdas/core/catalogue`): the states, the
 * reasons and the pairs of Table 2, so the document can never say something the code
 * does not. `npm run docs:states` writes the file; test/unit/docs/states-doc.test.ts
 * fails when the file and the catalogue disagree.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import {
  NODE_STATES,
  NODE_STATE_CODES,
  stateLabel,
  type NodeStateCode,
} from '../../lambdas/core/catalogue/states';
import { REASONS, REASON_CODES, reasonLabel, type ReasonCode } from '../../lambdas/core/catalogue/reasons';
import { TABLE_2, type RowSide, type Table2Row } from '../../lambdas/core/catalogue/table2';

/** Where the rendered document lives. */
export const STATES_DOC_PATH = fileURLToPath(new URL('../states.md', import.meta.url));

/** A table cell: one line, with the characters that would break a Markdown table escaped. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

const code = (value: string) => `\`${value}\``;

function describeSide(side: RowSide): string {
  const states = side.states
    .map((state: NodeStateCode) => `${stateLabel(state)} (${code(state)})`)
    .join(' or ');
  const everyReason = REASON_CODES.every((reason) => side.reasons.includes(reason));
  const reasons = everyReason
    ? 'any reason'
    : side.reasons.map((reason: ReasonCode) => `${reasonLabel(reason)} (${code(reason)})`).join(' or ');
  return `${states}, reason ${reasons}`;
}

function describeRow(row: Table2Row): string[] {
  const origin =
    row.source === 'manual' ? 'a row of the manual’s Table 2' : 'a pair presence-ha adds to Table 2';
  const lines = [
    `### ${row.title}`,
    '',
    `Row \`${row.id}\`, ${origin}.`,
    '',
    `- Node 1: ${describeSide(row.node1)}`,
    `- Node 2: ${describeSide(row.node2)}`,
    '',
    `**Cause.** ${row.cause}`,
    '',
  ];
  if (row.recommendedActions.length === 0) {
    lines.push('**Recommended actions.** None.', '');
  } else {
    lines.push('**Recommended actions.**', '');
    row.recommendedActions.forEach((action, index) => lines.push(`${index + 1}. ${action}`));
    lines.push('');
  }
  return lines;
}

/** The Markdown of docs/states.md, formatted as prettier formats the repository. */
export async function renderStatesDoc(): Promise<string> {
  const lines = [
    '# States, reasons and Table 2',
    '',
    '<!-- Generated from lambdas/core/catalogue by `npm run docs:states`; edit the catalogue, not this file. -->',
    '',
    'Every node of a group with high availability has a state and a reason. The API and the',
    'events carry the codes; the group view and `prg` also show the labels below. How the',
    'state machine moves between them is in [state-machine.md](state-machine.md).',
    '',
    `## States (${NODE_STATE_CODES.length})`,
    '',
    '| code | label | meaning |',
    '| --- | --- | --- |',
    ...NODE_STATE_CODES.map(
      (state) =>
        `| ${code(state)} | ${cell(NODE_STATES[state].label)} | ${cell(NODE_STATES[state].description)} |`,
    ),
    '',
    `## Reasons (${REASON_CODES.length})`,
    '',
    '| code | label |',
    '| --- | --- |',
    ...REASON_CODES.map((reason) => `| ${code(reason)} | ${cell(REASONS[reason])} |`),
    '',
    `## Pairs of states (${TABLE_2.length} rows)`,
    '',
    'Each row names a pair of states and reasons the two nodes of a group can be in, what',
    'causes it, and what to do. The group view shows the cause and the actions of the row',
    'that matches its nodes, with the real node ids and group name in place of "node 1",',
    '"node 2", `<node1>`, `<node2>` and `<group>`. A row matches the nodes in either order.',
    '',
    ...TABLE_2.flatMap(describeRow),
  ];
  const options = (await prettier.resolveConfig(STATES_DOC_PATH)) ?? {};
  return prettier.format(lines.join('\n'), { ...options, filepath: STATES_DOC_PATH });
}

/** The document as it is on disk, or null when it does not exist yet. */
export async function readStatesDoc(): Promise<string | null> {
  try {
    return await readFile(STATES_DOC_PATH, 'utf8');
  } catch {
    return null;
  }
}

const runDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  await writeFile(STATES_DOC_PATH, await renderStatesDoc());
  console.log(`Wrote ${STATES_DOC_PATH}`);
}
