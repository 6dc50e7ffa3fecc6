// Regions that scroll sideways, a note's wide table (.table-wrap) and a
// long chart of bars (.chart-scroll), are Tab stops only while they have
// something to scroll, so that a keyboard can scroll them and never stops
// on one that shows all it holds. Without scripts a table's region is
// always one, as the build writes it, and a chart's never: its numbers are
// in the table below it too.
"use strict";
(() => {
  const regions = document.querySelectorAll(".table-wrap[role=region], .chart-scroll[role=region]");
  if (!regions.length) return;
  // A chart shows its latest bars, and keeps them in sight as its width
  // changes, until the reader scrolls back.
  const latest = new WeakSet();
  const update = (el) => {
    if (el.scrollWidth > el.clientWidth) {
      el.tabIndex = 0;
      if (latest.has(el)) el.scrollLeft = el.scrollWidth;
    } else if (el !== document.activeElement) {
      el.removeAttribute("tabindex");
    }
  };
  for (const el of regions) {
    if (el.classList.contains("chart-scroll")) {
      latest.add(el);
      el.addEventListener("scroll", () => {
        if (el.scrollLeft + el.clientWidth >= el.scrollWidth - 1) latest.add(el);
        else latest.delete(el);
      }, {passive: true});
    }
    update(el);
  }
  if ("ResizeObserver" in window) {
    const resized = new ResizeObserver((entries) => {
      for (const e of entries) update(e.target.closest("[role=region]"));
    });
    for (const el of regions) {
      resized.observe(el);
      if (el.firstElementChild) resized.observe(el.firstElementChild);
    }
  } else {
    addEventListener("resize", () => regions.forEach(update));
  }
})();
