/** Words and small rules the views share: estimates, titles, media links the page may load. */
import type { Estimate, GenerationKind } from './types';

export const TITLE_MAX = 60;

/** "about 30 s · 4 credits" (the credits only when known). */
export function estimateText(estimate: Estimate | undefined): string {
  if (!estimate || !Number.isFinite(estimate.wait_seconds)) return '';
  const wait = `about ${Math.max(1, Math.round(estimate.wait_seconds))} s`;
  const credits = estimate.credits;
  if (credits === undefined || !Number.isFinite(credits)) return wait;
  return `${wait} · ${credits} ${credits === 1 ? 'credit' : 'credits'}`;
}

export const KIND_TEXT: Record<GenerationKind, string> = {
  'text-to-image': 'Image',
  'text-to-video': 'Video',
  'image-to-video': 'Video from your image',
};

/** A new chat's title from its first message: one line, at most 60 characters. */
export function titleFrom(text: string): string {
  const line = text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return Array.from(line).slice(0, TITLE_MAX).join('').trim() || 'New chat';
}

/** The accessible text of a result: "<label>: <prompt>". */
export const mediaName = (label: string, prompt: string | undefined) => (prompt ? `${label}: ${prompt}` : label);

let allowedOrigins = new Set<string>();

/** The origins results may be loaded from (`/me` media_origins); the page's own origin always is. */
export function setMediaOrigins(origins: readonly string[]) {
  allowedOrigins = new Set(
    origins.flatMap((origin) => {
      try {
        return [new URL(origin).origin];
      } catch {
        return [];
      }
    }),
  );
}

/** Whether a media link may be loaded: http(s) on our origin or a configured media origin (or a blob:). */
export function mediaAllowed(url: string): boolean {
  try {
    const parsed = new URL(url, location.href);
    if (parsed.protocol === 'blob:') return true;
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
    return parsed.origin === location.origin || allowedOrigins.has(parsed.origin);
  } catch {
    return false;
  }
}

export const isVideo = (contentType: string) => contentType.startsWith('video/');
