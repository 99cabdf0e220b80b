/**
 * The DynamoDB calls the repositories make, as plain data, and the one port they make
 * them through (`DocumentDb`). A command names its DynamoDB operation and carries the
 * document-shaped input (plain JavaScript values, not attribute values) the SDK's
 * document client takes; the answer comes back in the same shape.
 *
 * Why not the SDK's command classes: importing them loads the whole DynamoDB client, and
 * that load was most of the heartbeat function's cold start. With commands as data, the
 * heartbeat sends them over a small signed HTTP client (`wire/`), and the functions that
 * want the SDK (X-Ray captures its calls) send them through it (`sdkDocumentDb.ts`). This
 * module imports types only.
 */
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  TransactWriteCommandInput,
  TransactWriteCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';

/** An answer without the SDK's response metadata, which no repository reads. */
type Answer<O> = Omit<O, '$metadata'>;

/** Each DynamoDB operation the repositories use: its document-shaped input and answer. */
export interface DocumentOperations {
  GetItem: { input: GetCommandInput; output: Answer<GetCommandOutput> };
  PutItem: { input: PutCommandInput; output: Answer<PutCommandOutput> };
  UpdateItem: { input: UpdateCommandInput; output: Answer<UpdateCommandOutput> };
  DeleteItem: { input: DeleteCommandInput; output: Answer<DeleteCommandOutput> };
  Query: { input: QueryCommandInput; output: Answer<QueryCommandOutput> };
  Scan: { input: ScanCommandInput; output: Answer<ScanCommandOutput> };
  BatchGetItem: { input: BatchGetCommandInput; output: Answer<BatchGetCommandOutput> };
  BatchWriteItem: { input: BatchWriteCommandInput; output: Answer<BatchWriteCommandOutput> };
  TransactWriteItems: { input: TransactWriteCommandInput; output: Answer<TransactWriteCommandOutput> };
}

export type DocumentOperation = keyof DocumentOperations;

/** One call: the operation and its input. */
export interface DocumentCommand<O extends DocumentOperation = DocumentOperation> {
  readonly operation: O;
  readonly input: DocumentOperations[O]['input'];
}

/**
 * The port the DynamoDB repositories talk through. Failures are thrown as `Error`s named
 * after DynamoDB's error type (`ConditionalCheckFailedException`, …); a cancelled
 * transaction's error carries `CancellationReasons`. Throttled and transient calls are
 * retried inside, with backoff, before anything is thrown.
 */
export interface DocumentDb {
  send<O extends DocumentOperation>(command: DocumentCommand<O>): Promise<DocumentOperations[O]['output']>;
}

/** A command class per operation, named as the SDK's document client names them. */
function commandClass<O extends DocumentOperation>(operation: O) {
  return class implements DocumentCommand<O> {
    readonly operation = operation;
    constructor(readonly input: DocumentOperations[O]['input']) {}
  };
}

export const GetCommand = commandClass('GetItem');
export const PutCommand = commandClass('PutItem');
export const UpdateCommand = commandClass('UpdateItem');
export const DeleteCommand = commandClass('DeleteItem');
export const QueryCommand = commandClass('Query');
export const ScanCommand = commandClass('Scan');
export const BatchGetCommand = commandClass('BatchGetItem');
export const BatchWriteCommand = commandClass('BatchWriteItem');
export const TransactWriteCommand = commandClass('TransactWriteItems');

export type {
  BatchGetCommandInput,
  BatchWriteCommandInput,
  DeleteCommandInput,
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  ScanCommandInput,
  TransactWriteCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
