/**
 * The pino root logger. Secrets are redacted by key name at every depth we log (config objects,
 * request headers, error details), so a careless `log.info({ config })` cannot leak a token.
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Key names whose values never reach a log line. */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'apiKey',
  'apiSecret',
  'keySecret',
  'secret',
  'token',
  'password',
  'botToken',
  'appToken',
  'signingSecret',
  'webhookSecret',
  'secretAccessKey',
  'credentials',
  'cookie',
  'x-api-key',
  'HF_API_SECRET',
  'HF_CREDENTIALS',
  'ANTHROPIC_API_KEY',
  'DISCORD_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'HIGGSFIELD_WEBHOOK_SECRET',
  'AWS_SECRET_ACCESS_KEY',
] as const;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) => (safe.startsWith('[') ? `${prefix}${safe}` : `${prefix}.${safe}`);
    paths.push(safe.startsWith('[') ? safe.slice(2, -2) : safe, join('*'), join('*.*'), join('*.*.*'));
  }
  return paths;
}

export interface CreateLoggerOptions {
  level: LogLevel;
  name?: string;
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level,
    name: options.name ?? 'higgsbot',
    redact: { paths: redactPaths(), censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
    base: { pid: process.pid },
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

/** A logger that writes nothing: for tests and for CLI commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
