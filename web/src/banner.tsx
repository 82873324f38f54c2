/**
 * The error banner at the top: one readable line for what is wrong now. Offline (from navigator.onLine and
 * the online/offline events) comes first, then the last problem reported (a rate limit with its wait, a
 * server's `detail`), then an event stream that is reconnecting. Any view reports through `report`.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, NETWORK_TEXT } from './errors';

const OFFLINE_TEXT = 'You are offline. Higgsbot will reconnect when your connection is back.';

interface BannerState {
  offline: boolean;
  streamDown: boolean;
  problem: string | undefined;
}

let state: BannerState = { offline: !navigator.onLine, streamDown: false, problem: undefined };
let clearTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(next: BannerState) => void>();

function update(change: Partial<BannerState>) {
  state = { ...state, ...change };
  for (const listener of listeners) listener(state);
}

window.addEventListener('online', () => update({ offline: false }));
window.addEventListener('offline', () => update({ offline: true }));

/** The words for a failure, for people. */
export function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.network) return error.detail || NETWORK_TEXT;
    if (error.status === 429) return `Too many requests — try again in ${error.retryAfterS ?? 60} s.`;
    return error.detail;
  }
  return `Something went wrong in the page: ${error instanceof Error ? error.message : String(error)}`;
}

/** Shows a failure in the banner (a 401 is the sign-in screen's, so it is not shown here). */
export function report(error: unknown) {
  if (error instanceof DOMException && error.name === 'AbortError') return;
  if (error instanceof ApiError && error.status === 401) return;
  if (clearTimer !== undefined) clearTimeout(clearTimer);
  clearTimer = undefined;
  // A rate limit goes away by itself once its wait is over.
  if (error instanceof ApiError && error.status === 429) {
    clearTimer = setTimeout(() => update({ problem: undefined }), (error.retryAfterS ?? 60) * 1_000);
  }
  update({ problem: problemText(error) });
}

export function clearProblem() {
  update({ problem: undefined });
}

/** The chat's event stream is reconnecting (true) or open (false). */
export function setStreamDown(streamDown: boolean) {
  if (state.streamDown !== streamDown) update({ streamDown });
}

export function Banner() {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    listeners.add(setCurrent);
    setCurrent(state);
    return () => {
      listeners.delete(setCurrent);
    };
  }, []);

  const text = current.offline ? OFFLINE_TEXT : (current.problem ?? (current.streamDown ? NETWORK_TEXT : undefined));
  if (text === undefined) return null;
  const dismissable = !current.offline && current.problem !== undefined;
  return (
    <div class="banner-bar">
      <p role="alert" class="banner">
        {text}
      </p>
      {dismissable && (
        <button type="button" class="quiet" onClick={clearProblem}>
          Dismiss
        </button>
      )}
    </div>
  );
}
