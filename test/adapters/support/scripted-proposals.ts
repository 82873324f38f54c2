/**
 * What the Anthropic fake answers in the platform specs, shared by Discord and Slack: image-to-video options
 * for an attached image, a set whose first option the simulator fails, and a server for a person's image.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROPOSE_OPTIONS } from '../../../src/agent/agent-tools.js';
import { renderPng } from '../../../src/higgsfield/simulator/index.js';
import { toolUse } from '../../doubles/anthropic/anthropic-fake.js';

/** Two ways to animate an attached image: a DoP zoom and a Seedance clip. */
export const animateReply = () =>
  toolUse(PROPOSE_OPTIONS, {
    text: 'Ways to animate it:',
    options: [
      {
        model: 'higgsfield-ai/dop/turbo',
        prompt: 'The fox turns its head',
        label: 'DoP zoom',
        reason: 'Faithful.',
        image: 'attached',
        motions: ['Zoom In'],
      },
      {
        model: 'bytedance/seedance/v1/lite/image-to-video',
        prompt: 'The fox runs',
        label: 'Seedance run',
        reason: 'Motion.',
        image: 'attached',
      },
    ],
  });

/** Option 1 ("Nano Banana robot") fails at the simulator (`sim:fail` in its prompt). */
export const failingReply = () =>
  toolUse(PROPOSE_OPTIONS, {
    text: 'Here:',
    options: [
      { model: 'nano-banana', prompt: 'a broken robot sim:fail', label: 'Nano Banana robot', reason: 'r' },
      { model: 'bytedance/seedream/v4/text-to-image', prompt: 'a robot', label: 'Seedream robot', reason: 'r' },
    ],
  });

/** Serves one PNG on 127.0.0.1 and records who asked for it (and with which Authorization). */
export async function servePng() {
  const png = renderPng('fox', 64);
  const seen: Array<{ path: string; authorization: string | undefined }> = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'image/png' }).end(png);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { png, seen, port: (server.address() as AddressInfo).port, close: () => server.close() };
}
