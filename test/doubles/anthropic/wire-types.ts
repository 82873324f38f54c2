/**
 * The loosely typed shape of a `POST /v1/messages` body as the Anthropic fake sees it on the wire. The one
 * non-obvious decision: no index signatures, so the SDK's own `MessageCreateParams` (an interface) stays
 * assignable to `MessagesRequest` and a benchmark can count a body it built for the real SDK.
 */

/** Any content block: text, image, tool_use, tool_result, thinking, document, ... (only the fields the fake reads). */
export interface WireBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  /** tool_result: string | blocks; other server-tool results carry their own shapes. */
  content?: unknown;
  is_error?: boolean | null;
  thinking?: string;
}

export interface WireMessage {
  /** 'system' messages are part of this SDK's MessageParam union (mid-conversation system turns). */
  role: 'user' | 'assistant' | 'system';
  content: string | WireBlock[];
}

/** A custom tool (name, description, input_schema) or a server tool/toolset (type, maybe no name). */
export interface WireTool {
  name?: string;
  type?: string | null;
  description?: string;
  input_schema?: unknown;
}

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: WireMessage[];
  system?: string | WireBlock[];
  tools?: WireTool[];
  tool_choice?: { type: string; name?: string };
  stream?: boolean | null;
  temperature?: number;
  metadata?: unknown;
}
