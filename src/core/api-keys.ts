/**
 * API keys: how a person signs in to the web platform (`Authorization: Bearer <key>`). A key is shown once,
 * when created (`higgsbot api-keys create --user <name>`), and stored only as a hash; revoking one takes
 * effect on the next request in every process. The person a key belongs to owns every chat, option,
 * generation and media link made with any of their keys.
 */

export interface ApiKey {
  /** Public id (also the key's visible prefix), for `list` and `revoke`. */
  id: string;
  /** The person: their chats and generations are `user_id` = this. */
  userId: string;
  createdAtMs: number;
  lastUsedAtMs?: number;
  revokedAtMs?: number;
}

export interface ApiKeyStore {
  /** A new key for `userId`: the secret is returned here and never again. */
  create(userId: string): Promise<{ key: ApiKey; secret: string }>;
  /** Every key, newest first (revoked ones included, marked). */
  list(): Promise<ApiKey[]>;
  /** Revokes a key by id; undefined when there is no such key. Revoking twice keeps the first time. */
  revoke(id: string): Promise<ApiKey | undefined>;
  /** The live key a secret is, or undefined (unknown, malformed or revoked). Constant-time on the hash. */
  verify(secret: string): Promise<ApiKey | undefined>;
}
