import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An HTTP failure with the status it answers with; the body is `{code, message}`. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;

  constructor(status: ContentfulStatusCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

export const notFound = (what: string) => new ApiError(404, `${what} not found`);
