import { describeValue, type ExceptionContext } from "@aio/core";

/**
 * The default exception handler's text (asyncio `default_exception_handler`):
 * the message, every other context field as `key: value`, then the error's
 * stack. A nested context (the `context` of "Unhandled error in exception
 * handler") is written as the default handler would have written it,
 * indented under `context:`, so the original error keeps its stack (asyncio
 * shows the dict's repr). A value that cannot be turned into text (a
 * throwing `toString()`, an object without a prototype) is described
 * instead, so the report is still written (asyncio's logging reports such a
 * value as a logging error rather than dropping it).
 */
export function formatContext(context: ExceptionContext): string {
  const lines = [show(context.message)];
  for (const [key, value] of Object.entries(context)) {
    if (key === "message" || key === "exception") continue;
    lines.push(
      key === "context" && typeof (value as ExceptionContext | null)?.message === "string"
        ? `context:\n${formatContext(value as ExceptionContext).replace(/^/gm, "  ")}`
        : `${key}: ${show(value)}`,
    );
  }
  if ("exception" in context) {
    const exc = context.exception;
    lines.push(exc instanceof Error && exc.stack ? exc.stack : `exception: ${show(exc)}`);
  }
  return lines.join("\n");
}

/** `String(value)`, or `<unprintable an instance of X>` when that throws. */
function show(value: unknown): string {
  try {
    return String(value);
  } catch {
    return `<unprintable ${describeValue(value)}>`;
  }
}
