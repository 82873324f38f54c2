/**
 * The app: who is signed in (`GET /me`: a key from sessionStorage, or the server's anonymous person in the
 * demo), the sign-in screen when there is nobody, and the shell: header, chat list, and the open view (the
 * chat, or the gallery) from the hash route.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, keyStore, onUnauthorized } from './api';
import { Banner, clearProblem, report } from './banner';
import { CHAT_LIST_ID, ChatList } from './chat-list';
import { ChatView, DEFAULT_TITLE, markFresh } from './chat-view';
import { ApiError } from './errors';
import { setMediaOrigins } from './format';
import { Gallery } from './gallery';
import { chatHref, GALLERY_HREF, go, HOME_HREF, useRoute } from './routes';
import { REVOKED_TEXT, SignIn } from './sign-in';
import type { Chat, Me } from './types';

type Auth =
  | { phase: 'checking' }
  | { phase: 'signed-out'; notice: string | undefined }
  | { phase: 'signed-in'; me: Me; withKey: boolean };

const focusSoon = (selector: string) =>
  requestAnimationFrame(() => document.querySelector<HTMLElement>(selector)?.focus());

function Shell({ me, withKey, onSignOut }: { me: Me; withKey: boolean; onSignOut(): void }) {
  const route = useRoute();
  const [chats, setChats] = useState<Chat[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [lastChat, setLastChat] = useState<string | undefined>(undefined);
  const activeId = route.view === 'chat' ? route.chatId : undefined;

  const loadChats = async (after?: string) => {
    try {
      const page = await api.chats(after);
      setChats((now) => {
        const seen = new Set(page.items.map((chat) => chat.id));
        // A chat created while the list was loading is kept.
        return after
          ? [...now, ...page.items.filter((chat) => !now.some((c) => c.id === chat.id))]
          : [...now.filter((chat) => !seen.has(chat.id)), ...page.items];
      });
      setCursor(page.has_more ? page.next_cursor : null);
    } catch (error) {
      report(error);
    }
  };

  useEffect(() => {
    void loadChats();
  }, []);

  useEffect(() => {
    if (activeId) setLastChat(activeId);
  }, [activeId]);

  // Escape closes the chat list on a phone.
  useEffect(() => {
    if (!sidebarOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !document.querySelector('dialog[open]')) {
        setSidebarOpen(false);
        focusSoon('.menu');
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [sidebarOpen]);

  const closeSidebar = () => {
    if (!sidebarOpen) return;
    setSidebarOpen(false);
    focusSoon('#chat-title');
  };

  const [creating, setCreating] = useState(false);
  const newChat = async () => {
    if (creating) return;
    setCreating(true);
    try {
      const chat = await api.createChat();
      markFresh(chat.id);
      setChats((now) => [chat, ...now.filter((c) => c.id !== chat.id)]);
      go(chatHref(chat.id));
      if (sidebarOpen) {
        setSidebarOpen(false);
        focusSoon('#composer-text');
      }
    } catch (error) {
      report(error);
    } finally {
      setCreating(false);
    }
  };

  const rename = async (chat: Chat, title: string) => {
    try {
      const renamed = await api.renameChat(chat.id, title);
      setChats((now) => now.map((c) => (c.id === chat.id ? { ...c, ...renamed } : c)));
      return true;
    } catch (error) {
      report(error);
      return false;
    }
  };

  const remove = async (chat: Chat) => {
    try {
      await api.deleteChat(chat.id);
      setChats((now) => now.filter((c) => c.id !== chat.id));
      if (lastChat === chat.id) setLastChat(undefined);
      if (activeId === chat.id) go(HOME_HREF);
      focusSoon('.new-chat');
    } catch (error) {
      report(error);
    }
  };

  const activity = (chatId: string) =>
    setChats((now) => {
      const chat = now.find((c) => c.id === chatId);
      if (!chat) return now;
      const moved = { ...chat, message_count: chat.message_count + 2, last_message_at: new Date().toISOString() };
      return [moved, ...now.filter((c) => c.id !== chatId)];
    });

  const title = activeId ? (chats.find((chat) => chat.id === activeId)?.title ?? 'Chat') : 'New chat';
  const chatsHref = lastChat ? chatHref(lastChat) : HOME_HREF;

  return (
    <>
      <header class="top">
        <button
          type="button"
          class="menu"
          aria-expanded={sidebarOpen ? 'true' : 'false'}
          aria-controls={CHAT_LIST_ID}
          onClick={() => setSidebarOpen(!sidebarOpen)}
        >
          Show chats
        </button>
        <h1 class="brand">Higgsbot</h1>
        <nav aria-label="Views" class="views">
          <a href={chatsHref} aria-current={route.view === 'chat' ? 'page' : undefined}>
            Chats
          </a>
          <a href={GALLERY_HREF} aria-current={route.view === 'gallery' ? 'page' : undefined}>
            Gallery
          </a>
        </nav>
        <div class="who">
          <span class="who-name">Signed in as {me.user_id}</span>
          {withKey && (
            <button type="button" class="quiet" onClick={onSignOut}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <Banner />
      <div class="layout" data-sidebar={sidebarOpen ? 'open' : undefined}>
        <ChatList
          chats={chats}
          activeId={activeId}
          hasMore={cursor !== null}
          open={sidebarOpen}
          onMore={() => cursor && void loadChats(cursor)}
          onNew={() => void newChat()}
          onChoose={closeSidebar}
          onRename={rename}
          onDelete={remove}
        />
        <main class="main">
          {route.view === 'gallery' ? (
            <Gallery />
          ) : (
            <ChatView
              chatId={activeId}
              title={title}
              onCreated={(chat) => setChats((now) => [chat, ...now.filter((c) => c.id !== chat.id)])}
              onActivity={activity}
              onRetitle={(chatId, newTitle) => {
                // Only a chat nobody has named yet: a rename made while the answer came in stands.
                const chat = chats.find((c) => c.id === chatId);
                if (chat && chat.title === DEFAULT_TITLE) void rename(chat, newTitle);
              }}
            />
          )}
        </main>
      </div>
    </>
  );
}

export function App() {
  const [auth, setAuth] = useState<Auth>({ phase: 'checking' });

  useEffect(() => {
    onUnauthorized(() => {
      keyStore.clear();
      setAuth({ phase: 'signed-out', notice: REVOKED_TEXT });
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const check = async () => {
      const hadKey = keyStore.get() !== undefined;
      try {
        const me = await api.me(true);
        clearProblem();
        signedIn(me, hadKey);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          keyStore.clear();
          setAuth({ phase: 'signed-out', notice: hadKey ? REVOKED_TEXT : undefined });
          return;
        }
        // The server cannot be reached (or failed): say so, and try again.
        report(error);
        timer = setTimeout(check, Math.min(10_000, 1_000 * 2 ** attempt++));
      }
    };
    void check();
    return () => clearTimeout(timer);
  }, []);

  const signedIn = (me: Me, withKey: boolean) => {
    setMediaOrigins(me.media_origins ?? []);
    setAuth({ phase: 'signed-in', me, withKey });
  };

  if (auth.phase === 'signed-in') {
    return (
      <Shell
        me={auth.me}
        withKey={auth.withKey}
        onSignOut={() => {
          keyStore.clear();
          setAuth({ phase: 'signed-out', notice: undefined });
        }}
      />
    );
  }
  return (
    <>
      <Banner />
      {auth.phase === 'checking' ? (
        <main class="starting">
          <p>Opening Higgsbot…</p>
        </main>
      ) : (
        <SignIn notice={auth.notice} onSignedIn={(me) => signedIn(me, true)} />
      )}
    </>
  );
}
