/**
 * The web API's errors: each becomes `{"detail": …}` with its status (the seeds' shape). `WebError` is
 * thrown by routes for what they refuse; validation and parse errors from Fastify are mapped in
 * web-server.ts. A detail is written for people and never carries internals.
 */

export class WebError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'WebError';
  }
}

/** 404 for what does not exist and for what belongs to someone else alike: no hint that it exists. */
export const notFound = (what: string) => new WebError(404, `${what} not found`);
export const badRequest = (detail: string) => new WebError(400, detail);
export const unprocessable = (detail: string) => new WebError(422, detail);
export const unsupportedType = (detail: string) => new WebError(415, detail);
export const tooLarge = (detail: string) => new WebError(413, detail);
export const unavailable = (detail: string) => new WebError(503, detail);
