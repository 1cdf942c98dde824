import type { ExceptionContext } from "@aio/core";

/**
 * The default exception handler's text (asyncio `default_exception_handler`):
 * the message, every other context field as `key: value`, then the error's
 * stack.
 */
export function formatContext(context: ExceptionContext): string {
  const lines = [context.message];
  for (const [key, value] of Object.entries(context)) {
    if (key === "message" || key === "exception") continue;
    lines.push(`${key}: ${String(value)}`);
  }
  if ("exception" in context) {
    const exc = context.exception;
    lines.push(exc instanceof Error && exc.stack ? exc.stack : `exception: ${String(exc)}`);
  }
  return lines.join("\n");
}
