// The page's behaviour. Gradio runs this once for each HTML panel (the conversation, the sources panel and the
// source viewer) as its js_on_load: `element` is the panel, `trigger` sends an event to the server, and
// `watch` runs a callback after the panel's value has changed and been drawn.

// Selecting a citation marker or a source sends a "cite" event with its answer's turn and its number.
if (!element.dataset.citeBound) {
  element.dataset.citeBound = "1";
  element.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-n]");
    if (button) trigger("cite", {turn: Number(button.dataset.turn), n: Number(button.dataset.n)});
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
  if (newest) {
    let box = newest.parentElement;
    while (box && box !== document.body) {
      if (/(auto|scroll)/.test(getComputedStyle(box).overflowY) && box.scrollHeight > box.clientHeight) break;
      box = box.parentElement;
    }
    if (box && box !== document.body) {
      box.scrollTop += newest.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    }
  }
  // In the source viewer, scroll the highlighted passage into view.
  const mark = element.querySelector("mark.cited");
  if (mark) mark.scrollIntoView({block: "center"});
}));
