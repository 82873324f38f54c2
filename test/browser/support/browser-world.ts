/**
 * The web chat as deployed, for the browser specs: the built CLI (`node bin/higgsbot.js start`), one
 * `--role bot` process serving the page and the web API and one `--role worker`, on the e2e world
 * (test/e2e/support/e2e-world.ts: the Higgsfield simulator behind a holding proxy, the Anthropic fake, Redis,
 * a PostgreSQL history of the world's own). PUBLIC_URL is the bot's own URL and MEDIA_LINK_SECRET is set, so
 * results and uploads are served from the bot's origin (/media, /attachments), as in the demo. Keys are made
 * and revoked with the built `higgsbot api-keys`.
 *
 * The Anthropic fake proposes two text-to-image options built from the person's words (OPTION_LABELS), and two
 * image-to-video options (ANIMATE_LABELS) when the request carries an image (the agent's hint "an image is
 * attached") or asks to animate a result ("wants animate").
 */
import { PROPOSE_OPTIONS } from '../../../src/agent/agent-tools.js';
import type { SimulatorOptions } from '../../../src/higgsfield/simulator/index.js';
import { type RecordedRequest, toolUse } from '../../doubles/anthropic/anthropic-fake.js';
import { type CliChild, spawnCli } from '../../e2e/support/cli-process.js';
import { proposalFor, requestText, startWorld, type World } from '../../e2e/support/e2e-world.js';
import type { Hold } from '../../e2e/support/holding-proxy.js';
import { within } from '../../e2e/support/wait.js';

export { OPTION_LABELS, promptsFor } from '../../e2e/support/e2e-world.js';

/** The two ways the fake proposes to animate an image. */
export const ANIMATE_LABELS = ['DoP zoom', 'Seedance clip'] as const;
export const animatePromptsFor = (request: string): [string, string] => [
  `${request}, the camera pushes in`,
  `${request}, gentle motion`,
];

/** A submit to the simulator: a POST to a model's path (not an estimate, a status, a cancel or an upload). */
const SUBMIT_PATH = /^\/(?!estimate\/|requests\/|files\/)/;

/** 32+ characters: results are linked through the bot's signed /media route. */
const MEDIA_LINK_SECRET = 'browser-specs-media-link-secret-0123456789';

export interface BrowserWorld {
  world: World;
  /** `http://127.0.0.1:<bot port>` (no trailing slash): the page's origin. */
  origin: string;
  /** The page: `${origin}/`. */
  url: string;
  bot: CliChild;
  worker: CliChild;
  /** `higgsbot api-keys create --user <user>`; resolves with the secret. */
  newKey(user: string): Promise<string>;
  /** Keeps the next submit to Higgsfield whose body carries `prompt` until released: it stays "queued". */
  holdSubmitOf(prompt: string): Hold;
  /** `higgsbot api-keys revoke <id>` for every key of `user`. */
  revokeKeysOf(user: string): Promise<void>;
  close(): Promise<void>;
}

export interface BrowserWorldOptions {
  name: string;
  sim?: SimulatorOptions;
  /** Pause before each streamed piece of the fake's reply (default 0), to watch the text stream in. */
  streamDelayMs?: number;
}

function firstMessageText(req: RecordedRequest): string {
  const first = req.body.messages[0]?.content;
  return typeof first === 'string'
    ? first
    : (first ?? []).map((block) => (block.type === 'text' ? block.text : '')).join('');
}

/** Whether the agent asked about animating: an attached image, or Animate on a result. */
export function wantsAnimation(req: RecordedRequest): boolean {
  return /an image is attached|wants animate/.test(firstMessageText(req));
}

export function animationFor(request: string) {
  const [zoom, clip] = animatePromptsFor(request);
  return {
    text: 'Two ways to animate it:',
    options: [
      {
        model: 'higgsfield-ai/dop/turbo',
        prompt: zoom,
        label: ANIMATE_LABELS[0],
        reason: 'Keeps the picture as it is and moves the camera.',
        motions: ['Zoom In'],
      },
      {
        model: 'bytedance/seedance/v1/lite/image-to-video',
        prompt: clip,
        label: ANIMATE_LABELS[1],
        reason: 'More motion in the scene itself.',
      },
    ],
  };
}

/**
 * The fake's next reply: the usual two options for `request`, with `text` as the reply's words, streamed one
 * piece (a word, or 12 characters of the tool's JSON) every `eventDelayMs`.
 */
export function pacedProposal(request: string, text: string, eventDelayMs: number) {
  return toolUse(PROPOSE_OPTIONS, { ...proposalFor(request), text }, { stream: { eventDelayMs } });
}

export async function startBrowserWorld(options: BrowserWorldOptions): Promise<BrowserWorld> {
  const world = await startWorld({
    name: options.name,
    // Small fake videos: the page only shows them.
    sim: { videoSizeBytes: 16 * 1024, ...options.sim },
    platformEnv: () => ({
      WEB_ENABLED: 'true',
      WEB_RATE_LIMIT_PER_MINUTE: '100000',
      MEDIA_LINK_SECRET,
    }),
  });
  try {
    const stream = options.streamDelayMs ? { stream: { eventDelayMs: options.streamDelayMs } } : {};
    world.fake.setDefault((req) => {
      const request = requestText(req);
      return toolUse(PROPOSE_OPTIONS, wantsAnimation(req) ? animationFor(request) : proposalFor(request), stream);
    });
    const bot = await world.start('bot', (port) => ({ PUBLIC_URL: `http://127.0.0.1:${port}` }));
    const origin = `http://127.0.0.1:${bot.port}`;
    const worker = await world.start('worker', { PUBLIC_URL: origin });

    const apiKeys = async (...args: string[]) => {
      const child = spawnCli(`api-keys-${args[0]}`, ['api-keys', ...args], {
        DATABASE_URL: world.databaseUrl,
        REDIS_URL: world.redisUrl,
        LOG_LEVEL: 'warn',
      });
      const code = await within(child.exited, 20_000, 'still running after 20 s');
      if (code !== 0) throw new Error(`higgsbot api-keys ${args.join(' ')} exited ${code}: ${child.stderr}`);
      return child.stdout;
    };

    return {
      world,
      origin,
      url: `${origin}/`,
      bot: bot.child,
      worker: worker.child,
      async newKey(user) {
        const stdout = await apiKeys('create', '--user', user);
        const secret = /\b(hb_[A-Za-z0-9_-]+)/.exec(stdout)?.[1];
        if (!secret) throw new Error(`higgsbot api-keys create printed no key: ${stdout}`);
        return secret;
      },
      holdSubmitOf(prompt) {
        const needle = JSON.stringify(prompt);
        return world.simProxy.holdRequest({
          method: 'POST',
          path: SUBMIT_PATH,
          where: (request) => request.body.toString('utf8').includes(needle),
        });
      },
      async revokeKeysOf(user) {
        const keys = JSON.parse(await apiKeys('list', '--json')) as Array<{
          id: string;
          user_id: string;
          revoked_at: string | null;
        }>;
        const ids = keys.filter((k) => k.user_id === user && !k.revoked_at).map((k) => k.id);
        if (ids.length === 0) throw new Error(`no key of ${user} to revoke`);
        for (const id of ids) await apiKeys('revoke', id);
      },
      close: () => world.close(),
    };
  } catch (error) {
    await world.close();
    throw error;
  }
}
