/**
 * The sidebar: "New chat", then the person's chats, most recently active first. Each chat is a link (its
 * title), with Rename (an inline field: Enter saves, Escape cancels) and Delete (asked in a modal dialog).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { chatHref } from './routes';
import type { Chat } from './types';

interface Props {
  chats: Chat[];
  activeId: string | undefined;
  hasMore: boolean;
  open: boolean;
  onMore(): void;
  onNew(): void;
  onChoose(): void;
  onRename(chat: Chat, title: string): Promise<boolean>;
  onDelete(chat: Chat): Promise<void>;
}

export const CHAT_LIST_ID = 'chat-list';

function PencilIcon() {
  return (
    <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
      <path d="M13.6 3.2a2 2 0 0 1 2.8 2.8l-9 9-3.8 1 1-3.8z" fill="none" stroke="currentColor" stroke-width="1.6" />
    </svg>
  );
}

function TrashIcon() {
  return (
    <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        d="M4 6h12M8 6V4h4v2M6 6l1 10h6l1-10"
        fill="none"
        stroke="currentColor"
        stroke-width="1.6"
        stroke-linejoin="round"
      />
    </svg>
  );
}

function RenameField({ chat, onDone }: { chat: Chat; onDone(title: string | undefined): void }) {
  const [title, setTitle] = useState(chat.title);
  const input = useRef<HTMLInputElement>(null);
  const finished = useRef(false);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const finish = (value: string | undefined) => {
    if (finished.current) return;
    finished.current = true;
    onDone(value);
  };
  return (
    <input
      ref={input}
      class="rename"
      type="text"
      aria-label="Chat title"
      maxLength={200}
      value={title}
      onInput={(event) => setTitle(event.currentTarget.value)}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          finish(title);
        } else if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          finish(undefined);
        }
      }}
      onBlur={() => finish(title)}
    />
  );
}

export function ChatList(props: Props) {
  const { chats, activeId } = props;
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const [deleting, setDeleting] = useState<Chat | undefined>(undefined);
  const dialog = useRef<HTMLDialogElement>(null);
  const list = useRef<HTMLUListElement>(null);

  useEffect(() => {
    if (deleting && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [deleting]);

  const focusIn = (chatId: string, selector: string) =>
    requestAnimationFrame(() =>
      list.current?.querySelector<HTMLElement>(`li[data-chat-id="${CSS.escape(chatId)}"] ${selector}`)?.focus(),
    );

  const renamed = async (chat: Chat, title: string | undefined) => {
    setEditing(undefined);
    const trimmed = title?.trim();
    if (trimmed && trimmed !== chat.title) await props.onRename(chat, trimmed);
    focusIn(chat.id, 'a');
  };

  const confirmDelete = async () => {
    const chat = deleting;
    dialog.current?.close();
    if (chat) await props.onDelete(chat);
  };

  return (
    <>
      <nav aria-label="Chat list" id={CHAT_LIST_ID} class="sidebar" data-open={props.open ? 'true' : undefined}>
        <button type="button" class="primary new-chat" onClick={props.onNew}>
          New chat
        </button>
        {chats.length === 0 ? (
          <p class="sidebar-empty">No chats yet.</p>
        ) : (
          <ul class="chats" ref={list}>
            {chats.map((chat) => (
              <li key={chat.id} data-chat-id={chat.id} class={chat.id === activeId ? 'current' : undefined}>
                {editing === chat.id ? (
                  <RenameField chat={chat} onDone={(title) => void renamed(chat, title)} />
                ) : (
                  <a
                    href={chatHref(chat.id)}
                    aria-current={chat.id === activeId ? 'page' : undefined}
                    onClick={props.onChoose}
                  >
                    {chat.title}
                  </a>
                )}
                <button
                  type="button"
                  class="icon"
                  aria-label={`Rename chat ${chat.title}`}
                  onClick={() => setEditing(chat.id)}
                >
                  <PencilIcon />
                </button>
                <button
                  type="button"
                  class="icon"
                  aria-label={`Delete chat ${chat.title}`}
                  onClick={() => setDeleting(chat)}
                >
                  <TrashIcon />
                </button>
              </li>
            ))}
          </ul>
        )}
        {props.hasMore && (
          <button type="button" class="quiet" onClick={props.onMore}>
            More chats
          </button>
        )}
      </nav>
      <dialog
        ref={dialog}
        class="confirm"
        aria-labelledby="delete-title"
        onClose={() => {
          const chat = deleting;
          setDeleting(undefined);
          if (chat && chats.some((c) => c.id === chat.id)) focusIn(chat.id, 'button[aria-label^="Delete"]');
        }}
      >
        <h2 id="delete-title">Delete this chat?</h2>
        {deleting && <p>“{deleting.title}”, its messages and its results will be deleted. This cannot be undone.</p>}
        <div class="dialog-actions">
          <button type="button" class="danger" onClick={() => void confirmDelete()}>
            Delete
          </button>
          <button type="button" onClick={() => dialog.current?.close()} autofocus>
            Keep
          </button>
        </div>
      </dialog>
    </>
  );
}
