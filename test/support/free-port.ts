/** A free TCP port on 127.0.0.1, for servers the tests and benchmarks start (the product's own helper). */
export { freeLoopbackPort as freePort } from '../../src/queue/private-redis.js';
