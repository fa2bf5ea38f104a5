/* The Block Kit gallery: every distinct payload the bot produced, rendered with the sandbox's renderer.
 * When done, <div id="gallery"> carries data-rendered (items) and data-problems (unsupported blocks,
 * render errors and unknown emoji), which the browser test reads. */
(function () {
  "use strict";
  const { h, render, textObject } = window.BlockKit;

  async function start() {
    const response = await fetch("/sandbox/api/gallery", { headers: { Accept: "application/json" } });
    const data = await response.json();
    const root = document.getElementById("gallery");
    const channels = {};
    for (const item of data.items) {
      const ctx = { users: data.users, channels, surface: item.kind === "message" ? "message" : item.kind, inputs: [],
        onAction: () => undefined };
      const body = h("div", { class: "gallery-body" });
      if (item.title) body.append(h("div", { class: "gallery-view-title" }, textObject(item.title, ctx)));
      body.append(render(item.blocks, ctx));
      root.append(h("article", { class: "gallery-item", dataset: { item: item.id, kind: item.kind } },
        h("div", { class: "gallery-meta" }, h("span", { class: "gallery-kind", text: item.kind }),
          h("span", { text: item.source }), item.count > 1 ? h("span", { text: `· seen ${item.count} times` }) : null,
          item.text ? h("span", { class: "gallery-text", text: `· text: ${item.text.slice(0, 120)}` }) : null),
        body));
    }
    const problems = root.querySelectorAll(".bk-unsupported, .bk-error, .emoji-unknown").length;
    document.getElementById("gallery-summary").textContent =
      `${data.items.length} distinct payloads the bot produced` + (problems ? ` · ${problems} rendering problem(s)` : "");
    root.dataset.problems = String(problems);
    root.dataset.rendered = String(data.items.length);
  }

  window.addEventListener("DOMContentLoaded", () => {
    start().catch((err) => console.error("gallery: could not render", err));
  });
})();
