import { TABLES, type TableNames } from '../../contract/tables';
import {
  QueryCommand,
  ScanCommand,
  type DocumentDb,
  type QueryCommandInput,
  type ScanCommandInput,
} from './commands';

export type { TableNames } from '../../contract/tables';

/** Reads each table's name from its environment variable; a missing one is a deployment error. */
export function tableNamesFromEnv(env: NodeJS.ProcessEnv): TableNames {
  const names = {} as TableNames;
  for (const t of Object.values(TABLES)) {
    names[t.id] = env[t.envVar] ?? '';
  }
  return names;
}

/** Whether an error is DynamoDB's answer to a failed condition. */
export function isConditionFailure(e: unknown): boolean {
  return e instanceof Error && e.name === 'ConditionalCheckFailedException';
}

/** The reasons of a cancelled transaction, one per item, in order. */
export function cancellationReasons(e: unknown): (string | undefined)[] | null {
  if (!(e instanceof Error) || e.name !== 'TransactionCanceledException') return null;
  const reasons = (e as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code);
}

/** Every item a Query (with `KeyConditionExpression`) or a Scan returns, page after page. */
export async function allItems(
  db: DocumentDb,
  input: QueryCommandInput | ScanCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const request = { ...input, ExclusiveStartKey: start };
    const page = await db.send(
      'KeyConditionExpression' in input && input.KeyConditionExpression
        ? new QueryCommand(request as QueryCommandInput)
        : new ScanCommand(request as ScanCommandInput),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
