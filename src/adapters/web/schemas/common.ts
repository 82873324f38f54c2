/** Shapes every web route shares. */
import { z } from 'zod';

export const ErrorSchema = z.object({ detail: z.string() }).meta({ id: 'Error' });

/** The error answers a route documents: every route may answer these. */
export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  404: ErrorSchema,
  422: ErrorSchema,
  429: ErrorSchema,
  500: ErrorSchema,
} as const;

export const isoTime = (ms: number) => new Date(ms).toISOString();
