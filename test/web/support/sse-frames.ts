/**
 * Reading a server-sent event stream the way the web chat does (it cannot use EventSource: it sends
 * Authorization): the body as it arrives through eventsource-parser, the parser the page itself bundles, each
 * event's data parsed as JSON.
 */
import { createParser } from 'eventsource-parser';

export interface Frame {
  event: string;
  data: unknown;
}

/** Reads the stream to its end; `onFrame` sees each frame as it arrives. */
export async function readFrames(response: Response, onFrame: (frame: Frame) => void = () => {}): Promise<Frame[]> {
  const frames: Frame[] = [];
  const parser = createParser({
    onEvent(message) {
      const frame = { event: message.event ?? 'message', data: JSON.parse(message.data) as unknown };
      frames.push(frame);
      onFrame(frame);
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of response.body as AsyncIterable<Uint8Array>)
    parser.feed(decoder.decode(bytes, { stream: true }));
  parser.feed(decoder.decode());
  return frames;
}
