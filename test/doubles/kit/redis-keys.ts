/**
 * Deletes the keys a spec or a benchmark wrote under its own prefix (SCAN + DEL), and nothing else.
 * Non-obvious decisions: a prefix that is empty or holds a glob character (`* ? [ ] \`) is refused, since
 * `MATCH <prefix>*` would then reach other people's keys; the scan is bounded (a million rounds of 500 keys);
 * and the connection fails a command after one retry and keeps its errors to the rejected promise, so a
 * clean-up after Redis went away ends quickly instead of printing `[ioredis] Unhandled error event`.
 */
import { Redis } from 'ioredis';

const GLOB = /[*?[\]\\]/;
const MAX_ROUNDS = 1_000_000;

/** Deletes every key starting with `prefix`; returns how many were deleted. */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  if (prefix === '' || GLOB.test(prefix)) {
    throw new Error(`deleteKeys refuses the prefix ${JSON.stringify(prefix)}: it would match keys beyond its own`);
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectionName: 'kit-delete-keys' });
  redis.on('error', () => {});
  let deleted = 0;
  try {
    let cursor = '0';
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}
