/**
 * The terminal on the platform contract. Its publisher writes results and failures to the process's console
 * (the chat's stdout, or a worker's when a chat's generation runs in another process); it has no status
 * message (the chat prints progress from the events itself) and no slash commands or HTTP routes. Started
 * in `higgsbot chat`, it holds the conversation on the console and is `finished` when the person leaves.
 */
import type { PlatformFactory } from '../../core/platform.js';
import { runTerminalChat } from './terminal-chat.js';
import type { TerminalConfig } from './terminal-config.js';
import { createTerminalPublisher } from './terminal-publisher.js';

export const createTerminalPlatform: PlatformFactory<TerminalConfig> = (_config, deps) => {
  const { chat } = deps.console;
  let finished: Promise<void> | undefined;
  const leave = new AbortController();
  return {
    id: 'terminal',
    publisher: createTerminalPublisher(deps.console.output),
    routes: [],
    commands: [],
    get finished() {
      return finished;
    },
    async start(services) {
      if (!chat || finished) return;
      const signals = chat.signal ? AbortSignal.any([chat.signal, leave.signal]) : leave.signal;
      finished = runTerminalChat({
        assistant: services.assistant,
        bus: services.progress,
        input: chat.input,
        output: chat.output,
        interactive: chat.interactive,
        conversation: chat.conversation,
        banner: chat.banner,
        signal: signals,
        logger: services.logger,
        ...(chat.settleTimeoutMs !== undefined ? { settleTimeoutMs: chat.settleTimeoutMs } : {}),
      });
    },
    async stop() {
      leave.abort();
      await finished?.catch(() => undefined);
    },
    async check() {
      return [];
    },
  };
};
