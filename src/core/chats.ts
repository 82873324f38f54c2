/**
 * Chats: conversations a person names, lists and pages through (the web platform's sidebar and transcript).
 * A chat is a history conversation (src/core/history.ts) whose channel and thread are the chat's id, so the
 * web's chats, Discord's threads and Slack's threads share one store and one `/forget`. Turns are written by
 * the history feed as on every platform, and also straight away by the web (idempotent on the turn id), so a
 * message is in the transcript the moment its answer is sent.
 */
import type { HistoryDeletion, HistoryEntry } from './history.js';
import type { ConversationRef, GenerationOption, Platform } from './types.js';

export interface Chat {
  /** The chat's public id (a UUID): its conversation's channel and thread id. */
  id: string;
  userId: string;
  title: string;
  /** Turns in it: requests and replies. */
  messageCount: number;
  /** The newest turn's time; null for a chat nobody wrote in yet. */
  lastMessageAtMs: number | null;
  createdAtMs: number;
}

/** One turn of a chat, as history keeps it. */
export interface ChatMessage {
  /** The turn id. */
  id: string;
  chatId: string;
  role: 'request' | 'reply';
  text: string;
  /** A reply's option set (its key and recipes), in the order shown. */
  optionSet?: { key: string; options: GenerationOption[] };
  /** A request's attachments (links the person uploaded). */
  attachments?: string[];
  atMs: number;
}

export interface ChatPage<T> {
  items: T[];
  /** Present when there is more: pass it back as `cursor` (chats) or `after` (messages). */
  nextCursor?: string;
}

/** The person a chat belongs to: every read and write is scoped to them (another person's chat is absent). */
export interface ChatOwner {
  platform: Platform;
  userId: string;
}

export interface ChatStore {
  /** A new, empty chat (its conversation row), titled `title`. */
  create(owner: ChatOwner, input: { id: string; title: string; atMs: number }): Promise<Chat>;
  /** The owner's chats, most recently active first (keyset pages). */
  list(owner: ChatOwner, page: { limit: number; cursor?: string }): Promise<ChatPage<Chat>>;
  get(owner: ChatOwner, chatId: string): Promise<Chat | undefined>;
  rename(owner: ChatOwner, chatId: string, title: string): Promise<Chat | undefined>;
  /** The chat, its turns and generations (their media keys are returned for the media store to delete). */
  remove(owner: ChatOwner, chatId: string): Promise<HistoryDeletion | undefined>;
  /** Turns oldest first, after the cursor of the page before; undefined when the chat is not the owner's. */
  messages(
    owner: ChatOwner,
    chatId: string,
    page: { limit: number; after?: string },
  ): Promise<ChatPage<ChatMessage> | undefined>;
  /** The chat's generations, newest first (results for the gallery and `/attachments/by-chat`). */
  generations(owner: ChatOwner, chatId: string, limit: number): Promise<HistoryEntry[] | undefined>;
}

/** The conversation of a web chat: channel and thread are the chat's id. */
export function chatConversation(owner: ChatOwner, chatId: string): ConversationRef {
  return {
    platform: owner.platform,
    workspaceId: owner.platform,
    channelId: chatId,
    threadId: chatId,
    userId: owner.userId,
  };
}
