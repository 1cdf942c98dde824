/**
 * The `Executor` of `@aio/core` over BullMQ queues on Redis.
 *
 * @packageDocumentation
 */
export {};
