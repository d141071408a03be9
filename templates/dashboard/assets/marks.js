// The marks that tests and benchmarks read, the same on every page:
//   pairbook-charts-drawn   once per navigation, when the page first drew (also body[data-drawn="1"])
//   pairbook-control-changed / pairbook-redrawn   around every redraw caused by a control
//                           (also the measure pairbook-redraw and body[data-redraws] counting them)

let drawn = false;
let redraws = 0;

/** Whether the page has drawn once. */
export const hasDrawn = () => drawn;

/** After a draw: the first one (not a live update) marks the page drawn; one caused by a control counts a redraw. */
export function markDrawn(reason) {
  if (!drawn && reason !== 'live') {
    drawn = true;
    performance.mark('pairbook-charts-drawn');
    document.body.dataset.drawn = '1';
  }
  if (reason === 'control') {
    performance.mark('pairbook-redrawn');
    try { performance.measure('pairbook-redraw', 'pairbook-control-changed', 'pairbook-redrawn'); } catch { /* no start mark */ }
    redraws += 1;
    document.body.dataset.redraws = String(redraws);
  }
}

/** Before the request a control causes: the start of the pairbook-redraw measure. */
export function markControlChanged() {
  performance.clearMarks('pairbook-control-changed');
  performance.mark('pairbook-control-changed');
}
