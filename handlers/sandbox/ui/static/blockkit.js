/* Block Kit and mrkdwn, rendered the way Slack shows them, for the Badgebot sandbox.
 *
 * BlockKit.render(blocks, ctx) returns a DocumentFragment. ctx:
 *   users     {U123: "Ana Souza"}          names for <@U123> mentions
 *   channels  {C123: "badge-reviews"}      names for <#C123> links
 *   surface   "message" | "modal" | "home"
 *   onAction  function({action_id, block_id, type, value}) -> Promise   clicks and choices
 *   inputs    []                           input blocks register {block_id, action_id, get(), ...} here
 *   errors    {block_id: "message"}        errors from a view_submission ack
 * A block or element this file does not know is shown as a visible "unsupported" placeholder
 * (class bk-unsupported); a renderer that throws is shown as bk-error and logged to the console.
 * Nothing here uses innerHTML except with text that mrkdwn() has escaped.
 */
(function (global) {
  "use strict";

  const EMOJI = {
    "+1": "👍", "-1": "👎", "100": "💯", "1234": "🔢", "alarm_clock": "⏰", "arrow_down": "⬇️",
    "arrow_left": "⬅️", "arrow_right": "➡️", "arrow_up": "⬆️", "arrows_counterclockwise": "🔄",
    "art": "🎨", "bar_chart": "📊", "bell": "🔔", "bike": "🚲", "book": "📖", "bookmark": "🔖", "books": "📚",
    "bow": "🙇", "brain": "🧠", "briefcase": "💼", "bulb": "💡", "bust_in_silhouette": "👤",
    "busts_in_silhouette": "👥", "calendar": "📆", "camera": "📷", "card_index": "📇", "chart_with_upwards_trend": "📈",
    "chart_with_downwards_trend": "📉", "clap": "👏", "clipboard": "📋", "clock1": "🕐", "clock3": "🕒",
    "closed_lock_with_key": "🔐", "coffee": "☕", "computer": "💻", "confetti_ball": "🎊", "construction": "🚧",
    "crown": "👑", "date": "📅", "dart": "🎯", "door": "🚪", "email": "📧", "envelope": "✉️",
    "envelope_with_arrow": "📩", "exclamation": "❗", "eyes": "👀", "face_with_monocle": "🧐", "fire": "🔥",
    "first_place_medal": "🥇", "flag-us": "🇺🇸", "gear": "⚙️", "gift": "🎁", "globe_with_meridians": "🌐",
    "grey_question": "❔", "grinning": "😀", "handshake": "🤝", "heart": "❤️", "heavy_check_mark": "✔️",
    "heavy_minus_sign": "➖", "heavy_plus_sign": "➕", "hourglass": "⌛", "hourglass_flowing_sand": "⏳",
    "hugging_face": "🤗", "inbox_tray": "📥", "information_source": "ℹ️", "key": "🔑", "label": "🏷️",
    "large_blue_circle": "🔵", "large_green_circle": "🟢", "large_orange_circle": "🟠", "large_yellow_circle": "🟡",
    "leftwards_arrow_with_hook": "↩️", "link": "🔗", "lock": "🔒", "loudspeaker": "📢", "mag": "🔍",
    "mag_right": "🔎", "mailbox": "📫", "mailbox_with_mail": "📬", "medal": "🏅", "memo": "📝", "microphone": "🎤",
    "mortar_board": "🎓", "muscle": "💪", "new": "🆕", "no_entry": "⛔", "no_entry_sign": "🚫",
    "office": "🏢", "ok": "🆗", "ok_hand": "👌", "open_file_folder": "📂", "outbox_tray": "📤",
    "page_facing_up": "📄", "page_with_curl": "📃", "paperclip": "📎", "partying_face": "🥳", "pencil": "📝",
    "pencil2": "✏️", "phone": "☎️", "pin": "📌", "point_down": "👇", "point_right": "👉", "pushpin": "📌",
    "question": "❓", "raised_hands": "🙌", "red_circle": "🔴", "repeat": "🔁", "rocket": "🚀",
    "rotating_light": "🚨", "round_pushpin": "📍", "school": "🏫", "scroll": "📜", "second_place_medal": "🥈",
    "seedling": "🌱", "shield": "🛡️", "simple_smile": "🙂", "slightly_smiling_face": "🙂", "smile": "😄",
    "smiley": "😃", "sparkles": "✨", "speech_balloon": "💬", "spiral_calendar_pad": "🗓️", "sports_medal": "🏅",
    "star": "⭐", "star2": "🌟", "stopwatch": "⏱️", "sunglasses": "😎", "tada": "🎉", "thinking_face": "🤔",
    "third_place_medal": "🥉", "thumbsdown": "👎", "thumbsup": "👍", "ticket": "🎫", "admission_tickets": "🎟️",
    "timer_clock": "⏲️", "trophy": "🏆", "unlock": "🔓", "warning": "⚠️", "wave": "👋", "white_check_mark": "✅", "white_circle": "⚪", "printer": "🖨️", "wastebasket": "🗑️", "white_small_square": "▫️",
    "wink": "😉", "wrench": "🔧", "x": "❌", "zap": "⚡", "zzz": "💤", "qr_code": "🔳", "iphone": "📱",
    "hammer_and_wrench": "🛠️", "writing_hand": "✍️", "handwave": "👋", "calling": "📲", "spiral_note_pad": "🗒️",
  };
  const SAFE_URL = /^(https?:|mailto:|\/(?!\/))/i;
  const NUL = "\u0000";

  // -- small DOM helpers --------------------------------------------------------------------------

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key === "html") el.innerHTML = value; // only with escaped text (see mrkdwn)
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(el.dataset, value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  // A file's size, honestly: "20 bytes", "1.4 KB", "14 KB", "2.5 MB" (1 KB = 1024 bytes), never "1 KB" for
  // a file of a few bytes.
  function fileSize(bytes) {
    let n = Number(bytes);
    if (!Number.isFinite(n) || n < 0) return "";
    if (n < 1024) return `${n} ${n === 1 ? "byte" : "bytes"}`;
    const units = ["KB", "MB", "GB"];
    let unit = 0;
    n /= 1024;
    while (n >= 1024 && unit < units.length - 1) { n /= 1024; unit++; }
    return `${n < 10 ? Math.round(n * 10) / 10 : Math.round(n)} ${units[unit]}`;
  }

  function escapeHtml(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function decodeSlack(s) {
    return String(s).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function emojiHtml(name) {
    const found = EMOJI[name];
    if (found) return `<span class="emoji" title=":${escapeHtml(name)}:">${found}</span>`;
    // Not every :word: is an emoji (times like 10:30:45); flag only names with a letter in them.
    if (/[a-z]/.test(name)) return `<span class="emoji-unknown" title="emoji not in the sandbox's set">:${escapeHtml(name)}:</span>`;
    return `:${escapeHtml(name)}:`;
  }

  function withEmoji(escaped) {
    return escaped.replace(/:([a-z0-9_+\-']+):/g, (all, name) => emojiHtml(name));
  }

  // -- mrkdwn -------------------------------------------------------------------------------------

  function linkHtml(url, labelHtml) {
    const href = decodeSlack(url);
    if (!SAFE_URL.test(href)) return `<span class="mk-link-unsafe">${labelHtml}</span>`;
    return `<a class="mk-link" href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${labelHtml}</a>`;
  }

  function control(inner, ctx) {
    const bar = inner.indexOf("|");
    const target = bar >= 0 ? inner.slice(0, bar) : inner;
    const label = bar >= 0 ? inner.slice(bar + 1) : "";
    const users = (ctx && ctx.users) || {};
    const channels = (ctx && ctx.channels) || {};
    if (/^@[UWB][A-Z0-9]+$/.test(target)) {
      const id = target.slice(1);
      const name = users[id] || decodeSlack(label) || id;
      return `<span class="mention" data-user="${escapeHtml(id)}">@${escapeHtml(name)}</span>`;
    }
    if (/^#[CGD][A-Z0-9]+$/.test(target)) {
      const id = target.slice(1);
      return `<span class="mention channel">#${escapeHtml(channels[id] || decodeSlack(label) || id)}</span>`;
    }
    if (target.startsWith("!subteam^")) {
      return `<span class="mention">${escapeHtml(decodeSlack(label) || "@group")}</span>`;
    }
    if (target.startsWith("!date^")) {
      return escapeHtml(decodeSlack(label || target.split("^").pop()));
    }
    if (target.startsWith("!")) {
      return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
    }
    const text = label ? withEmoji(escapeHtml(decodeSlack(label))) : escapeHtml(decodeSlack(target));
    return linkHtml(target, text);
  }

  function mrkdwn(text, ctx) {
    const tokens = [];
    const keep = (html) => { tokens.push(html); return NUL + (tokens.length - 1) + NUL; };
    let s = String(text === undefined || text === null ? "" : text).replace(/\u0000/g, "");
    s = s.replace(/<([^<>\n]+)>/g, (all, inner) => keep(control(inner, ctx)));
    s = escapeHtml(decodeSlack(s));
    s = s.replace(/```\n?([\s\S]*?)```/g, (all, code) => keep(`<pre class="mk-pre">${code}</pre>`));
    s = s.replace(/`([^`\n]+)`/g, (all, code) => keep(`<code class="mk-code">${code}</code>`));
    s = s.replace(/\bhttps?:\/\/[^\s<>"'\u0000]+[^\s<>"'\u0000.,;:!?)\]]/g, (url) => keep(linkHtml(url, url)));
    s = s.replace(/(^|[^\w*])\*(?!\s)([^*\n]*?[^\s*])\*(?![\w*])/g, "$1<b>$2</b>");
    s = s.replace(/(^|[^\w_])_(?!\s)([^_\n]*?[^\s_])_(?![\w_])/g, "$1<i>$2</i>");
    s = s.replace(/(^|[^\w~])~(?!\s)([^~\n]*?[^\s~])~(?![\w~])/g, "$1<s>$2</s>");
    s = withEmoji(s);
    s = quoteLines(s);
    let previous;
    do {
      previous = s;
      s = s.replace(/\u0000(\d+)\u0000/g, (all, i) => tokens[Number(i)]);
    } while (s !== previous);
    return s;
  }

  function quoteLines(s) {
    const quoteAll = s.indexOf("&gt;&gt;&gt;");
    if (quoteAll >= 0 && (quoteAll === 0 || s[quoteAll - 1] === "\n")) {
      const before = s.slice(0, quoteAll);
      const rest = s.slice(quoteAll + 12).replace(/^\s/, "");
      return quoteLines(before) + `<blockquote class="mk-quote">${rest.split("\n").join("<br>")}</blockquote>`;
    }
    const out = [];
    let quote = null;
    for (const line of s.split("\n")) {
      if (line.startsWith("&gt;")) {
        (quote = quote || []).push(line.replace(/^&gt; ?/, ""));
        continue;
      }
      if (quote) { out.push(`<blockquote class="mk-quote">${quote.join("<br>")}</blockquote>`); quote = null; }
      out.push(line + "\n");
    }
    if (quote) out.push(`<blockquote class="mk-quote">${quote.join("<br>")}</blockquote>`);
    return out.join("").replace(/\n$/, "").replace(/\n/g, "<br>");
  }

  function plainHtml(text, emoji) {
    const escaped = escapeHtml(text === undefined || text === null ? "" : text);
    return emoji === false ? escaped : withEmoji(escaped);
  }

  /** A text object (plain_text or mrkdwn) as an element. */
  function textObject(obj, ctx, tag) {
    if (obj === undefined || obj === null) return h(tag || "span", {});
    if (typeof obj === "string") return h(tag || "span", { class: "mk", html: mrkdwn(obj, ctx) });
    if (obj.type === "mrkdwn") return h(tag || "span", { class: "mk", html: mrkdwn(obj.text, ctx) });
    if (obj.type === "plain_text") return h(tag || "span", { class: "pt", html: plainHtml(obj.text, obj.emoji) });
    return unsupported("text object", obj.type);
  }

  function plainText(obj) {
    if (!obj) return "";
    return typeof obj === "string" ? obj : String(obj.text || "");
  }

  function unsupported(kind, type) {
    return h("div", { class: "bk-unsupported", text: `Unsupported ${kind}: ${type}` });
  }

  // -- blocks -------------------------------------------------------------------------------------

  const BLOCKS = {
    header(block, ctx) {
      return h("div", { class: "bk-header" }, textObject(block.text, ctx));
    },
    section(block, ctx) {
      const body = h("div", { class: "bk-section-body" });
      if (block.text) body.append(textObject(block.text, ctx, "div"));
      if (Array.isArray(block.fields) && block.fields.length) {
        body.append(h("div", { class: "bk-fields" }, block.fields.map((f) => textObject(f, ctx, "div"))));
      }
      const el = h("div", { class: "bk-section" }, body);
      if (block.accessory) el.append(h("div", { class: "bk-accessory" }, element(block.accessory, block, ctx, "accessory")));
      return el;
    },
    context(block, ctx) {
      return h("div", { class: "bk-context" }, (block.elements || []).map((e) =>
        e.type === "image" ? image(e.image_url, e.alt_text, "bk-context-image") : textObject(e, ctx, "span")));
    },
    divider() {
      return h("hr", { class: "bk-divider" });
    },
    image(block, ctx) {
      return h("figure", { class: "bk-image" },
        block.title ? h("figcaption", {}, textObject(block.title, ctx)) : null,
        image(block.image_url || (block.slack_file && block.slack_file.url), block.alt_text, "bk-image-img"));
    },
    actions(block, ctx) {
      return h("div", { class: "bk-actions" }, (block.elements || []).map((e) => element(e, block, ctx, "actions")));
    },
    input(block, ctx) {
      const error = (ctx.errors || {})[block.block_id];
      const el = element(block.element || {}, block, ctx, "input");
      return h("div", { class: "bk-input" + (error ? " has-error" : ""), dataset: { blockId: block.block_id || "" } },
        h("label", { class: "bk-input-label" }, textObject(block.label, ctx),
          block.optional ? h("span", { class: "bk-optional", text: " (optional)" }) : null),
        el,
        block.hint ? h("div", { class: "bk-hint" }, textObject(block.hint, ctx)) : null,
        error ? h("div", { class: "bk-input-error", text: error }) : null);
    },
    rich_text(block, ctx) {
      return h("div", { class: "bk-rich-text" }, (block.elements || []).map((e) => richElement(e, ctx)));
    },
    markdown(block, ctx) {
      return h("div", { class: "bk-markdown mk", html: mrkdwn(String(block.text || "").replace(/\*\*/g, "*"), ctx) });
    },
    video(block, ctx) {
      const url = block.title_url || block.video_url || "";
      return h("div", { class: "bk-video" }, h("span", { class: "emoji", text: "🎬" }), " ",
        SAFE_URL.test(url) ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, textObject(block.title, ctx))
          : textObject(block.title, ctx));
    },
    file(block) {
      return h("div", { class: "bk-file-block", text: `📄 Remote file ${block.external_id || ""}` });
    },
  };

  function richElement(e, ctx) {
    const inline = (items) => (items || []).map((item) => {
      if (item.type === "text") {
        const style = item.style || {};
        let el = h("span", { html: plainHtml(item.text, true) });
        if (style.code) el = h("code", { class: "mk-code" }, el);
        if (style.bold) el = h("b", {}, el);
        if (style.italic) el = h("i", {}, el);
        if (style.strike) el = h("s", {}, el);
        return el;
      }
      if (item.type === "link") return h("span", { html: linkHtml(item.url, escapeHtml(item.text || item.url)) });
      if (item.type === "user") return h("span", { html: control("@" + item.user_id, ctx) });
      if (item.type === "channel") return h("span", { html: control("#" + item.channel_id, ctx) });
      if (item.type === "emoji") return h("span", { html: emojiHtml(item.name) });
      if (item.type === "broadcast") return h("span", { class: "mention", text: "@" + item.range });
      return unsupported("rich text element", item.type);
    });
    if (e.type === "rich_text_section") return h("div", {}, inline(e.elements));
    if (e.type === "rich_text_preformatted") return h("pre", { class: "mk-pre" }, inline(e.elements));
    if (e.type === "rich_text_quote") return h("blockquote", { class: "mk-quote" }, inline(e.elements));
    if (e.type === "rich_text_list") {
      return h(e.style === "ordered" ? "ol" : "ul", {}, (e.elements || []).map((s) => h("li", {}, inline(s.elements))));
    }
    return unsupported("rich text element", e.type);
  }

  function image(url, alt, cls) {
    const src = String(url || "");
    const local = src.startsWith("/") && !src.startsWith("//");
    const sameOrigin = src.startsWith(global.location.origin + "/");
    if (local || sameOrigin || src.startsWith("data:image/")) {
      return h("img", { class: cls, src, alt: alt || "", loading: "lazy" });
    }
    // The sandbox stays off the internet, in the browser too: a remote image is named, not fetched.
    return h("span", { class: cls + " bk-image-remote", title: src, text: `🖼 ${alt || "image"}` });
  }

  // -- elements -----------------------------------------------------------------------------------

  function fire(ctx, block, e, value) {
    if (!ctx.onAction) return Promise.resolve();
    return Promise.resolve(ctx.onAction({
      action_id: e.action_id, block_id: block.block_id || null, type: e.type, value, element: e,
    }));
  }

  function optionsOf(e) {
    const options = [...(e.options || [])];
    for (const group of e.option_groups || []) options.push(...(group.options || []));
    return options;
  }

  function selectBox(e, ctx, multiple, choices) {
    const select = h("select", { class: "bk-select", multiple });
    if (!multiple) {
      select.append(h("option", { value: "", disabled: true, selected: true, text: plainText(e.placeholder) || "Select an item" }));
    }
    const initial = new Set([
      ...(e.initial_option ? [e.initial_option.value] : []),
      ...((e.initial_options || []).map((o) => o.value)),
      ...(e.initial_user ? [e.initial_user] : []), ...(e.initial_users || []),
      ...(e.initial_conversation ? [e.initial_conversation] : []), ...(e.initial_channel ? [e.initial_channel] : []),
    ]);
    const add = (parent, value, label) => parent.append(h("option", { value, selected: initial.has(value), text: label }));
    if (choices) {
      for (const [value, label] of choices) add(select, value, label);
    } else if (e.option_groups) {
      for (const group of e.option_groups) {
        const g = h("optgroup", { label: plainText(group.label) });
        for (const o of group.options || []) add(g, o.value, plainText(o.text));
        select.append(g);
      }
    } else {
      for (const o of e.options || []) add(select, o.value, plainText(o.text));
    }
    return select;
  }

  function choiceList(e, ctx, kind) {
    const name = `${kind}-${e.action_id}-${Math.random().toString(36).slice(2)}`;
    const initial = new Set([...(e.initial_option ? [e.initial_option.value] : []),
      ...((e.initial_options || []).map((o) => o.value))]);
    return h("div", { class: `bk-${kind}` }, (e.options || []).map((o) => h("label", { class: "bk-choice" },
      h("input", { type: kind === "checkboxes" ? "checkbox" : "radio", name, value: o.value, checked: initial.has(o.value) }),
      h("span", {}, textObject(o.text, ctx), o.description ? h("div", { class: "bk-choice-description" }, textObject(o.description, ctx)) : null))));
  }

  function textInput(e, kind) {
    const props = { class: "bk-text-input", placeholder: plainText(e.placeholder) || null,
      maxlength: e.max_length || null, minlength: e.min_length || null };
    if (kind === "plain_text_input" && e.multiline) {
      const area = h("textarea", { ...props, rows: 4 });
      area.value = e.initial_value || "";
      return area;
    }
    const type = { url_text_input: "url", email_text_input: "email", number_input: "number" }[kind] || "text";
    const input = h("input", { ...props, type });
    input.value = e.initial_value || "";
    return input;
  }

  function fileInput(e) {
    const max = Number(e.max_files || 10);
    const accept = (e.filetypes || []).map((t) => "." + String(t).replace(/^\./, "")).join(",") || null;
    const input = h("input", { type: "file", class: "bk-file-input", multiple: max > 1, accept });
    const list = h("ul", { class: "bk-file-list" });
    const zone = h("label", { class: "bk-file-zone" }, input,
      h("span", { class: "bk-file-cta" }, h("span", { class: "bk-file-icon", text: "⬆" }), " Drag and drop or ",
        h("span", { class: "bk-file-browse", text: "click to upload" })),
      h("span", { class: "bk-file-limit", text: `Up to ${max} file${max === 1 ? "" : "s"}` + (accept ? ` (${accept})` : "") }));
    input.addEventListener("change", () => {
      list.replaceChildren(...[...input.files].map((f) => h("li", {}, h("span", { class: "emoji", text: "📄" }), ` ${f.name} `,
        h("span", { class: "bk-file-size", text: fileSize(f.size) }))));
    });
    zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("dragging"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
    zone.addEventListener("drop", (ev) => {
      ev.preventDefault();
      zone.classList.remove("dragging");
      input.files = ev.dataTransfer.files;
      input.dispatchEvent(new Event("change"));
    });
    return { el: h("div", { class: "bk-file" }, zone, list), input, max };
  }

  /** An element in an actions block, a section's accessory, or an input block. */
  function element(e, block, ctx, where) {
    const type = e.type;
    const interactive = where !== "input" || block.dispatch_action;
    const register = (get, extra) => {
      if (where === "input" && ctx.inputs) {
        ctx.inputs.push({ block_id: block.block_id, action_id: e.action_id, type, optional: !!block.optional,
          label: plainText(block.label), get, ...(extra || {}) });
      }
    };
    if (type === "button") {
      const button = h("button", { class: `bk-button${e.style ? " bk-" + e.style : ""}`, type: "button",
        dataset: { actionId: e.action_id || "" } }, textObject(e.text, ctx));
      button.addEventListener("click", async () => {
        if (e.confirm && !(await confirmDialog(e.confirm, ctx))) return;
        if (e.url && SAFE_URL.test(e.url)) global.open(e.url, "_blank", "noopener");
        button.disabled = true;
        try { await fire(ctx, block, e, e.value === undefined ? null : e.value); } finally { button.disabled = false; }
      });
      return button;
    }
    if (type === "image") return image(e.image_url, e.alt_text, "bk-accessory-image");
    if (["plain_text_input", "url_text_input", "email_text_input", "number_input", "rich_text_input"].includes(type)) {
      const input = textInput(e, type === "rich_text_input" ? "plain_text_input" : type);
      register(() => (input.value.trim() === "" ? null : input.value), { min_length: e.min_length, max_length: e.max_length, el: input });
      if (interactive) input.addEventListener("change", () => fire(ctx, block, e, input.value));
      return input;
    }
    if (type === "file_input") {
      const file = fileInput(e);
      register(() => [...file.input.files], { files: true, max_files: file.max, el: file.input });
      return file.el;
    }
    if (["static_select", "external_select", "multi_static_select", "multi_external_select"].includes(type)) {
      const multiple = type.startsWith("multi_");
      const select = selectBox(e, ctx, multiple);
      const get = () => (multiple ? [...select.selectedOptions].map((o) => o.value) : (select.value || null));
      register(get, { el: select });
      if (interactive) select.addEventListener("change", () => fire(ctx, block, e, get()));
      return select;
    }
    if (["users_select", "multi_users_select", "conversations_select", "multi_conversations_select",
      "channels_select", "multi_channels_select"].includes(type)) {
      const multiple = type.startsWith("multi_");
      const source = type.includes("users") ? ctx.users || {} : ctx.channels || {};
      const select = selectBox(e, ctx, multiple, Object.entries(source));
      const get = () => (multiple ? [...select.selectedOptions].map((o) => o.value) : (select.value || null));
      register(get, { el: select });
      if (interactive) select.addEventListener("change", () => fire(ctx, block, e, get()));
      return select;
    }
    if (type === "checkboxes" || type === "radio_buttons") {
      const list = choiceList(e, ctx, type);
      const get = () => {
        const picked = [...list.querySelectorAll("input:checked")].map((i) => i.value);
        return type === "checkboxes" ? picked : (picked[0] || null);
      };
      register(get, { el: list });
      if (interactive) list.addEventListener("change", () => fire(ctx, block, e, get()));
      return list;
    }
    if (type === "datepicker" || type === "timepicker") {
      const input = h("input", { type: type === "datepicker" ? "date" : "time", class: "bk-text-input" });
      input.value = e.initial_date || e.initial_time || "";
      const get = () => input.value || null;
      register(get, { el: input });
      if (interactive) input.addEventListener("change", () => fire(ctx, block, e, get()));
      return input;
    }
    if (type === "overflow") {
      const menu = h("div", { class: "bk-overflow-menu", hidden: true }, optionsOf(e).map((o) => {
        const item = h("button", { type: "button", class: "bk-overflow-item" }, textObject(o.text, ctx));
        item.addEventListener("click", async () => {
          menu.hidden = true;
          if (e.confirm && !(await confirmDialog(e.confirm, ctx))) return;
          if (o.url && SAFE_URL.test(o.url)) global.open(o.url, "_blank", "noopener");
          fire(ctx, block, e, o.value);
        });
        return item;
      }));
      const toggle = h("button", { type: "button", class: "bk-overflow", title: "More actions", text: "⋯" });
      toggle.addEventListener("click", () => { menu.hidden = !menu.hidden; });
      return h("span", { class: "bk-overflow-wrap" }, toggle, menu);
    }
    return unsupported("element", type);
  }

  // -- confirm dialogs ----------------------------------------------------------------------------

  /** Slack's confirmation dialog for a button with `confirm`; resolves true when confirmed. */
  function confirmDialog(confirm, ctx) {
    return new Promise((resolve) => {
      const close = (answer) => { overlay.remove(); resolve(answer); };
      const yes = h("button", { type: "button", class: `bk-button ${confirm.style === "danger" ? "bk-danger" : "bk-primary"}`,
        dataset: { confirm: "yes" } }, textObject(confirm.confirm || { type: "plain_text", text: "Yes" }, ctx));
      const no = h("button", { type: "button", class: "bk-button", dataset: { confirm: "no" } },
        textObject(confirm.deny || { type: "plain_text", text: "Cancel" }, ctx));
      yes.addEventListener("click", () => close(true));
      no.addEventListener("click", () => close(false));
      const overlay = h("div", { class: "overlay confirm-overlay", role: "dialog", "aria-modal": "true" },
        h("div", { class: "dialog confirm-dialog" },
          h("div", { class: "dialog-header" }, h("h2", {}, textObject(confirm.title || { type: "plain_text", text: "Are you sure?" }, ctx))),
          h("div", { class: "dialog-body" }, textObject(confirm.text, ctx, "div")),
          h("div", { class: "dialog-footer" }, no, yes)));
      overlay.addEventListener("keydown", (ev) => { if (ev.key === "Escape") close(false); });
      document.body.append(overlay);
      yes.focus();
    });
  }

  // -- entry point --------------------------------------------------------------------------------

  function render(blocks, ctx) {
    const context = ctx || {};
    const fragment = document.createDocumentFragment();
    for (const block of blocks || []) {
      let el;
      try {
        const renderer = Object.prototype.hasOwnProperty.call(BLOCKS, block.type) ? BLOCKS[block.type] : null;
        el = renderer ? renderer(block, context) : unsupported("block", block.type);
      } catch (err) {
        console.error("Block Kit: could not render a block", block, err);
        el = h("div", { class: "bk-error", text: `Could not render a ${block && block.type} block: ${err}` });
      }
      el.classList.add("bk-block", `bk-type-${String(block.type).replace(/[^a-z_]/g, "")}`);
      fragment.append(el);
    }
    return fragment;
  }

  /** Legacy attachments: a color bar with text, fields and blocks. */
  function renderAttachments(attachments, ctx) {
    return (attachments || []).map((a) => {
      const el = h("div", { class: "bk-attachment" },
        a.pretext ? h("div", { class: "mk", html: mrkdwn(a.pretext, ctx) }) : null,
        a.title ? h("div", { class: "bk-attachment-title", text: a.title }) : null,
        a.text ? h("div", { class: "mk", html: mrkdwn(a.text, ctx) }) : null,
        (a.fields || []).map((f) => h("div", { class: "bk-attachment-field" }, h("b", { text: f.title || "" }), h("div", { class: "mk", html: mrkdwn(f.value, ctx) }))),
        a.blocks ? render(a.blocks, ctx) : null,
        a.footer ? h("div", { class: "bk-context", text: a.footer }) : null);
      if (a.color) el.style.borderLeftColor = /^#?[0-9a-f]{6}$/i.test(a.color) ? (a.color.startsWith("#") ? a.color : "#" + a.color)
        : ({ good: "#2eb67d", warning: "#ecb22e", danger: "#e01e5a" }[a.color] || "#ddd");
      return el;
    });
  }

  global.BlockKit = { render, renderAttachments, mrkdwn, textObject, plainText, confirmDialog, h, escapeHtml, fileSize, EMOJI };
})(window);
