/**
 * The test kit: the loopback doubles of the services Higgsbot talks to (Anthropic, Discord, Slack) and the
 * small helpers that go with them (a free port, deleting one's own Redis keys). Specs and benchmarks both
 * use it; benchmarks import nothing else under test/. What each double is, what it refuses and how to start
 * it: test/doubles/README.md. The Higgsfield simulator is not here: it ships with the product
 * (src/higgsfield/simulator/).
 *
 * Non-obvious: the Discord and Slack doubles have record types of the same name (`StoredMessage`, a slash
 * command's input, a scripted failure), so those are exported here with the platform in front
 * (`DiscordStoredMessage`, `SlackStoredMessage`, ...); the modules themselves keep the short names.
 * `sendSlashCommand` / `sendBlockAction` / `sendEvent` are Slack's signed HTTP requests (Discord's are
 * methods of the double).
 */

// Anthropic Messages API fake
export {
  type AnthropicFake,
  type AnthropicFakeOptions,
  apiError,
  countTokens,
  type FakeReply,
  hang,
  MEDIA_BLOCK_TOKENS,
  type MessagesRequest,
  overloaded,
  type RecordedRequest,
  rateLimited,
  requestInputTokens,
  type ScriptedToolCall,
  startAnthropicFake,
  textReply,
  toolUse,
  type WireBlock,
  type WireMessage,
  type WireTool,
} from './anthropic/anthropic-fake.js';
// Discord REST + gateway double, and real discord.js clients pointed at it
export {
  ALL_PERMISSIONS,
  type AutocompleteInput,
  type CommandOptionInput,
  type ComponentClickInput,
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  type DiscordDouble,
  type DiscordDoubleOptions,
  type FailureReply as DiscordFailureReply,
  type InteractionResponseRecord,
  type MemberOption,
  Perm,
  type PingRecord,
  type RecordedCall as DiscordRecordedCall,
  type SentInteraction,
  type SlashCommandInput as DiscordSlashCommandInput,
  type StoredCommand,
  type StoredMessage as DiscordStoredMessage,
  startDiscordDouble,
  type UserAttachmentInput,
  type UserMessageInput,
} from './discord/discord-double.js';
export { TestClients } from './discord/test-client.js';
// Helpers
export { freePort } from './kit/free-port.js';
export { deleteKeys } from './kit/redis-keys.js';
export { type ResponseUrlPost, type ResponseUrlSink, startResponseUrlSink } from './slack/response-url-sink.js';
// Slack Web API double (with Socket Mode), response_url sink, and signed requests into a Bolt receiver
export {
  type FailReply as SlackFailReply,
  FILE_FETCH,
  type SharedFile,
  type SlackApiDouble,
  type SlackApiDoubleOptions,
  SOCKET_ACK,
  SOCKET_DISCONNECT,
  SOCKET_SEND,
  type SocketAck,
  type SocketEventOptions,
  type SocketSendOptions,
  type StoredEphemeral,
  type StoredMessage as SlackStoredMessage,
  startSlackApiDouble,
  UPLOAD_STEP,
} from './slack/slack-api-double.js';
export {
  appMentionEvent,
  type BlockActionInput,
  blockActionPayload,
  type EventEnvelopeInput,
  eventCallback,
  FORM_CONTENT_TYPE,
  type ForgeOptions,
  type MessageEventInput,
  messageEvent,
  postSigned,
  type SlackHttpResult,
  type SlashCommandInput as SlackSlashCommandInput,
  sendBlockAction,
  sendEvent,
  sendSlashCommand,
  slackSignature,
  slashCommandFields,
  UNSET_RESPONSE_URL,
} from './slack/slack-requests.js';
