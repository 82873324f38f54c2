/**
 * The benchmarks' Redis clean-up: the kit's `deleteKeys`, refusing any prefix that is not a benchmark's own
 * (`bench-…`), so a slip in a benchmark can never delete the keys of a running bot or of the specs.
 */
import { deleteKeys } from '../test/doubles/index.js';

export async function deleteBenchKeys(redisUrl: string, prefix: string): Promise<number> {
  if (!/^bench-[0-9a-z]+/.test(prefix)) throw new Error(`refusing to delete keys outside the bench prefix: ${prefix}`);
  return deleteKeys(redisUrl, prefix);
}
