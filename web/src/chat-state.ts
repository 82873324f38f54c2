/**
 * The open chat as the transcript shows it: its messages (loaded, sent, streaming in) and a card per
 * generation, rebuilt from the chat's events (replayed on open, then live). Everything is ordered by time:
 * loaded messages and a generation's first event by the server's `created_at` / `at` (a live event of a
 * generation the page did not know is the newest, so its card is created at the end), and what the page adds
 * itself (a message sent now, a card after Generate or Re-roll) at the end. A pure reducer: the views and `chat-view.tsx` dispatch; every action names its chat, and an action
 * for another chat than the open one is ignored (an answer that arrives after the person moved on).
 */
import {
  type Action,
  actionsOf,
  type ChatMessage,
  chunksOf,
  type Generation,
  type GenerationState,
  isEnded,
  type Media,
  type MessagePosted,
  type RenderChunk,
  type WebEvent,
} from './types';

export interface MessageItem {
  kind: 'message';
  key: string;
  author: 'user' | 'assistant';
  text: string;
  chunks: RenderChunk[];
  attachments: string[];
  notes: string[];
  streaming: boolean;
  sortAt: number;
  seq: number;
}

export interface GenerationItem {
  kind: 'generation';
  id: string;
  label: string;
  model: string;
  prompt: string | undefined;
  state: GenerationState;
  text: string;
  actions: Action[];
  media: Media[];
  message: string | undefined;
  /** What the last action answered (a cancel's outcome). */
  note: string | undefined;
  /** Shown at once after Generate / Re-roll, before its first event. */
  placeholder: boolean;
  sortAt: number;
  seq: number;
}

export type TranscriptItem = MessageItem | GenerationItem;

export interface ChatState {
  chatId: string | undefined;
  loading: boolean;
  /** Why the messages could not be loaded. */
  loadError: string | undefined;
  messages: MessageItem[];
  generations: GenerationItem[];
  seq: number;
  /** The latest sort time so far: what arrives later goes after it. */
  lastAt: number;
}

export type ChatAction =
  | { type: 'open'; chatId: string | undefined; fresh: boolean }
  | { type: 'loaded'; chatId: string; messages: ChatMessage[] }
  | { type: 'load-failed'; chatId: string; text: string }
  | { type: 'reload'; chatId: string }
  | { type: 'event'; chatId: string; event: WebEvent }
  | { type: 'sent'; chatId: string; key: string; text: string; attachments: string[] }
  | { type: 'reply-start'; chatId: string; key: string }
  | { type: 'reply-text'; chatId: string; key: string; text: string; append: boolean }
  | { type: 'reply-done'; chatId: string; key: string; posted: MessagePosted }
  | { type: 'unsent'; chatId: string; keys: string[] }
  | {
      type: 'pending';
      chatId: string;
      key: string;
      label: string;
      model: string;
      prompt: string | undefined;
      text: string;
    }
  | { type: 'accepted'; chatId: string; key: string; id: string; text?: string }
  | { type: 'refused'; chatId: string; key: string }
  | { type: 'note'; chatId: string; id: string; note: string }
  | { type: 'refreshed'; chatId: string; generation: Generation };

export const initialChat = (chatId: string | undefined, fresh = false): ChatState => ({
  chatId,
  loading: chatId !== undefined && !fresh,
  loadError: undefined,
  messages: [],
  generations: [],
  seq: 0,
  lastAt: 0,
});

const timeOf = (iso: string) => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
};

/**
 * The sort time of what the page adds itself (a message sent, a card after Generate): right after what is
 * shown. The browser's clock is not used, so a clock that is off cannot put it among older messages.
 */
const next = (state: ChatState) => state.lastAt + 1;

function messageItem(message: ChatMessage, sortAt: number, seq: number, notes: string[] = []): MessageItem {
  return {
    kind: 'message',
    key: message.id,
    author: message.author_type,
    text: message.content_text ?? '',
    chunks: chunksOf(message.render_payload),
    attachments: Array.isArray(message.attachments) ? message.attachments.filter((a) => typeof a === 'string') : [],
    notes,
    streaming: false,
    sortAt,
    seq,
  };
}

function newGeneration(state: ChatState, id: string, sortAt: number): GenerationItem {
  return {
    kind: 'generation',
    id,
    label: '',
    model: '',
    prompt: undefined,
    state: 'queued',
    text: '',
    actions: [],
    media: [],
    message: undefined,
    note: undefined,
    placeholder: true,
    sortAt,
    seq: state.seq,
  };
}

function applyEvent(state: ChatState, event: WebEvent): ChatState {
  const known = state.generations.find((g) => g.id === event.generation_id);
  // A generation ends once; a late status line never follows its ending.
  if (known && !known.placeholder && isEnded(known.state) && !isEnded(event.type)) return state;
  const base = known ?? newGeneration(state, event.generation_id, timeOf(event.at) || next(state));
  const card: GenerationItem = {
    ...base,
    label: event.label,
    model: event.model,
    state: event.type,
    text: event.text,
    actions: actionsOf(event.actions),
    media: event.media ?? base.media,
    message: event.message ?? (isEnded(event.type) ? base.message : undefined),
    placeholder: false,
  };
  if (known) return mapGeneration(state, card.id, () => card);
  return {
    ...state,
    generations: [...state.generations, card],
    seq: state.seq + 1,
    lastAt: Math.max(state.lastAt, card.sortAt),
  };
}

function mapGeneration(state: ChatState, id: string, change: (g: GenerationItem) => GenerationItem): ChatState {
  return { ...state, generations: state.generations.map((g) => (g.id === id ? change(g) : g)) };
}

function updateMessage(state: ChatState, key: string, change: (m: MessageItem) => MessageItem): ChatState {
  return { ...state, messages: state.messages.map((m) => (m.key === key ? change(m) : m)) };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  if (action.type === 'open') return initialChat(action.chatId, action.fresh);
  if (action.chatId !== state.chatId) return state;
  switch (action.type) {
    case 'loaded': {
      const messages = action.messages.map((m, i) => messageItem(m, timeOf(m.created_at), state.seq + i));
      const last = messages.reduce((max, m) => Math.max(max, m.sortAt), state.lastAt);
      return { ...state, loading: false, messages, seq: state.seq + messages.length, lastAt: last };
    }
    case 'load-failed':
      return { ...state, loading: false, loadError: action.text };
    case 'reload':
      return { ...state, loading: true, loadError: undefined };
    case 'event':
      return applyEvent(state, action.event);
    case 'sent': {
      const sortAt = next(state);
      const item: MessageItem = {
        ...messageItem(
          {
            id: action.key,
            chat_id: action.chatId,
            author_type: 'user',
            content_text: action.text,
            render_payload: null,
            created_at: '',
          },
          sortAt,
          state.seq,
        ),
        attachments: action.attachments,
      };
      return { ...state, messages: [...state.messages, item], seq: state.seq + 1, lastAt: sortAt };
    }
    case 'reply-start': {
      const sortAt = next(state);
      const item: MessageItem = {
        kind: 'message',
        key: action.key,
        author: 'assistant',
        text: '',
        chunks: [],
        attachments: [],
        notes: [],
        streaming: true,
        sortAt,
        seq: state.seq,
      };
      return { ...state, messages: [...state.messages, item], seq: state.seq + 1, lastAt: sortAt };
    }
    case 'reply-text':
      return updateMessage(state, action.key, (m) => ({
        ...m,
        text: action.append ? m.text + action.text : action.text,
      }));
    case 'reply-done': {
      const { posted } = action;
      const exists = state.messages.some((m) => m.key === action.key);
      if (!exists) {
        // Animate: the reply is appended as it comes.
        const sortAt = next(state);
        const item = messageItem(posted.message, sortAt, state.seq, posted.notes ?? []);
        return { ...state, messages: [...state.messages, item], seq: state.seq + 1, lastAt: sortAt };
      }
      return updateMessage(state, action.key, (m) => ({
        ...messageItem(posted.message, m.sortAt, m.seq, Array.isArray(posted.notes) ? posted.notes : []),
        key: m.key,
      }));
    }
    case 'unsent':
      return { ...state, messages: state.messages.filter((m) => !action.keys.includes(m.key)) };
    case 'pending': {
      // Shown at once, under a key of the page's own until the server names the generation.
      const card: GenerationItem = {
        ...newGeneration(state, action.key, next(state)),
        label: action.label,
        model: action.model,
        prompt: action.prompt,
        text: action.text,
      };
      return { ...state, generations: [...state.generations, card], seq: state.seq + 1, lastAt: card.sortAt };
    }
    case 'accepted': {
      const card = state.generations.find((g) => g.id === action.key);
      if (!card) return state;
      const known = state.generations.some((g) => g.id === action.id);
      if (known) {
        // Its first event came before the answer: that card stays, with what the page knew.
        const generations = state.generations
          .filter((g) => g.id !== action.key)
          .map((g) => (g.id === action.id ? { ...g, prompt: g.prompt ?? card.prompt } : g));
        return { ...state, generations };
      }
      return {
        ...state,
        generations: state.generations.map((g) =>
          g.id === action.key ? { ...g, id: action.id, text: action.text ?? g.text } : g,
        ),
      };
    }
    case 'refused':
      return { ...state, generations: state.generations.filter((g) => g.id !== action.key) };
    case 'note':
      return mapGeneration(state, action.id, (g) => ({ ...g, note: action.note }));
    case 'refreshed': {
      const { generation } = action;
      return mapGeneration(state, generation.generation_id, (g) => ({
        ...g,
        prompt: g.prompt ?? generation.prompt,
        media: generation.media.length ? generation.media : g.media,
      }));
    }
  }
}

/** Messages and generation cards in time order (ties: the order they arrived in). */
export function transcriptItems(state: ChatState): TranscriptItem[] {
  return [...state.messages, ...state.generations].sort((a, b) => a.sortAt - b.sortAt || a.seq - b.seq);
}

/** The prompt of a generation: its own, else that of the option it most likely came from (same label and model). */
export function promptOf(state: ChatState, generation: GenerationItem): string | undefined {
  if (generation.prompt !== undefined) return generation.prompt;
  let found: string | undefined;
  for (const message of state.messages) {
    if (message.sortAt > generation.sortAt) break;
    for (const chunk of message.chunks) {
      if (chunk.type === 'button' && chunk.label === generation.label && chunk.model === generation.model) {
        found = chunk.prompt;
      }
    }
  }
  return found;
}
