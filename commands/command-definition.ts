/**
 * The shape of a slash command, platform-neutral: each platform offers the ones it names (its adapter's
 * `commands`), registers or declares them (Discord's application commands, Slack's manifest), dispatches on
 * them, and builds its help text from them. Data only; no platform imports. Limits are Discord's (names
 * 1–32 lowercase characters, descriptions 1–100), which also fit Slack.
 */

export type CommandIntent = 'image' | 'video' | 'animate' | 'styles' | 'jobs' | 'history' | 'show' | 'forget' | 'help';

export interface CommandChoice {
  name: string;
  value: string;
}

export interface CommandOption {
  name: string;
  description: string;
  type: 'string' | 'integer' | 'boolean' | 'attachment';
  required: boolean;
  choices?: readonly CommandChoice[];
  /** Values are suggested as the person types (Discord autocomplete). */
  autocomplete?: boolean;
  maxLength?: number;
}

export interface CommandDefinition {
  name: string;
  description: string;
  intent: CommandIntent;
  options: readonly CommandOption[];
}

const choices = (...values: string[]): CommandChoice[] => values.map((v) => ({ name: v, value: v }));

export const ASPECT_CHOICES = choices('16:9', '9:16', '1:1', '4:3', '3:4');
export const DURATION_CHOICES = choices('5', '10');
