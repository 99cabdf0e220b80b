import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TABLES, type TableNames } from '../../contract/tables';

/**
 * The document client over a DynamoDB client, shared by every repository of one set of
 * ports. The SDK retries throttled and transient calls with backoff (standard mode).
 */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    // Maps keyed by input (services by name, tokens by node id) may hold a key named
    // "constructor"; the marshaller then no longer recognises them as plain objects and
    // would refuse them unless told to store such an object as a map.
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
}

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
  db: DynamoDBDocumentClient,
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
