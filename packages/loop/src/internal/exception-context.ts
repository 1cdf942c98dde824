import type { ExceptionContext } from "@aio/core";

/**
 * The default exception handler's text (asyncio `default_exception_handler`):
 * the message, every other context field as `key: value`, then the error's
 * stack. A nested context (the `context` of "Unhandled error in exception
 * handler") is written as the default handler would have written it,
 * indented under `context:`, so the original error keeps its stack (asyncio
 * shows the dict's repr).
 */
export function formatContext(context: ExceptionContext): string {
  const lines = [context.message];
  for (const [key, value] of Object.entries(context)) {
    if (key === "message" || key === "exception") continue;
    lines.push(
      key === "context" && typeof (value as ExceptionContext | null)?.message === "string"
        ? `context:\n${formatContext(value as ExceptionContext).replace(/^/gm, "  ")}`
        : `${key}: ${String(value)}`,
    );
  }
  if ("exception" in context) {
    const exc = context.exception;
    lines.push(exc instanceof Error && exc.stack ? exc.stack : `exception: ${String(exc)}`);
  }
  return lines.join("\n");
}
