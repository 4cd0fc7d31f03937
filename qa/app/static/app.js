// The page's behaviour. Gradio runs this once for each HTML panel (the conversation, the sources panel and the
// source viewer) as its js_on_load: `element` is the panel, `trigger` sends an event to the server, and
// `watch` runs a callback after the panel's value has changed and been drawn.

const NARROW = "(max-width: 900px)";  // as in app.css: the columns stack and an opened source is a dialog
const narrow = () => window.matchMedia(NARROW).matches;

// Scroll `node` into view inside each box that scrolls its own content, innermost first, never the page itself:
// the conversation and the reader's place in it stay where they were. `stop` ends the climb at that box.
const showInBox = (node, where, stop) => {
  let box = node.parentElement;
  while (box && box !== document.body && box !== document.documentElement) {
    if (/(auto|scroll)/.test(getComputedStyle(box).overflowY) && box.scrollHeight > box.clientHeight) {
      const offset = node.getBoundingClientRect().top - box.getBoundingClientRect().top;
      box.scrollTop += where === "center" ? offset - (box.clientHeight - node.offsetHeight) / 2 : offset - 8;
    }
    if (box === stop) return;
    box = box.parentElement;
  }
};

// One live region for the whole page, outside the panels Gradio redraws, so screen readers announce each new
// answer (and what a copy button did) once, without reading the whole conversation again.
const announce = (text) => {
  let region = document.getElementById("qa-announcer");
  if (!region) {
    region = document.createElement("div");
    region.id = "qa-announcer";
    region.className = "sr-only";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.appendChild(region);
  }
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
};

// On a wide screen the side column (sources and source document) stays in view beside the conversation: it is
// never taller than the part of the window below its top, so whatever it shows can be seen.
const fitSide = () => {
  const side = document.getElementById("side");
  if (!side) return;
  if (narrow()) {
    side.style.removeProperty("--side-max");
    return;
  }
  const top = Math.max(side.getBoundingClientRect().top, 8);
  side.style.setProperty("--side-max", `${Math.max(240, Math.floor(window.innerHeight - top - 8))}px`);
};

// The opened source on a narrow screen is a modal dialog over the page, named by its heading; elsewhere it is
// part of the page.
const markDialog = (viewer) => {
  if (!viewer) return;
  const dialog = narrow() && !viewer.classList.contains("empty") && !viewer.classList.contains("closed");
  if (dialog) {
    viewer.setAttribute("role", "dialog");
    viewer.setAttribute("aria-modal", "true");
    viewer.setAttribute("aria-labelledby", "viewer-title");
  } else {
    ["role", "aria-modal", "aria-labelledby"].forEach((name) => viewer.removeAttribute(name));
  }
};

const copyText = async (text) => {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (error) {  // not a secure page (http on a network address): the older way
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.cssText = "position:fixed;top:0;left:0;opacity:0;";
    document.body.appendChild(area);
    area.select();
    const done = document.execCommand("copy");
    area.remove();
    return done;
  }
};

if (!window.__qaPageBound) {
  window.__qaPageBound = true;
  // The conversations sidebar starts open on a wide screen, where it sits beside the page, and closed on a
  // phone, where it would cover the page (Gradio opens it, or not, the same way on every screen).
  const openSidebar = (tries) => {
    const bar = document.getElementById("conversations");
    const toggle = bar && bar.querySelector(".toggle-button");
    if (!toggle) {
      if (tries > 0) setTimeout(() => openSidebar(tries - 1), 100);
      return;
    }
    if (window.innerWidth > 768 && !bar.classList.contains("open")) toggle.click();
  };
  openSidebar(50);
  // On a phone the open sidebar covers the page: choosing a conversation (or a new one) closes it.
  const closeSidebarOnPhone = (event) => {
    if (window.innerWidth > 768 || !event.target.closest("#conv-list input, #clear")) return;
    const bar = document.getElementById("conversations");
    const toggle = bar && bar.querySelector(".toggle-button");
    if (toggle && bar.classList.contains("open")) toggle.click();
  };
  document.addEventListener("change", closeSidebarOnPhone, true);
  document.addEventListener("click", (event) => { if (event.target.closest("#clear")) closeSidebarOnPhone(event); }, true);
  let pending = false;
  const refit = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      fitSide();
      markDialog(document.querySelector("#viewer .viewer"));
    });
  };
  // A question is on its way (the "Searching…" line may come and go too fast to be drawn): note how many
  // answers there were, so the next one is announced.
  const asking = () => { window.__qaAsking = document.querySelectorAll("#conversation .turn.answer:not(.pending)").length; };
  document.addEventListener("click", (event) => {
    if (event.target.closest("#ask, #examples button")) asking();
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && event.target.closest("#question")) asking();
  }, true);
  window.addEventListener("scroll", refit, {passive: true});
  window.addEventListener("resize", refit);
  document.addEventListener("keydown", (event) => {
    const dialog = document.querySelector('#viewer .viewer[aria-modal="true"]');
    if (!dialog) return;
    if (event.key === "Escape") {  // Escape closes the source, as "Back to the answer" does
      event.preventDefault();
      const back = dialog.querySelector("button.back-to-answer");
      if (back) back.click();
    } else if (event.key === "Tab") {  // keep the keyboard inside the dialog while it is open
      const stops = [...dialog.querySelectorAll("button, [href], [tabindex]:not([tabindex='-1'])")]
        .filter((e) => !e.disabled && e.offsetParent !== null);
      if (!stops.length) return;
      const first = stops[0], last = stops[stops.length - 1];
      if (event.shiftKey && document.activeElement === first) { last.focus(); event.preventDefault(); }
      else if (!event.shiftKey && document.activeElement === last) { first.focus(); event.preventDefault(); }
      else if (!dialog.contains(document.activeElement)) { first.focus(); event.preventDefault(); }
    }
  });
}

if (!element.dataset.citeBound) {
  element.dataset.citeBound = "1";
  element.addEventListener("click", (event) => {
    // A copy button puts its quote (or its whole answer) with the citation on the clipboard.
    const copy = event.target.closest("button.copy");
    if (copy) {
      copyText(copy.dataset.copy || "").then((done) => {
        const was = copy.dataset.label || copy.textContent;
        copy.dataset.label = was;
        copy.textContent = done ? "Copied" : "Copy failed";
        announce(done ? "Copied to the clipboard with its citation." : "Could not copy: select the text instead.");
        setTimeout(() => { copy.textContent = was; }, 2000);
      });
      return;
    }
    // Selecting a citation marker or a source sends a "cite" event with its answer's turn and its number.
    const button = event.target.closest("button[data-n]");
    if (button) {
      // Remember where the reader was, for "Back to the answer".
      window.__qaLastMarker = {turn: button.dataset.turn, n: button.dataset.n};
      // The same source again, after it was closed: the server's copy is unchanged, so the page is not redrawn;
      // open it again here.
      const closed = document.querySelector("#viewer .viewer.closed");
      const again = closed && closed.querySelector("button.back-to-answer");
      if (again && again.dataset.backTurn === button.dataset.turn && again.dataset.backN === button.dataset.n) {
        closed.classList.remove("closed");
        markDialog(closed);
        const mark = closed.querySelector("mark.cited");
        if (mark) showInBox(mark, "center");
        again.focus({preventScroll: true});
      }
      trigger("cite", {turn: Number(button.dataset.turn), n: Number(button.dataset.n)});
      return;
    }
    // A PDF's source can be shown as extracted text or as the page as printed.
    const view = event.target.closest("button.view-text, button.view-page");
    if (view) {
      const viewer = element.querySelector(".viewer");
      const page = view.classList.contains("view-page");
      viewer.classList.toggle("show-page", page);
      element.querySelectorAll(".view-switch button").forEach((b) => {
        b.classList.toggle("active", b === view);
        b.setAttribute("aria-pressed", String(b === view));
      });
      const target = element.querySelector(page ? ".page-image" : "mark.cited");
      if (target) requestAnimationFrame(() => showInBox(target, "center"));
      return;
    }
    // "Back to the answer" closes the source (a dialog on narrow screens) and returns to the marker.
    const back = event.target.closest("button.back-to-answer");
    if (back) {
      const viewer = element.querySelector(".viewer");
      if (viewer) {
        viewer.classList.add("closed");
        markDialog(viewer);
      }
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

// The source viewer on a wide screen: size the document text to the room left in the side column below the
// sources, then bring the viewer to the top of the column and the passage to the middle of the text.
const revealInSide = (mark) => {
  const side = element.closest("#side");
  const text = mark.closest(".doc-text");
  if (!side || !text || narrow()) return false;
  fitSide();
  const room = parseFloat(side.style.getPropertyValue("--side-max")) || side.clientHeight;
  const above = text.getBoundingClientRect().top - side.getBoundingClientRect().top + side.scrollTop;
  const headRoom = above - (element.getBoundingClientRect().top - side.getBoundingClientRect().top + side.scrollTop);
  side.style.setProperty("--doc-max", `${Math.max(140, Math.floor(Math.min(room - above, room - headRoom) - 16))}px`);
  showInBox(mark, "center", text);
  // Scroll the column only as far as needed for the whole viewer to show, keeping the sources above in view.
  const sideBox = side.getBoundingClientRect();
  const viewerBox = element.getBoundingClientRect();
  if (viewerBox.bottom > sideBox.bottom) side.scrollTop += Math.min(viewerBox.bottom - sideBox.bottom, viewerBox.top - sideBox.top);
  else if (viewerBox.top < sideBox.top) side.scrollTop -= sideBox.top - viewerBox.top;
  return true;
};

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
  // A new answer is announced once, when it replaces the "Searching…" line: its question and its text (without
  // the buttons' labels). A conversation reopened with the page is not announced.
  const done = element.querySelectorAll(".conversation .turn.answer:not(.pending)");
  if (!element.querySelector(".conversation")) {
    // not the conversation panel
  } else if (element.querySelector(".conversation .turn.answer.pending")) {
    if (window.__qaAsking === undefined) window.__qaAsking = done.length;
  } else if (window.__qaAsking !== undefined) {
    const before = window.__qaAsking;
    window.__qaAsking = undefined;
    const notice = element.querySelector(".conversation > .notice");
    const said = [];
    if (done.length > before) {
      const copy = done[done.length - 1].cloneNode(true);
      copy.querySelectorAll("button").forEach((b) => b.remove());
      const text = copy.textContent.replace(/\s+/g, " ").trim();
      said.push(`Answer to “${newest ? newest.textContent.trim() : ""}”: ${text.slice(0, 600)}`);
    }
    if (notice) said.push(notice.textContent.trim());
    if (said.length) announce(said.join(" "));
  }
  // In the source viewer, bring the highlighted passage into view inside the viewer only: the page (and the
  // conversation with it) stays where it was. On a narrow screen the viewer is a dialog over the page.
  const viewer = element.querySelector(".viewer");
  markDialog(viewer);
  const mark = element.querySelector("mark.cited");
  if (mark) {
    if (!revealInSide(mark)) showInBox(mark, "center");
    const back = element.querySelector("button.back-to-answer");
    if (back) back.focus({preventScroll: true});
  }
}));
