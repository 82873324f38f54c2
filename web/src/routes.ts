/** Hash routes: `#/chats/<id>` (the open chat), `#/gallery`; anything else is the chat view with no chat. */
import { useEffect, useState } from 'preact/hooks';

export type Route = { view: 'chat'; chatId: string | undefined } | { view: 'gallery' };

export const GALLERY_HREF = '#/gallery';
export const HOME_HREF = '#/';

export const chatHref = (id: string) => `#/chats/${encodeURIComponent(id)}`;

export function parseHash(hash: string): Route {
  if (hash === GALLERY_HREF) return { view: 'gallery' };
  const match = /^#\/chats\/([^/?#]+)$/.exec(hash);
  if (!match?.[1]) return { view: 'chat', chatId: undefined };
  try {
    return { view: 'chat', chatId: decodeURIComponent(match[1]) };
  } catch {
    return { view: 'chat', chatId: undefined };
  }
}

/** Goes to `href` (a hash route); the hashchange listener renders it. */
export function go(href: string) {
  if (location.hash !== href) location.hash = href;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
