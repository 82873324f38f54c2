/** One option of a reply: its label, why, what it makes and how long, the prompt, and Generate. */
import { estimateText, KIND_TEXT } from './format';
import type { ButtonChunk } from './types';

interface Props {
  option: ButtonChunk;
  reason: string;
  busy: boolean;
  onGenerate(option: ButtonChunk): void;
}

export function OptionCard({ option, reason, busy, onGenerate }: Props) {
  const estimate = estimateText(option.estimate);
  const kind = KIND_TEXT[option.kind] ?? option.kind;
  return (
    <article class="option-card" aria-label={`Option ${option.label}`}>
      <h3>{option.label}</h3>
      {reason && <p class="reason">{reason}</p>}
      <p class="meta">
        {kind}
        {estimate && ` · ${estimate}`}
      </p>
      <p class="prompt">
        <span class="prompt-label">Prompt</span> {option.prompt}
      </p>
      <button
        type="button"
        class="primary"
        aria-label={`Generate ${option.label}`}
        aria-disabled={busy ? 'true' : undefined}
        onClick={() => !busy && onGenerate(option)}
      >
        Generate
      </button>
    </article>
  );
}
