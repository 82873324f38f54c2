/**
 * The transcript: the chat's messages (a reply streams in piece by piece), each reply's options as cards,
 * and a card per generation, in time order. It keeps to the bottom while the person is at the bottom.
 * Everything shown here was written by a person or the model, so it is text: no markup is ever parsed.
 */
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { type ChatState, type GenerationItem, type MessageItem, promptOf, transcriptItems } from './chat-state';
import { GenerationCard } from './generation-card';
import { MediaView } from './media';
import { OptionCard } from './option-card';
import type { Action, ButtonChunk } from './types';

interface Props {
  chat: ChatState;
  busyOptions: ReadonlySet<string>;
  busyGenerations: Readonly<Record<string, Action>>;
  onGenerate(option: ButtonChunk): void;
  onAction(generation: GenerationItem, action: Action): void;
  onBroken(generation: GenerationItem): void;
}

function fileName(url: string): string {
  try {
    const last = new URL(url, location.href).pathname.split('/').pop() ?? '';
    return decodeURIComponent(last);
  } catch {
    return '';
  }
}

function Options({ message, props }: { message: MessageItem; props: Props }) {
  const cards = [];
  const texts = [];
  const { chunks } = message;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i];
    if (!chunk) continue;
    if (chunk.type === 'button') {
      const next = chunks[i + 1];
      const reason = next?.type === 'text' ? next.text : '';
      if (next?.type === 'text') i++;
      cards.push(
        <OptionCard
          key={chunk.option_id}
          option={chunk}
          reason={reason}
          busy={props.busyOptions.has(chunk.option_id)}
          onGenerate={props.onGenerate}
        />,
      );
    } else {
      texts.push(<p key={`t${i}`}>{chunk.text}</p>);
    }
  }
  return (
    <>
      {texts}
      {cards.length > 0 && <div class="options">{cards}</div>}
    </>
  );
}

function Message({ message, props }: { message: MessageItem; props: Props }) {
  const mine = message.author === 'user';
  return (
    <article
      class={mine ? 'message mine' : 'message reply'}
      aria-label={mine ? 'You said' : 'Higgsbot replied'}
      aria-busy={message.streaming ? 'true' : undefined}
    >
      {message.text ? <p class="text">{message.text}</p> : message.streaming && <p class="text thinking">Thinking…</p>}
      {message.attachments.map((url) => (
        <MediaView key={url} media={{ url, content_type: 'image/*' }} name={`Your image ${fileName(url)}`.trim()} />
      ))}
      {message.notes.map((note, i) => (
        <p key={i} class="note">
          {note}
        </p>
      ))}
      {!mine && <Options message={message} props={props} />}
    </article>
  );
}

function Empty({ chat }: { chat: ChatState }) {
  if (chat.chatId === undefined) {
    return (
      <div class="empty">
        <p class="empty-title">Start a new chat</p>
        <p>Describe what you want to see. Higgsbot proposes a few ways to make it; pick one to generate it.</p>
      </div>
    );
  }
  if (chat.loading) return <p class="empty">Loading the chat…</p>;
  if (chat.loadError) return null;
  return (
    <div class="empty">
      <p>Nothing here yet: describe what you want to see below.</p>
    </div>
  );
}

export function Transcript(props: Props) {
  const { chat } = props;
  const scroller = useRef<HTMLElement>(null);
  const atBottom = useRef(true);
  const items = transcriptItems(chat);
  const last = items.at(-1);
  const lastKey = useRef<string | undefined>(undefined);
  // The person's own new message brings the transcript to its end, wherever it was scrolled.
  if (last?.kind === 'message' && last.author === 'user' && last.key !== lastKey.current) atBottom.current = true;
  lastKey.current = last?.kind === 'message' ? last.key : last?.id;

  // A chat just opened starts at its end.
  useEffect(() => {
    atBottom.current = true;
  }, [chat.chatId]);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && atBottom.current) element.scrollTop = element.scrollHeight;
  });

  const onScroll = () => {
    const element = scroller.current;
    if (element) atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
  };

  return (
    <section aria-label="Transcript" class="transcript" ref={scroller} onScroll={onScroll}>
      <div role="log" class="log">
        {chat.loadError && (
          <p class="empty failure" role="alert">
            {chat.loadError}
          </p>
        )}
        {items.length === 0 && <Empty chat={chat} />}
        {items.map((item) =>
          item.kind === 'message' ? (
            <Message key={item.key} message={item} props={props} />
          ) : (
            <GenerationCard
              key={item.id}
              generation={item}
              prompt={promptOf(chat, item)}
              busy={props.busyGenerations[item.id]}
              onAction={props.onAction}
              onBroken={props.onBroken}
            />
          ),
        )}
      </div>
    </section>
  );
}
