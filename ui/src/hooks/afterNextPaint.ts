/**
 * Runs `then` once the next frame has been painted, and returns what cancels it:
 * requestAnimationFrame runs just before the next paint, and a task queued from it runs after.
 * The one place that says when "painted" is, for the paint marks and for screens drawn in two
 * passes.
 */
export function afterNextPaint(then: () => void): () => void {
  let timer: number | undefined;
  const frame = requestAnimationFrame(() => {
    timer = window.setTimeout(then, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    if (timer !== undefined) window.clearTimeout(timer);
  };
}
