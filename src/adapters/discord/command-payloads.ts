/**
 * The platform-neutral command definitions (commands/) as Discord's application-command JSON, ready for a
 * bulk-overwrite PUT. Pure: no network, no discord.js runtime (types only). Every command is a chat-input
 * command usable in guilds and in DMs with the bot. Discord refuses a required option listed after an
 * optional one, so options are stably reordered required-first; their relative order is otherwise kept.
 */
import type {
  APIApplicationCommandBasicOption,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPutAPIApplicationCommandsJSONBody,
} from 'discord.js';
import type { CommandDefinition, CommandOption } from '../../../commands/command-definition.js';

/** Discord's ApplicationCommandType.ChatInput. */
const CHAT_INPUT = 1;
/** ApplicationCommandOptionType for each neutral option type. */
const OPTION_TYPE = { string: 3, integer: 4, boolean: 5, attachment: 11 } as const;
/** InteractionContextType: Guild, BotDM, PrivateChannel (Discord honours these on global commands only). */
const CONTEXTS = [0, 1, 2] as const;
/** ApplicationIntegrationType.GuildInstall. */
const INTEGRATION_TYPES = [0] as const;

export function toDiscordCommands(defs: readonly CommandDefinition[]): RESTPutAPIApplicationCommandsJSONBody {
  return defs.map(toDiscordCommand);
}

function toDiscordCommand(def: CommandDefinition): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const required = def.options.filter((o) => o.required);
  const optional = def.options.filter((o) => !o.required);
  return {
    type: CHAT_INPUT,
    name: def.name,
    description: def.description,
    options: [...required, ...optional].map((option) => toDiscordOption(def.name, option)),
    contexts: [...CONTEXTS],
    integration_types: [...INTEGRATION_TYPES],
  };
}

function toDiscordOption(command: string, option: CommandOption): APIApplicationCommandBasicOption {
  const where = `/${command} option "${option.name}"`;
  const base = { name: option.name, description: option.description, required: option.required };
  const hasChoices = option.choices !== undefined && option.choices.length > 0;
  if (option.autocomplete && hasChoices) throw new Error(`${where}: Discord allows choices or autocomplete, not both`);
  if (option.type !== 'string' && option.maxLength !== undefined) {
    throw new Error(`${where}: maxLength applies to string options only`);
  }
  switch (option.type) {
    case 'string': {
      const length = option.maxLength === undefined ? {} : { max_length: option.maxLength };
      if (option.autocomplete) return { ...base, type: OPTION_TYPE.string, ...length, autocomplete: true };
      const choices = hasChoices
        ? { choices: option.choices?.map((c) => ({ name: c.name, value: c.value })) ?? [] }
        : {};
      return { ...base, type: OPTION_TYPE.string, ...length, ...choices };
    }
    case 'integer': {
      if (option.autocomplete) return { ...base, type: OPTION_TYPE.integer, autocomplete: true };
      const choices = hasChoices
        ? { choices: option.choices?.map((c) => ({ name: c.name, value: toInteger(where, c.value) })) ?? [] }
        : {};
      return { ...base, type: OPTION_TYPE.integer, ...choices };
    }
    case 'boolean':
    case 'attachment':
      if (option.autocomplete || hasChoices) throw new Error(`${where}: ${option.type} options take no choices`);
      return { ...base, type: OPTION_TYPE[option.type] };
  }
}

function toInteger(where: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`${where}: choice "${value}" is not a whole number`);
  return n;
}
