import { ErrorCode, errorMessage, type ErrorCodeValue } from '../../shared/error-codes.js';

/**
 * A copy failure in the contract's terms: the subtask error code, plus the OS or HTTP detail
 * that explains it. `retryable` marks download failures worth another attempt.
 */
export class CopyError extends Error {
  readonly code: ErrorCodeValue;
  readonly detail: string | undefined;
  readonly retryable: boolean;

  constructor(
    code: ErrorCodeValue,
    detail?: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(detail ? `${errorMessage(code)}: ${detail}` : errorMessage(code), {
      cause: options.cause,
    });
    this.name = 'CopyError';
    this.code = code;
    this.detail = detail;
    this.retryable = options.retryable ?? false;
  }
}

/** The error an aborted operation should surface: the abort reason when it is a CopyError. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason;
  return new CopyError(ErrorCode.Cancelled);
}

/** `code` of a Node.js system error, or undefined. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
