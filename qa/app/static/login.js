// The login page. Gradio's form shows nothing when the server refuses a login because logins are paused after
// repeated failures (HTTP 429): say so on the page, and count down to when the next try is accepted.
(() => {
  const plainFetch = window.fetch.bind(window);
  let timer = null;

  const notice = () => {
    let box = document.getElementById("qa-login-paused");
    if (!box) {
      box = document.createElement("p");
      box.id = "qa-login-paused";
      box.setAttribute("role", "alert");
      box.style.cssText = "margin:.6rem 0;padding:.6rem .9rem;border-radius:.5rem;background:#fff4e5;"
        + "color:#6b3d00;border:1px solid #f0c36d;font-size:.95rem;";
      const password = document.querySelector("input[type=password]");
      const block = password && password.closest(".block, label");
      if (block && block.parentElement) block.parentElement.insertBefore(box, block.nextSibling);
      else document.body.prepend(box);
    }
    return box;
  };

  const show = (detail, seconds) => {
    const box = notice();
    clearInterval(timer);
    let left = seconds;
    const draw = () => {
      box.textContent = left > 0
        ? `${detail.replace(/Try again in \d+ s\.?/, "").trim()} Try again in ${left} s.`
        : "Logins are accepted again: try once more.";
    };
    draw();
    if (left > 0) {
      timer = setInterval(() => {
        left -= 1;
        draw();
        if (left <= 0) clearInterval(timer);
      }, 1000);
    }
  };

  window.fetch = async (...args) => {
    const response = await plainFetch(...args);
    try {
      const target = args[0] instanceof Request ? args[0].url : String(args[0]);
      if (response.status === 429 && /\/login\/?$/.test(new URL(target, location.href).pathname)) {
        const body = await response.clone().json().catch(() => ({}));
        const seconds = parseInt(response.headers.get("retry-after") || "0", 10) || 0;
        show(body.detail || "Logins are paused after too many failed attempts.", seconds);
      } else if (response.ok && /\/login\/?$/.test(new URL(target, location.href).pathname)) {
        clearInterval(timer);
      }
    } catch (error) {
      // the notice is a help; never let it break the login itself
    }
    return response;
  };
})();
