/**
 * The open chat: loads its messages (every page), follows its event stream (one per open chat, resumed with
 * Last-Event-ID), and does what its controls ask: send (creating the chat first when there is none, titled
 * from the message), Generate, Re-roll, Animate and Cancel. Failures go to the banner.
 */
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { problemText, report, setStreamDown } from './banner';
import { type ChatState, chatReducer, type GenerationItem, initialChat, promptOf } from './chat-state';
import { Composer } from './composer';
import { ApiError } from './errors';
import { mediaAllowed, titleFrom } from './format';
import { chatHref, go } from './routes';
import { Transcript } from './transcript';
import type { Action, ButtonChunk, Chat } from './types';

interface Props {
  chatId: string | undefined;
  title: string;
  /** A chat was created by the first message. */
  onCreated(chat: Chat): void;
  /** A message was sent in the chat (it moves to the top of the list). */
  onActivity(chatId: string): void;
  /** The first message of a chat still called "New chat" names it. */
  onRetitle(chatId: string, title: string): void;
}

export const DEFAULT_TITLE = 'New chat';

/** Chats just created, known to be empty: opening one loads nothing. */
const freshChats = new Set<string>();

export function markFresh(chatId: string) {
  freshChats.add(chatId);
}

/** A re-roll's label, as the server names it (so its card keeps its name when its first event comes). */
const rerollLabel = (label: string) => (label.startsWith('Re-roll: ') ? label : `Re-roll: ${label}`.slice(0, 75));

let counter = 0;
const localKey = (kind: string) => `local-${kind}-${++counter}`;

const NOT_FOUND_TEXT = 'This chat does not exist, or it was deleted.';
const RELOAD_MS = 5_000;

export function ChatView({ chatId, title, onCreated, onActivity, onRetitle }: Props) {
  const [chat, dispatch] = useReducer(chatReducer, chatId, (id) => initialChat(id));
  const [busyOptions, setBusyOptions] = useState<ReadonlySet<string>>(new Set());
  const [busyGenerations, setBusyGenerations] = useState<Readonly<Record<string, Action>>>({});
  const latest = useRef<ChatState>(chat);
  latest.current = chat;
  const asked = useRef(new Set<string>());
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The route names the chat; a chat the composer just created is already open (and known to be empty).
  useEffect(() => {
    if (latest.current.chatId === chatId) return;
    dispatch({ type: 'open', chatId, fresh: chatId !== undefined && freshChats.delete(chatId) });
  }, [chatId]);

  useEffect(() => {
    const id = chat.chatId;
    if (id === undefined || !chat.loading) return;
    api.messages(id).then(
      (messages) => dispatch({ type: 'loaded', chatId: id, messages }),
      (error: unknown) => {
        const missing = error instanceof ApiError && error.status === 404;
        if (!missing) report(error);
        dispatch({ type: 'load-failed', chatId: id, text: missing ? NOT_FOUND_TEXT : problemText(error) });
        // No answer, or the server failed: try again in a while.
        if (error instanceof ApiError && (error.network || error.status >= 500)) {
          reloadTimer.current = setTimeout(() => dispatch({ type: 'reload', chatId: id }), RELOAD_MS);
        }
      },
    );
  }, [chat.chatId, chat.loading]);

  // A reload planned for the chat that was open is not needed by the next one.
  useEffect(() => () => clearTimeout(reloadTimer.current), [chat.chatId]);

  useEffect(() => {
    const id = chat.chatId;
    if (id === undefined) return;
    const stop = api.followEvents(id, {
      event: (event) => dispatch({ type: 'event', chatId: id, event }),
      up: () => setStreamDown(false),
      down: () => setStreamDown(true),
      stop: (error) => {
        setStreamDown(false);
        if (error.status !== 404) report(error);
      },
    });
    return () => {
      stop();
      setStreamDown(false);
    };
  }, [chat.chatId]);

  // A finished result whose prompt the transcript does not show (its options are gone): ask for it once.
  useEffect(() => {
    for (const g of chat.generations) {
      if (chat.loading || g.state !== 'done' || g.placeholder || asked.current.has(g.id)) continue;
      if (promptOf(chat, g) !== undefined || !g.media.some((media) => mediaAllowed(media.url))) continue;
      refresh(g);
    }
  });

  const refresh = (g: GenerationItem) => {
    const id = chat.chatId;
    if (id === undefined || asked.current.has(g.id)) return;
    asked.current.add(g.id);
    api.generation(g.id).then(
      (generation) => dispatch({ type: 'refreshed', chatId: id, generation }),
      () => undefined,
    );
  };

  const send = async (text: string, attachment: string | undefined): Promise<boolean> => {
    let id = chat.chatId;
    const retitle = id !== undefined && title === DEFAULT_TITLE && chat.messages.length === 0 && text !== '';
    if (id === undefined) {
      try {
        const created = await api.createChat(titleFrom(text));
        id = created.id;
        dispatch({ type: 'open', chatId: id, fresh: true });
        latest.current = initialChat(id, true);
        onCreated(created);
        go(chatHref(id));
      } catch (error) {
        report(error);
        return false;
      }
    }
    const chatOf = id;
    const mine = localKey('sent');
    const reply = localKey('reply');
    const attachments = attachment ? [attachment] : [];
    dispatch({ type: 'sent', chatId: chatOf, key: mine, text, attachments });
    dispatch({ type: 'reply-start', chatId: chatOf, key: reply });
    let opened = false;
    try {
      const posted = await api.postMessage(
        chatOf,
        { text, ...(attachments.length ? { attachments } : {}) },
        {
          opened: () => {
            opened = true;
          },
          text: (piece) => dispatch({ type: 'reply-text', chatId: chatOf, key: reply, text: piece, append: true }),
          replace: (whole) => dispatch({ type: 'reply-text', chatId: chatOf, key: reply, text: whole, append: false }),
        },
      );
      dispatch({ type: 'reply-done', chatId: chatOf, key: reply, posted });
      onActivity(chatOf);
      if (retitle) onRetitle(chatOf, titleFrom(text));
      return true;
    } catch (error) {
      report(error);
      // Refused before the server took it: the composer gets the message back.
      dispatch({ type: 'unsent', chatId: chatOf, keys: opened ? [reply] : [mine, reply] });
      if (opened) onActivity(chatOf);
      return opened;
    }
  };

  /** Shows a card at once, then gives it the generation's id once the server names it. */
  const queue = async (
    chatOf: string,
    shown: { label: string; model: string; prompt: string | undefined },
    start: () => Promise<{ id: string; text?: string }>,
  ) => {
    const key = localKey('generation');
    const { label, model, prompt } = shown;
    dispatch({ type: 'pending', chatId: chatOf, key, label, model, prompt, text: `⏳ ${label}: queued…` });
    try {
      const { id, text } = await start();
      dispatch({ type: 'accepted', chatId: chatOf, key, id, ...(text ? { text } : {}) });
    } catch (error) {
      dispatch({ type: 'refused', chatId: chatOf, key });
      report(error);
    }
  };

  const generate = async (option: ButtonChunk) => {
    const id = chat.chatId;
    if (id === undefined) return;
    setBusyOptions((now) => new Set(now).add(option.option_id));
    await queue(id, option, async () => ({ id: (await api.generate(option.option_id)).generation_id }));
    setBusyOptions((now) => {
      const rest = new Set(now);
      rest.delete(option.option_id);
      return rest;
    });
  };

  const act = async (g: GenerationItem, action: Action) => {
    const id = chat.chatId;
    if (id === undefined) return;
    setBusyGenerations((now) => ({ ...now, [g.id]: action }));
    try {
      if (action === 'cancel') {
        const outcome = await api.cancel(g.id);
        // Canceled: the card's own event says so. Too late, or already over: the answer says why not.
        if (outcome.outcome !== 'canceled') dispatch({ type: 'note', chatId: id, id: g.id, note: outcome.message });
      } else if (action === 'reroll') {
        const prompt = promptOf(chat, g);
        const label = rerollLabel(g.label);
        await queue(id, { label, model: g.model, prompt }, async () => {
          const queued = await api.reroll(g.id);
          const wait = Number.isFinite(queued.estimated_wait_s) ? `, about ${queued.estimated_wait_s} s` : '';
          return { id: queued.generation_id, text: `⏳ ${label}: queued (position ${queued.position}${wait})` };
        });
      } else {
        const posted = await api.animate(g.id);
        dispatch({ type: 'reply-done', chatId: id, key: localKey('animate'), posted });
        onActivity(id);
      }
    } catch (error) {
      report(error);
    } finally {
      setBusyGenerations((now) => {
        const { [g.id]: _done, ...rest } = now;
        return rest;
      });
    }
  };

  return (
    <div class="chat">
      <h2 id="chat-title" class="chat-title" tabIndex={-1}>
        {title}
      </h2>
      <Transcript
        chat={chat}
        busyOptions={busyOptions}
        busyGenerations={busyGenerations}
        onGenerate={(option) => void generate(option)}
        onAction={(g, action) => void act(g, action)}
        onBroken={refresh}
      />
      <Composer disabled={chat.loading} onSend={send} />
    </div>
  );
}
