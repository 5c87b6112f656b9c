// Errors that cross the contract: a stable code plus a message a person can act on.

export type ErrorCode =
  | 'invalid_input'
  | 'invalid_config'
  | 'unknown_arch'
  | 'unknown_task'
  | 'not_found'
  | 'conflict'
  | 'bad_database'
  | 'schema_too_new'
  | 'storage_full'
  | 'backend_unavailable'
  | 'diverged'
  | 'invalid_dataset'
  | 'dataset_changed'
  | 'internal';

/** An error meant for the user: `code` is stable for programs, `message` is for people. */
export class WorkbenchError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'WorkbenchError';
    this.code = code;
  }
}

/** The plain-data form of any error, as every transport sends it. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
}

export function toErrorData(err: unknown): ErrorData {
  if (err instanceof WorkbenchError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}
