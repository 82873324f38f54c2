/**
 * A free TCP port on 127.0.0.1, for the servers specs and benchmarks start (a worker's HTTP port, a webhook
 * target). It is the product's own helper, so the kit and the product never disagree on what "free" means;
 * like any probe it can race another process taking the port between the probe and the listen.
 */
export { freeLoopbackPort as freePort } from '../../../src/queue/private-redis.js';
