/**
 * `DocumentDb` over the AWS SDK's document client: for the functions whose DynamoDB calls
 * X-Ray should see (the tracer captures SDK clients, not plain HTTP). The SDK retries
 * throttled and transient calls with backoff (standard mode).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DocumentCommand, DocumentDb, DocumentOperation, DocumentOperations } from './commands';

/** The SDK's command class for each operation. */
const SDK_COMMANDS = {
  GetItem: GetCommand,
  PutItem: PutCommand,
  UpdateItem: UpdateCommand,
  DeleteItem: DeleteCommand,
  Query: QueryCommand,
  Scan: ScanCommand,
  BatchGetItem: BatchGetCommand,
  BatchWriteItem: BatchWriteCommand,
  TransactWriteItems: TransactWriteCommand,
} as const;

/** The document client over a DynamoDB client, shared by every repository of one set of ports. */
export function sdkDocumentDb(client: DynamoDBClient): DocumentDb {
  const db = DynamoDBDocumentClient.from(client, {
    // Maps keyed by input (services by name, tokens by node id) may hold a key named
    // "constructor"; the marshaller then no longer recognises them as plain objects and
    // would refuse them unless told to store such an object as a map.
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  return {
    send<O extends DocumentOperation>(command: DocumentCommand<O>) {
      const Sdk = SDK_COMMANDS[command.operation] as unknown as new (
        input: unknown,
      ) => Parameters<typeof db.send>[0];
      return db.send(new Sdk(command.input)) as unknown as Promise<DocumentOperations[O]['output']>;
    },
  };
}
