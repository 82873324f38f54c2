/**
 * A result: the image, or the video with controls, named "<label>: <prompt>". A link that is not on our own
 * origin or a configured media origin is never loaded: the card says where it is instead.
 */
import { isVideo, mediaAllowed } from './format';
import type { Media } from './types';

interface Props {
  media: Media;
  name: string;
  /** The link did not load (it may have expired): the owner can fetch fresh ones. */
  onBroken?: () => void;
}

export function MediaView({ media, name, onBroken }: Props) {
  if (!mediaAllowed(media.url)) return <p class="elsewhere">This result is stored elsewhere</p>;
  const size = {
    ...(media.width ? { width: media.width } : {}),
    ...(media.height ? { height: media.height } : {}),
  };
  if (isVideo(media.content_type)) {
    return (
      <video
        class="media"
        src={media.url}
        controls
        playsInline
        preload="metadata"
        aria-label={name}
        {...size}
        onError={onBroken}
      />
    );
  }
  return <img class="media" src={media.url} alt={name} decoding="async" {...size} onError={onBroken} />;
}
