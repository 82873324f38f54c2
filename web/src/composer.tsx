/**
 * The composer: Enter sends, Shift+Enter is a new line. An image (to animate) is attached by the picker,
 * by dropping it on the composer or by pasting it; it is uploaded at once (POST /attachments/presign, then a
 * PUT of the bytes with the presigned headers), and the message waits for the upload before it is sent.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { problemText } from './banner';
import { ApiError } from './errors';

const ACCEPTED = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
const MAX_CHARS = 2_000;

interface Attached {
  name: string;
  preview: string;
  state: 'uploading' | 'ready' | 'failed';
  upload: Promise<string>;
}

interface Props {
  /** The chat is still loading: nothing can be sent yet. */
  disabled: boolean;
  /** Sends the message; false when it was not taken (the text and image are given back). */
  onSend(text: string, attachment: string | undefined): Promise<boolean>;
}

/** The image among the files, else the first file (refused by `attach`, which says why). */
function fileOf(files: FileList | null | undefined): File | undefined {
  const all = Array.from(files ?? []);
  return all.find((file) => file.type.startsWith('image/')) ?? all[0];
}

export function Composer({ disabled, onSend }: Props) {
  const [text, setText] = useState('');
  const [attached, setAttached] = useState<Attached | undefined>(undefined);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [dragging, setDragging] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const current = useRef(attached);
  current.current = attached;

  // The preview's blob: URL is released with the page's last use of it.
  useEffect(() => () => current.current && URL.revokeObjectURL(current.current.preview), []);

  const remove = () => {
    if (attached) URL.revokeObjectURL(attached.preview);
    setAttached(undefined);
    setError(undefined);
  };

  const attach = (file: File | undefined) => {
    if (!file) return;
    if (!ACCEPTED.includes(file.type)) {
      setError('Only PNG, JPEG, WebP or GIF images can be attached.');
      return;
    }
    if (attached) URL.revokeObjectURL(attached.preview);
    setError(undefined);
    const preview = URL.createObjectURL(file);
    const upload = api.upload(file);
    const settle = (state: Attached['state']) =>
      setAttached((now) => (now?.preview === preview ? { ...now, state } : now));
    upload.then(
      () => settle('ready'),
      (failure: unknown) => {
        settle('failed');
        const why =
          failure instanceof ApiError && failure.network ? 'the connection failed. Try again.' : problemText(failure);
        setError(`The image could not be uploaded: ${why}`);
      },
    );
    setAttached({ name: file.name || 'image', preview, state: 'uploading', upload });
  };

  const submit = async () => {
    if (sending || disabled) return;
    const message = text.trim();
    if (!message && !attached) return;
    if (attached?.state === 'failed') {
      setError('The image could not be uploaded: remove it, or attach it again.');
      return;
    }
    setSending(true);
    setError(undefined);
    const image = attached;
    let link: string | undefined;
    try {
      link = image ? await image.upload : undefined;
    } catch {
      setSending(false);
      return;
    }
    setText('');
    setAttached(undefined);
    const taken = await onSend(message, link);
    if (taken) {
      if (image) URL.revokeObjectURL(image.preview);
    } else {
      setText((now) => now || message);
      setAttached((now) => now ?? image);
    }
    setSending(false);
  };

  // The field is disabled while sending (which takes the focus away): it gets the focus back afterwards.
  const wasSending = useRef(false);
  useEffect(() => {
    if (wasSending.current && !sending && document.activeElement === document.body) field.current?.focus();
    wasSending.current = sending;
  }, [sending]);

  return (
    <form
      class="composer"
      aria-label="Message composer"
      data-dragging={dragging ? 'true' : undefined}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      onDragOver={(event) => {
        if (!event.dataTransfer?.types.includes('Files')) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(event) => {
        const to = event.relatedTarget;
        if (!(to instanceof Node) || !event.currentTarget.contains(to)) setDragging(false);
      }}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        attach(fileOf(event.dataTransfer?.files));
      }}
    >
      {error && (
        <p role="alert" class="composer-error">
          {error}
        </p>
      )}
      {attached && (
        <div class="attachment" data-state={attached.state}>
          {/* biome-ignore lint/a11y/noRedundantAlt: the page's DOM contract names it "Attached image <file name>" */}
          <img src={attached.preview} alt={`Attached image ${attached.name}`} />
          <span class="attachment-state">
            {attached.state === 'uploading' ? 'Uploading…' : attached.state === 'ready' ? 'Ready' : 'Not uploaded'}
          </span>
          <button type="button" class="quiet" onClick={remove} disabled={sending}>
            Remove image
          </button>
        </div>
      )}
      <div class="composer-row">
        <label for="composer-text" class="sr-only">
          Describe what you want to see
        </label>
        <textarea
          id="composer-text"
          ref={field}
          rows={1}
          maxLength={MAX_CHARS}
          placeholder="Describe what you want to see…"
          value={text}
          disabled={sending || disabled}
          onInput={(event) => setText(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              void submit();
            }
          }}
          onPaste={(event) => {
            // Only an image is taken from the clipboard; text pastes as usual.
            const image = Array.from(event.clipboardData?.files ?? []).find((file) => file.type.startsWith('image/'));
            if (!image) return;
            event.preventDefault();
            attach(image);
          }}
        />
        <button type="button" onClick={() => picker.current?.click()} disabled={sending}>
          Attach image
        </button>
        <input
          ref={picker}
          type="file"
          accept={ACCEPTED.join(',')}
          aria-label="Image file"
          hidden
          tabIndex={-1}
          onChange={(event) => {
            attach(fileOf(event.currentTarget.files));
            event.currentTarget.value = '';
          }}
        />
        <button type="submit" class="primary" disabled={sending || disabled}>
          Send
        </button>
      </div>
    </form>
  );
}
