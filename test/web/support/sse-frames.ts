/**
 * Reading a server-sent event stream the way a browser's fetch + stream reader does (the web chat cannot use
 * EventSource: it sends Authorization): frame by frame as the bytes arrive, comments and `retry:` skipped,
 * each frame's data parsed as JSON.
 */
export interface Frame {
  event: string;
  data: unknown;
}

/** Reads the stream to its end; `onFrame` sees each frame as it arrives. */
export async function readFrames(response: Response, onFrame: (frame: Frame) => void = () => {}): Promise<Frame[]> {
  const frames: Frame[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const take = () => {
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (!data.length) continue;
      const frame = { event, data: JSON.parse(data.join('\n')) };
      frames.push(frame);
      onFrame(frame);
    }
  };
  for await (const bytes of response.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    take();
  }
  buffer += decoder.decode();
  take();
  return frames;
}
