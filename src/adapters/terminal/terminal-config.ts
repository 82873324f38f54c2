/**
 * The terminal's block of configuration: nothing to set. It is always present: a terminal chat's results
 * are written by whichever process runs the generation (the chat's own, or a worker's stdout).
 */
import type { ConfigBlock } from '../../config/config-block.js';

export type TerminalConfig = Record<string, never>;

export const terminalConfig: ConfigBlock<TerminalConfig> = {
  variables: {},
  build: () => ({}),
};
