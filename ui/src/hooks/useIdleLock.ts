import { useEffect, useRef } from "react";

/** What counts as use: a key, a click or tap, scrolling. Moving the pointer alone does not. */
const ACTIVITY = ["keydown", "pointerdown", "wheel", "touchstart"] as const;

/**
 * Calls `onIdle` once when the window has had no use for `ms` milliseconds (the app's lock
 * timer). Use restarts the wait; so does coming back to a hidden window, which is checked against
 * the clock, since a sleeping laptop or a phone in a pocket runs no timers.
 */
export function useIdleLock(ms: number, onIdle: () => void): void {
  const callback = useRef(onIdle);
  useEffect(() => {
    callback.current = onIdle;
  }, [onIdle]);

  useEffect(() => {
    if (!(ms > 0)) return;
    let last = Date.now();
    let fired = false;
    let timer: number | undefined;

    const fire = () => {
      if (fired) return;
      fired = true;
      callback.current();
    };
    const arm = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(fire, Math.max(0, last + ms - Date.now()));
    };
    const used = () => {
      last = Date.now();
      arm();
    };
    const visible = () => {
      if (document.visibilityState !== "visible") return;
      if (Date.now() - last >= ms) fire();
      else arm();
    };

    arm();
    for (const event of ACTIVITY) window.addEventListener(event, used, { passive: true, capture: true });
    document.addEventListener("visibilitychange", visible);
    return () => {
      window.clearTimeout(timer);
      for (const event of ACTIVITY) window.removeEventListener(event, used, { capture: true });
      document.removeEventListener("visibilitychange", visible);
    };
  }, [ms]);
}
