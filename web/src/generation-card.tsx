/**
 * A generation in the transcript: its live status line (queue position and wait, rendering, delivering),
 * then the result, and the actions its latest event allows (Cancel while it waits, Re-roll, Animate).
 * A failed or canceled generation says so in its status line and why in an alert (the event's text would say
 * the reason twice).
 */
import type { GenerationItem } from './chat-state';
import { mediaName } from './format';
import { MediaView } from './media';
import type { Action } from './types';

interface Props {
  generation: GenerationItem;
  prompt: string | undefined;
  busy: Action | undefined;
  onAction(generation: GenerationItem, action: Action): void;
  onBroken(generation: GenerationItem): void;
}

const ACTION_TEXT: Record<Action, string> = { cancel: 'Cancel', reroll: 'Re-roll', animate: 'Animate' };
const ORDER: Action[] = ['cancel', 'reroll', 'animate'];

export function GenerationCard({ generation: g, prompt, busy, onAction, onBroken }: Props) {
  const ended = g.state === 'failed' || g.state === 'canceled';
  const name = mediaName(g.label, prompt);
  const working = !g.placeholder && !ended && g.state !== 'done';
  return (
    <article class="generation" aria-label={`Generation ${g.label}`} data-state={g.state} data-generation-id={g.id}>
      <p role="status" class="status">
        {ended ? `${g.label}: ${g.state === 'canceled' ? 'canceled' : 'failed'}` : g.text}
      </p>
      {(working || g.placeholder) && <div class="progress" aria-hidden="true" />}
      {g.state === 'done' &&
        g.media.map((media) => <MediaView key={media.url} media={media} name={name} onBroken={() => onBroken(g)} />)}
      {ended && (
        <p role="alert" class="failure">
          {g.message ?? g.text}
        </p>
      )}
      {prompt && g.state === 'done' && <p class="prompt">{prompt}</p>}
      {g.note && <p class="note">{g.note}</p>}
      {g.actions.length > 0 && (
        <div class="actions">
          {ORDER.filter((action) => g.actions.includes(action)).map((action) => (
            <button
              key={action}
              type="button"
              aria-label={`${ACTION_TEXT[action]} ${g.label}`}
              aria-disabled={busy !== undefined ? 'true' : undefined}
              onClick={() => busy === undefined && onAction(g, action)}
            >
              {ACTION_TEXT[action]}
            </button>
          ))}
        </div>
      )}
    </article>
  );
}
