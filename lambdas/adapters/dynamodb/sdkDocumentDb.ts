/**
 * `DocumentDb` over the AWS SDK's document client: for the functions whose DynamoDB calls
 * X-Ray should see (the tracer captures SDK clients, not plain HTTP). The SDK retries
 * throttled and transient calls with backoff (standard mode).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

/**
 * The SDK's DynamoDB client as a Lambda function's environment asks for it: its region,
 * AWS_ENDPOINT_URL_DYNAMODB when set, four tries a call. Credentials: the keys in `env`
 * when it has them (Lambda puts the role's there for the sandbox's life), else the SDK's
 * own search.
 */
export function sdkClientFromEnv(env: NodeJS.ProcessEnv): DynamoDBClient {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  return new DynamoDBClient({
    maxAttempts: 4,
    ...(region ? { region } : {}),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined } }
      : {}),
    ...(env.AWS_ENDPOINT_URL_DYNAMODB ? { endpoint: env.AWS_ENDPOINT_URL_DYNAMODB } : {}),
  });
}
