// Live refresh: a toggle that reloads a panel every 5 s while it is on and the tab is visible.
// Panels update in place (charts redraw their canvas, tables gain rows), so scrolling and focus
// stay where they were. Every timer stops when the view changes.

import { el } from './dom';

export const LIVE_EVERY_MS = 5_000;

let timers: number[] = [];

/** Stops every live panel of the previous view. */
export function stopLive(): void {
  for (const t of timers) clearInterval(t);
  timers = [];
}

/** A "Live" checkbox that runs `tick` every LIVE_EVERY_MS while checked (never two at once). */
export function liveToggle(tick: () => Promise<void>, testId: string): HTMLLabelElement {
  const box = el('input', { type: 'checkbox', 'data-testid': testId });
  let timer: number | null = null;
  let running = false;
  const run = async () => {
    if (running || document.hidden) return;
    running = true;
    try {
      await tick();
    } finally {
      running = false;
    }
  };
  box.addEventListener('change', () => {
    if (timer !== null) {
      clearInterval(timer);
      timers = timers.filter((t) => t !== timer);
      timer = null;
    }
    if (!box.checked) return;
    timer = window.setInterval(() => void run(), LIVE_EVERY_MS);
    timers.push(timer);
  });
  return el('label', { class: 'live' }, box, el('span', {}, 'Live (every 5 s)'));
}
