/**
 * Every slash command Higgsbot offers, as data. The prompt cap matches the model registry's, so
 * Discord refuses an over-long prompt in the client before it ever reaches us.
 */
import { PROMPT_MAX_CHARS } from '../src/higgsfield/models/model-spec.js';
import { ASPECT_CHOICES, type CommandDefinition, DURATION_CHOICES } from './command-definition.js';

export type { CommandDefinition } from './command-definition.js';

/** Longer search text is cut to this by the history use case anyway; Discord refuses it in the client. */
const HISTORY_SEARCH_MAX_CHARS = 200;
/** A full generation id (`gen-` and a UUID); people usually type the 8-character short id. */
const GENERATION_ID_MAX_CHARS = 40;

const promptOption = (required: boolean) =>
  ({
    name: 'prompt',
    description: 'What you want to see',
    type: 'string',
    required,
    maxLength: PROMPT_MAX_CHARS,
  }) as const;

export const commands: readonly CommandDefinition[] = [
  {
    name: 'imagine',
    description: 'Get a few image ideas for your prompt, then pick one to generate',
    intent: 'image',
    options: [
      promptOption(true),
      { name: 'aspect', description: 'Aspect ratio', type: 'string', required: false, choices: ASPECT_CHOICES },
    ],
  },
  {
    name: 'video',
    description: 'Get a few video ideas for your prompt, then pick one to generate',
    intent: 'video',
    options: [
      promptOption(true),
      {
        name: 'duration',
        description: 'Length in seconds',
        type: 'string',
        required: false,
        choices: DURATION_CHOICES,
      },
      { name: 'aspect', description: 'Aspect ratio', type: 'string', required: false, choices: ASPECT_CHOICES },
    ],
  },
  {
    name: 'animate',
    description: 'Bring an image to life: camera moves and motion ideas for it',
    intent: 'animate',
    options: [
      {
        name: 'image',
        description: 'The image to animate (PNG, JPEG, WebP or GIF)',
        type: 'attachment',
        required: true,
      },
      { ...promptOption(false), description: 'How it should move (optional)' },
    ],
  },
  {
    name: 'styles',
    description: 'Browse the Soul image styles',
    intent: 'styles',
    options: [
      { name: 'query', description: 'Style name to look for', type: 'string', required: false, autocomplete: true },
    ],
  },
  {
    name: 'jobs',
    description: 'Your generations in progress and their place in the queue',
    intent: 'jobs',
    options: [],
  },
  {
    name: 'history',
    description: 'Your past generations, newest first (only you see it)',
    intent: 'history',
    options: [
      {
        name: 'search',
        description: 'Words to look for in your prompts',
        type: 'string',
        required: false,
        maxLength: HISTORY_SEARCH_MAX_CHARS,
      },
    ],
  },
  {
    name: 'show',
    description: 'Post one of your past results here again, with its buttons',
    intent: 'show',
    options: [
      {
        name: 'id',
        description: 'The id from /history, e.g. 1a2b3c4d',
        type: 'string',
        required: true,
        maxLength: GENERATION_ID_MAX_CHARS,
      },
    ],
  },
  {
    name: 'forget',
    description: 'Delete your history and stored images and videos (asks first)',
    intent: 'forget',
    options: [],
  },
  { name: 'help', description: 'How to use Higgsbot', intent: 'help', options: [] },
];

/** The definitions of the named commands, in the order given: what one platform offers. */
export function commandsNamed(...names: readonly string[]): CommandDefinition[] {
  return names.map((name) => {
    const found = commands.find((c) => c.name === name);
    if (!found) throw new Error(`No command named /${name} in commands/index.ts`);
    return found;
  });
}
