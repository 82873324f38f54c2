/**
 * The sign-in screen, shown when `GET /me` answers 401: an API key (made with `higgsbot api-keys create`),
 * checked with `GET /me` before it is kept in sessionStorage for the tab's session.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, keyStore } from './api';
import { problemText } from './banner';
import { ApiError } from './errors';
import type { Me } from './types';

export const REVOKED_TEXT = 'Your key is no longer accepted — sign in again.';
const REFUSED_TEXT = 'That key was not accepted. Check it and try again.';

interface Props {
  /** Why the screen is shown again (a key refused mid-session). */
  notice: string | undefined;
  onSignedIn(me: Me): void;
}

export function SignIn({ notice, onSignedIn }: Props) {
  const [key, setKey] = useState('');
  const [alert, setAlert] = useState(notice);
  const [checking, setChecking] = useState(false);
  const field = useRef<HTMLInputElement>(null);

  useEffect(() => field.current?.focus(), []);

  const submit = async () => {
    const typed = key.trim();
    if (!typed) {
      setAlert('Enter your API key.');
      field.current?.focus();
      return;
    }
    setChecking(true);
    keyStore.set(typed);
    try {
      const me = await api.me(true);
      onSignedIn(me);
    } catch (error) {
      keyStore.clear();
      setAlert(error instanceof ApiError && error.status === 401 ? REFUSED_TEXT : problemText(error));
      setChecking(false);
      field.current?.focus();
    }
  };

  return (
    <main class="sign-in">
      <form
        class="card"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h1>Sign in to Higgsbot</h1>
        <p class="hint">
          Use the API key you were given (an admin makes one with <code>higgsbot api-keys create</code>). It is kept
          only for this tab.
        </p>
        {alert && (
          <p role="alert" class="failure">
            {alert}
          </p>
        )}
        <label for="api-key">API key</label>
        <input
          id="api-key"
          ref={field}
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={checking}>
          Sign in
        </button>
      </form>
    </main>
  );
}
