/** Moved into the test kit (test/doubles/kit/free-port.ts); re-exported here so existing specs keep working. */
export { freePort } from '../doubles/kit/free-port.js';
