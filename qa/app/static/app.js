// The page's behaviour. Gradio runs this once for each HTML panel (the conversation, the sources panel and the
// source viewer) as its js_on_load: `element` is the panel, `trigger` sends an event to the server, and
// `watch` runs a callback after the panel's value has changed and been drawn.

// Scroll `node` into view inside each box that scrolls its own content, innermost first, never the page itself:
// the conversation and the reader's place in it stay where they were.
const showInBox = (node, where) => {
  let box = node.parentElement;
  while (box && box !== document.body && box !== document.documentElement) {
    if (/(auto|scroll)/.test(getComputedStyle(box).overflowY) && box.scrollHeight > box.clientHeight) {
      const offset = node.getBoundingClientRect().top - box.getBoundingClientRect().top;
      box.scrollTop += where === "center" ? offset - (box.clientHeight - node.offsetHeight) / 2 : offset - 8;
    }
    box = box.parentElement;
  }
};

if (!element.dataset.citeBound) {
  element.dataset.citeBound = "1";
  element.addEventListener("click", (event) => {
    // Selecting a citation marker or a source sends a "cite" event with its answer's turn and its number.
    const button = event.target.closest("button[data-n]");
    if (button) {
      // Remember where the reader was, for "Back to the answer".
      window.__qaLastMarker = {turn: button.dataset.turn, n: button.dataset.n};
      trigger("cite", {turn: Number(button.dataset.turn), n: Number(button.dataset.n)});
      return;
    }
    // A PDF's source can be shown as extracted text or as the page as printed.
    const view = event.target.closest("button.view-text, button.view-page");
    if (view) {
      const viewer = element.querySelector(".viewer");
      const page = view.classList.contains("view-page");
      viewer.classList.toggle("show-page", page);
      element.querySelectorAll(".view-switch button").forEach((b) => b.classList.toggle("active", b === view));
      const target = element.querySelector(page ? ".page-image" : "mark.cited");
      if (target) requestAnimationFrame(() => showInBox(target, "center"));
      return;
    }
    // "Back to the answer" closes the source (a dialog on narrow screens) and returns to the marker.
    const back = event.target.closest("button.back-to-answer");
    if (back) {
      const viewer = element.querySelector(".viewer");
      if (viewer) viewer.classList.add("closed");
      const last = window.__qaLastMarker || {turn: back.dataset.backTurn, n: back.dataset.backN};
      const marker = document.querySelector(
        `#conversation button.cite-marker[data-turn="${last.turn}"][data-n="${last.n}"]`);
      if (marker) {
        showInBox(marker, "center");
        marker.focus({preventScroll: true});
        const rect = marker.getBoundingClientRect();
        if (rect.top < 0 || rect.bottom > window.innerHeight) marker.scrollIntoView({block: "center"});
      }
    }
  });
}

watch("value", () => requestAnimationFrame(() => {
  // In the sources panel, keep the selected source in view (scrolling the panel only, not the page).
  const box = element.querySelector(".sources");
  const active = element.querySelector(".source-item.active");
  if (box && active) box.scrollTop = Math.max(0, active.offsetTop - 8);
  // In the conversation, bring the newest question and the start of its answer to the top of the box
  // (scrolling the box only). Gradio's own autoscroll kept the box where it was once it had been scrolled.
  const questions = element.querySelectorAll(".conversation .turn.question");
  const newest = questions[questions.length - 1];
  if (newest) showInBox(newest, "top");
  // In the source viewer, bring the highlighted passage into view inside the viewer only: the page (and the
  // conversation with it) stays where it was. On a narrow screen the viewer is a dialog over the page.
  const mark = element.querySelector("mark.cited");
  if (mark) {
    showInBox(mark, "center");
    const back = element.querySelector("button.back-to-answer");
    if (back) back.focus({preventScroll: true});
  }
}));
