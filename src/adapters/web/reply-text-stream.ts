/**
 * An assistant reply's text onto a server-sent event stream, as the recommender writes it: the one way
 * `POST /v1/chat/stream` and the streaming `POST /chats/{id}/messages` send a reply's text.
 *
 * Decisions:
 * - `onText` (the assistant's ChatRequest.onText) sends what the text grew by, as `<chunkEvent>` `{"chunk"}`
 *   frames; the stream is opened by the first piece, so whatever is refused before any text exists (404, 422)
 *   is still an ordinary JSON answer with its status.
 * - Once the final text is known, `finish` sends the rest of it in pieces of a few words (a reply that was not
 *   written as it streamed — the offline recommender — comes this way whole), so the chunks put together are
 *   the final text; when the final text does not go on from what was streamed (Claude proposed again after
 *   the validation, or the offline recommender took over), `replace` `{"text"}` carries it whole, to show
 *   instead of the chunks so far.
 * - A snapshot that does not extend the last one is not sent: from then on only `finish` speaks.
 */
import type { FastifyReply } from 'fastify';
import { openSse, type SseStream } from './sse.js';

/** How many words each chunk `finish` sends carries. */
const WORDS_PER_CHUNK = 3;

export interface ReplyTextStream {
  /** For ChatRequest.onText: the reply so far (each snapshot extending the last). */
  readonly onText: (text: string) => void;
  /** The stream, once a piece of text (or `open`) has opened it. */
  readonly opened: SseStream | undefined;
  /** The stream, opened now if nothing has opened it yet. */
  open(): SseStream;
  /**
   * The rest of the final `text` in short pieces, or `replace` with all of it when it does not go on from what
   * was streamed. Opens the stream if need be; resolves false when the client has gone.
   */
  finish(text: string): Promise<boolean>;
}

export function replyTextStream(reply: FastifyReply, chunkEvent: string): ReplyTextStream {
  let stream: SseStream | undefined;
  let sent = '';
  let diverged = false;
  const open = () => {
    stream ??= openSse(reply);
    return stream;
  };
  return {
    onText(text) {
      if (diverged || text === sent) return;
      if (!text.startsWith(sent)) {
        diverged = true; // a fresh proposal: its final text goes out as `replace`
        return;
      }
      open().send(chunkEvent, { chunk: text.slice(sent.length) });
      sent = text;
    },
    get opened() {
      return stream;
    },
    open,
    async finish(text) {
      const out = open();
      const rest = text.startsWith(sent) ? text.slice(sent.length) : undefined;
      if (rest === undefined) out.send('replace', { text });
      for (const chunk of textChunks(rest ?? '')) {
        if (out.closed) return false;
        if (!out.send(chunkEvent, { chunk })) await out.drained();
      }
      return !out.closed;
    },
  };
}

/** `text` in pieces of a few words each (whitespace kept), which put together are `text` exactly. */
export function textChunks(text: string, wordsPerChunk = WORDS_PER_CHUNK): string[] {
  const words = text.match(/\s*\S+\s*/g);
  if (!words) return text ? [text] : [];
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerChunk) chunks.push(words.slice(i, i + wordsPerChunk).join(''));
  return chunks;
}
