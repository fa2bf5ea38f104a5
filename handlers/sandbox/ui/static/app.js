/* The Badgebot sandbox: a small Slack client for one emulated workspace.
 *
 * It polls /sandbox/api/snapshot for what the chosen person sees (conversations, messages, a thread,
 * the App Home, the top modal) and sends what they do to /sandbox/api/..., where the sandbox turns
 * it into the signed request Slack would send to the bot. No framework, no build step.
 */
(function () {
  "use strict";
  const { h, render, renderAttachments, mrkdwn, textObject, plainText, fileSize } = window.BlockKit;
  const POLL_MS = 700;
  const ROLE_LABEL = { learner: "Learner", grantor: "Grantor", host: "Event host", admin: "Administrator" };
  const ROLE_ORDER = ["learner", "grantor", "host", "admin"];

  const params = new URLSearchParams(location.search);
  const state = {
    workspace: null,
    me: params.get("as") || localStorage.getItem("badgebot-sandbox-as") || "",
    channel: params.get("c") || "",
    tab: params.get("tab") || "home",
    thread: params.get("thread") || "",
    snapshot: null,
    rendered: {},
    modalKey: "",
    pending: { main: [], thread: [] },
    requests: { open: false, afterCall: 0, afterRequest: 0, entries: [] },
  };
  const $ = (id) => document.getElementById(id);

  // -- talking to the sandbox -----------------------------------------------------------------------

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  async function post(url, body) {
    const isForm = body instanceof FormData;
    const response = await fetch(url, {
      method: "POST",
      headers: isForm ? { "X-Sandbox": "1" } : { "X-Sandbox": "1", "Content-Type": "application/json" },
      body: isForm ? body : JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (err) { data = { ok: false, error: `HTTP ${response.status}` }; }
    if (!data.ok && !data.errors && !data.refused) {  // a refused command is said under the composer
      const status = data.status ? ` (the bot answered HTTP ${data.status})` : "";
      toast((data.error || "That did not work") + status);
    }
    setTimeout(refresh, 50);
    setTimeout(refresh, 600);
    return data;
  }

  function toast(text) {
    const el = h("div", { class: "toast-item", role: "status", text });
    $("toast").append(el);
    setTimeout(() => el.remove(), 6000);
  }

  // -- who am I ------------------------------------------------------------------------------------

  function person(id) {
    return (state.workspace.people || []).find((p) => p.id === id);
  }

  function renderPicker() {
    const select = $("who");
    select.replaceChildren();
    for (const role of ROLE_ORDER) {
      const group = h("optgroup", { label: ROLE_LABEL[role] + "s" });
      for (const p of state.workspace.people.filter((x) => x.roles[0] === role)) {
        group.append(h("option", { value: p.id, selected: p.id === state.me, text: `${p.name} · ${ROLE_LABEL[role]}` }));
      }
      if (group.children.length) select.append(group);
    }
    const me = person(state.me);
    $("persona").replaceChildren(
      avatar(state.me, me.name, "persona-avatar"),
      h("div", { class: "persona-text" },
        h("div", { class: "persona-name", text: me.name }),
        h("div", { class: "persona-roles", text: me.roles.map((r) => ROLE_LABEL[r]).join(" · ") }),
        h("div", { class: "persona-about", html: mrkdwn(me.about, ctxFor("message")) }),
        me.grants.length ? h("div", { class: "persona-grants", text: "Grants: " + me.grants.join(", ") }) : null));
  }

  function choosePerson(id) {
    if (!person(id)) return;
    state.me = id;
    state.thread = "";
    localStorage.setItem("badgebot-sandbox-as", id);
    state.rendered = {};
    state.modalKey = "";
    $("modal-root").replaceChildren();
    renderPicker();
    refresh().then(() => { if (state.tab === "home" && isDm()) openHome(); });
  }

  // -- rendering helpers -----------------------------------------------------------------------------

  function ctxFor(surface, extra) {
    return Object.assign({ users: state.workspace.users, channels: state.workspace.channels, surface }, extra || {});
  }

  function colorOf(id) {
    let hash = 0;
    for (const ch of id || "") hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    return `hsl(${hash % 360}, 45%, 42%)`;
  }

  function avatar(id, name, cls) {
    const bot = id === state.workspace.bot.id;
    const initials = bot ? "🏅" : (name || "?").replace(/^(Dr\.|Prof\.)\s+/, "").split(/\s+/).map((w) => w[0]).slice(0, 2).join("");
    const el = h("div", { class: `${cls || "avatar"}${bot ? " bot-avatar" : ""}`, text: initials, "aria-hidden": "true" });
    el.style.backgroundColor = bot ? "#4a154b" : colorOf(id);
    return el;
  }

  function timeOf(ts) {
    const date = new Date(Number(ts) * 1000);
    return date.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  }

  function isDm() {
    return state.snapshot && state.snapshot.channel === state.snapshot.dm;
  }

  function channelName(id) {
    const snap = state.snapshot;
    if (snap && id === snap.dm) return "Badgebot";
    const found = snap && snap.conversations.find((c) => c.id === id);
    return found ? found.name : id;
  }

  function messageEl(m, where) {
    const ctx = ctxFor("message", {
      onAction: (a) => post("/sandbox/api/action", { as: state.me, channel: m.channel, ts: m.ts, action_id: a.action_id,
        block_id: a.block_id, type: a.type, value: a.value }),
    });
    const content = h("div", { class: "message-content" });
    if (m.blocks && m.blocks.length) content.append(render(m.blocks, ctx));
    else if (m.text) content.append(h("div", { class: "mk", html: mrkdwn(m.text, ctx) }));
    const files = (m.files || []).map((f) => h("a", { class: "file-chip", href: f.url, target: "_blank", rel: "noopener" },
      h("span", { class: "emoji", text: (f.mimetype || "").startsWith("image/") ? "🖼" : "📄" }), ` ${f.name} `,
      h("span", { class: "file-size", text: f.size === undefined || f.size === null ? "" : fileSize(f.size) })));
    const replyButton = h("button", { type: "button", class: "hover-action", title: "Reply in thread", text: "💬 Reply" });
    replyButton.addEventListener("click", () => openThread(m.thread_ts && m.is_reply ? m.thread_ts : m.ts));
    const el = h("div", { class: `message${m.ephemeral ? " ephemeral" : ""}`, dataset: { ts: m.ts, user: m.user || "" } },
      avatar(m.user, m.name),
      h("div", { class: "message-body" },
        h("div", { class: "message-meta" },
          h("span", { class: "author", text: m.name }),
          m.is_bot ? h("span", { class: "app-tag", text: "APP" }) : null,
          h("span", { class: "time", title: m.ts, text: timeOf(m.ts) }),
          m.edited ? h("span", { class: "edited", text: "(edited)" }) : null),
        m.broadcast && where === "main" ? h("div", { class: "replied-to", text: "replied to a thread" }) : null,
        content,
        m.attachments && m.attachments.length ? h("div", { class: "attachments" }, renderAttachments(m.attachments, ctx)) : null,
        files.length ? h("div", { class: "files" }, files) : null,
        m.ephemeral ? h("div", { class: "ephemeral-note" }, h("span", { class: "emoji", text: "👁" }), " Only visible to you") : null,
        where === "main" && m.reply_count ? threadLink(m) : null),
      where === "main" && !m.ephemeral ? h("div", { class: "hover-actions" }, replyButton) : null);
    return el;
  }

  function threadLink(m) {
    const faces = (m.reply_users || []).slice(0, 3).map((u) => avatar(u, state.workspace.users[u], "reply-face"));
    const link = h("button", { type: "button", class: "replies" }, faces,
      h("span", { class: "replies-count", text: `${m.reply_count} ${m.reply_count === 1 ? "reply" : "replies"}` }),
      h("span", { class: "replies-view", text: "View thread" }));
    link.addEventListener("click", () => openThread(m.ts));
    return link;
  }

  function changed(key, value) {
    const json = JSON.stringify(value);
    if (state.rendered[key] === json) return false;
    state.rendered[key] = json;
    return true;
  }

  // -- the main column -------------------------------------------------------------------------------

  function renderSidebar(snap) {
    if (!changed("sidebar", [snap.conversations, snap.channel, state.tab, state.me])) return;
    $("channel-list").replaceChildren(...snap.conversations.map((c) => {
      const item = h("li", {}, h("button", { type: "button", class: `sidebar-item${c.id === snap.channel ? " active" : ""}`,
        dataset: { channel: c.id } }, h("span", { class: "hash", text: c.is_private ? "🔒" : "#" }), ` ${c.name}`));
      item.firstChild.addEventListener("click", () => openChannel(c.id, "messages"));
      return item;
    }));
    const app = h("li", {}, h("button", { type: "button", class: `sidebar-item${snap.channel === snap.dm ? " active" : ""}`,
      dataset: { channel: snap.dm } }, avatar(state.workspace.bot.id, "Badgebot", "sidebar-avatar"), " Badgebot"));
    app.firstChild.addEventListener("click", () => openChannel(snap.dm, state.channel === snap.dm ? state.tab : "home"));
    $("app-list").replaceChildren(app);
    const me = person(state.me);
    $("link-list").replaceChildren(...state.workspace.links
      .filter((l) => !l.roles.length || l.roles.some((r) => me.roles.includes(r)))
      .map((l) => {
        let url = l.url;
        if (l.user_param) url += (url.includes("?") ? "&" : "?") + encodeURIComponent(l.user_param) + "=" + encodeURIComponent(state.me);
        return h("li", {}, h("a", { class: "sidebar-item sidebar-link", href: url, target: "_blank", rel: "noopener", text: l.label }));
      }));
  }

  function renderHeader(snap) {
    if (!changed("header", [snap.channel, state.tab, isDm()])) return;
    const dm = isDm();
    const conversation = snap.conversations.find((c) => c.id === snap.channel);
    $("conversation-header").replaceChildren(
      dm ? avatar(state.workspace.bot.id, "Badgebot", "header-avatar") : h("span", { class: "hash", text: conversation && conversation.is_private ? "🔒" : "#" }),
      h("span", { class: "conversation-name", text: channelName(snap.channel) }),
      ...(dm ? [h("span", { class: "app-tag", text: "APP" })] : []));  // replaceChildren would print a null
    const tabs = $("tabs");
    tabs.hidden = !dm;
    if (dm) {
      tabs.replaceChildren(...[["home", "Home"], ["messages", "Messages"], ["about", "About"]].map(([tab, label]) => {
        const button = h("button", { type: "button", class: `tab${state.tab === tab ? " active" : ""}`, dataset: { tab }, text: label });
        button.addEventListener("click", () => openChannel(snap.dm, tab));
        return button;
      }));
    }
    const showMessages = !dm || state.tab === "messages";
    $("messages").hidden = !showMessages;
    $("composer").hidden = !showMessages;
    $("home").hidden = !(dm && state.tab === "home");
    $("about").hidden = !(dm && state.tab === "about");
    $("composer-input").placeholder = dm ? "Message Badgebot (try /badges)" : `Message #${channelName(snap.channel)} (try /badges)`;
  }

  function renderMessages(snap) {
    const pending = state.pending.main.filter((p) => p.channel === snap.channel);
    if (!changed("messages", [snap.channel, snap.messages, pending, state.me])) return;
    const list = $("messages");
    const items = snap.messages.map((m) => messageEl(m, "main"));
    if (!items.length) {
      items.push(h("div", { class: "empty-conversation", html: mrkdwn(isDm()
        ? "This is the very beginning of your direct messages with *Badgebot*. Type `/badges` to begin."
        : `This is the very beginning of *#${BlockKit.escapeHtml(channelName(snap.channel))}*.`, ctxFor("message")) }));
    }
    for (const p of pending) items.push(h("div", { class: "message pending" }, h("div", { class: "pending-text", text: p.text })));
    const latest = snap.messages.length ? snap.messages[snap.messages.length - 1].ts : "";
    const opened = state.rendered.scrollChannel !== snap.channel;
    list.replaceChildren(...items);
    if (opened) follow.main.toLatest();
    else follow.main.rendered(latest !== state.rendered.latest);
    state.rendered.scrollChannel = snap.channel;
    state.rendered.latest = latest;
  }

  function renderHome(snap) {
    if (!isDm() || state.tab !== "home") return;
    if (!changed("home", [snap.home && snap.home.hash, state.me])) return;
    const root = $("home");
    if (!snap.home) {
      root.replaceChildren(h("div", { class: "empty-conversation", text: "Badgebot has not published a Home tab for you yet." }));
      return;
    }
    const ctx = ctxFor("home", {
      onAction: (a) => post("/sandbox/api/action", { as: state.me, view_id: snap.home.id, action_id: a.action_id,
        block_id: a.block_id, type: a.type, value: a.value }),
    });
    root.replaceChildren(h("div", { class: "home-view", dataset: { viewId: snap.home.id } }, render(snap.home.blocks, ctx)));
  }

  function renderThread(snap) {
    const pane = $("thread");
    pane.hidden = !snap.thread;
    if (!snap.thread) { state.rendered.thread = ""; state.rendered.scrollThread = ""; return; }
    const pending = state.pending.thread.filter((p) => p.thread === snap.thread.ts);
    if (!changed("thread", [snap.thread, pending])) return;
    $("thread-title").textContent = `Thread · ${isDm() ? "Badgebot" : "#" + channelName(snap.channel)}`;
    const [parent, ...replies] = snap.thread.messages;
    const items = [];
    if (parent) items.push(messageEl(parent, "thread"));
    items.push(h("div", { class: "thread-divider", text: `${replies.filter((r) => !r.ephemeral).length} ${replies.length === 1 ? "reply" : "replies"}` }));
    items.push(...replies.map((m) => messageEl(m, "thread")));
    for (const p of pending) items.push(h("div", { class: "message pending" }, h("div", { class: "pending-text", text: p.text })));
    const latest = snap.thread.messages.length ? snap.thread.messages[snap.thread.messages.length - 1].ts : "";
    const opened = state.rendered.scrollThread !== snap.thread.ts;
    $("thread-messages").replaceChildren(...items);
    if (opened) follow.thread.toLatest();
    else follow.thread.rendered(latest !== state.rendered.threadLatest);
    state.rendered.scrollThread = snap.thread.ts;
    state.rendered.threadLatest = latest;
  }

  // -- following the conversation --------------------------------------------------------------------

  // A conversation opens at its latest message and follows new ones, as Slack does. Once the person
  // scrolls up to read, new messages leave the view where it is and a "New messages" button appears.
  // The list may be hidden when it is rendered (App Home is the DM's first tab): it is brought to the
  // latest message when it is shown (a ResizeObserver sees it get a size), and when images load.
  const NEAR_LATEST_PX = 48;
  function follower(list, jump) {
    const f = { following: true, top: 0 };
    const showJump = (shown) => { if (jump) jump.hidden = !shown; };
    f.toLatest = () => { list.scrollTop = list.scrollHeight; f.following = true; showJump(false); };
    f.rendered = (grew) => {
      if (f.following) { f.toLatest(); return; }
      list.scrollTop = f.top;
      if (grew) showJump(true);
    };
    list.addEventListener("scroll", () => {
      if (!list.clientHeight) return;  // hidden behind another tab: keep what the person last saw
      f.following = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_LATEST_PX;
      f.top = list.scrollTop;
      if (f.following) showJump(false);
    });
    new ResizeObserver(() => { if (list.clientHeight) f.rendered(false); }).observe(list);
    list.addEventListener("load", () => { if (f.following) f.toLatest(); }, true);  // an image grew the list
    if (jump) jump.addEventListener("click", f.toLatest);
    return f;
  }
  const follow = { main: follower($("messages"), $("messages-jump")), thread: follower($("thread-messages"), null) };

  // -- modals ----------------------------------------------------------------------------------------

  function renderModal(snap) {
    const modal = snap.modal;
    const key = modal ? `${modal.id}:${modal.hash}` : "";
    const root = $("modal-root");
    if (key === state.modalKey && (modal || !root.children.length)) return;
    state.modalKey = key;
    if (!modal) { root.replaceChildren(); return; }
    const inputs = [];
    const ctx = ctxFor("modal", {
      inputs,
      onAction: (a) => post("/sandbox/api/action", { as: state.me, view_id: modal.id, action_id: a.action_id,
        block_id: a.block_id, type: a.type, value: a.value }),
    });
    const body = h("div", { class: "dialog-body modal-body" }, render(modal.blocks, ctx));
    const close = h("button", { type: "button", class: "bk-button", dataset: { modal: "close" } },
      textObject(modal.close || { type: "plain_text", text: "Cancel" }, ctx));
    const x = h("button", { type: "button", class: "dialog-x", title: "Close", text: "✕" });
    const submit = modal.submit ? h("button", { type: "submit", class: "bk-button bk-primary", dataset: { modal: "submit" } },
      textObject(modal.submit, ctx)) : null;
    const form = h("form", { class: "dialog modal", dataset: { viewId: modal.id, callbackId: modal.callback_id || "" }, novalidate: true },
      h("div", { class: "dialog-header" }, h("h2", {}, textObject(modal.title, ctx)), x),
      body,
      h("div", { class: "dialog-footer" }, close, submit));
    const dismiss = () => { post("/sandbox/api/view/close", { as: state.me, view_id: modal.id }); root.replaceChildren(); state.modalKey = ""; };
    close.addEventListener("click", dismiss);
    x.addEventListener("click", dismiss);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); submitModal(modal, inputs, form, submit); });
    root.replaceChildren(h("div", { class: "overlay modal-overlay", role: "dialog", "aria-modal": "true" }, form));
    const first = form.querySelector("input:not([type=file]), textarea, select");
    if (first) first.focus();
  }

  function showInputError(form, blockId, message) {
    const block = form.querySelector(`.bk-input[data-block-id="${CSS.escape(blockId)}"]`);
    if (!block) { toast(message); return; }
    block.classList.add("has-error");
    block.append(h("div", { class: "bk-input-error", text: message }));
  }

  async function submitModal(modal, inputs, form, button) {
    form.querySelectorAll(".bk-input-error").forEach((e) => e.remove());
    form.querySelectorAll(".has-error").forEach((e) => e.classList.remove("has-error"));
    const values = {};
    const data = new FormData();
    let problems = 0;
    for (const input of inputs) {
      const value = input.get();
      const empty = value === null || (Array.isArray(value) && value.length === 0);
      if (empty && !input.optional) { showInputError(form, input.block_id, "Please complete this required field."); problems++; continue; }
      if (input.files) {
        if (value.length > input.max_files) { showInputError(form, input.block_id, `You can upload up to ${input.max_files} files.`); problems++; continue; }
        for (const file of value) data.append(`files:${input.block_id}:${input.action_id}`, file, file.name);
        continue;
      }
      if (typeof value === "string" && input.min_length && value.length < input.min_length) {
        showInputError(form, input.block_id, `Please enter at least ${input.min_length} characters.`); problems++; continue;
      }
      (values[input.block_id] = values[input.block_id] || {})[input.action_id] = value;
    }
    if (problems) return;
    data.append("as", state.me);
    data.append("view_id", modal.id);
    data.append("values", JSON.stringify(values));
    if (button) { button.disabled = true; button.classList.add("busy"); }
    const answer = await post("/sandbox/api/view/submit", data);
    if (button) { button.disabled = false; button.classList.remove("busy"); }
    if (answer.errors) {
      for (const [blockId, message] of Object.entries(answer.errors)) showInputError(form, blockId, message);
      return;
    }
    if (answer.ok) {
      state.modalKey = "";
      await refresh();
    }
  }

  // -- navigation ------------------------------------------------------------------------------------

  function syncUrl() {
    const query = new URLSearchParams({ as: state.me });
    if (state.channel) query.set("c", state.channel);
    query.set("tab", state.tab);
    if (state.thread) query.set("thread", state.thread);
    history.replaceState(null, "", `?${query}`);
  }

  // The sidebar folds away (the ☰ button). It starts folded on a narrow screen, where it opens over the
  // conversation and folds again once a conversation is picked (or the dimmed conversation is tapped).
  const NARROW = window.matchMedia("(max-width: 760px)");
  function showSidebar(shown) {
    document.body.classList.toggle("sidebar-collapsed", !shown);
    $("sidebar-toggle").setAttribute("aria-expanded", String(shown));
  }

  function openChannel(channel, tab) {
    if (NARROW.matches) showSidebar(false);
    const switched = channel !== state.channel;
    state.channel = channel;
    state.tab = tab || "messages";
    if (switched) state.thread = "";
    syncUrl();
    refresh().then(() => { if (isDm() && state.tab === "home") openHome(); });
  }

  function openHome() {
    // Slack sends app_home_opened each time the tab is opened; the bot republishes the view.
    post("/sandbox/api/home", { as: state.me });
  }

  function openThread(ts) {
    state.thread = ts;
    syncUrl();
    refresh().then(() => { const input = $("thread-input"); if (input) input.focus(); });
  }

  // -- composing -------------------------------------------------------------------------------------

  async function send(text, files, thread) {
    const line = text.trim();
    const channel = state.snapshot.channel;
    $("composer-note").textContent = "";  // a refused command's note lasts until the next message
    (thread ? follow.thread : follow.main).toLatest();  // what you send, you see (Slack scrolls to it too)
    if (text.startsWith("/")) {  // " /x" is a message: Slack's advice for one that starts with a slash
      const answer = await post("/sandbox/api/command", { as: state.me, channel, text: line });
      if (!answer.ok) $("composer-note").textContent = answer.refused || answer.error || "";
      return;
    }
    const data = new FormData();
    data.append("as", state.me);
    data.append("channel", channel);
    data.append("text", line);
    if (thread) data.append("thread_ts", thread);
    for (const file of files) data.append("files", file, file.name);
    const bucket = thread ? state.pending.thread : state.pending.main;
    const entry = { channel, thread, text: line || files.map((f) => f.name).join(", ") };
    bucket.push(entry);
    try { await post("/sandbox/api/message", data); } finally { bucket.splice(bucket.indexOf(entry), 1); }
  }

  function wireComposer(formId, inputId, fileId, chipsId, threadOf) {
    const form = $(formId), input = $(inputId), fileInput = $(fileId), chips = $(chipsId);
    const showChips = () => chips.replaceChildren(...[...fileInput.files].map((f) => h("span", { class: "file-chip", text: `📄 ${f.name}` })));
    fileInput.addEventListener("change", showChips);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const text = input.value;
      const files = [...fileInput.files];
      if (!text.trim() && !files.length) return;
      input.value = "";
      fileInput.value = "";
      showChips();
      await send(text, files, threadOf());
    });
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); form.requestSubmit(); }
    });
  }

  // -- the Requests panel ----------------------------------------------------------------------------

  function requestEntry(entry) {
    const json = (value) => h("pre", { class: "req-json", text: typeof value === "string" ? value : JSON.stringify(value, null, 2) });
    const when = new Date(entry.at * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    if (entry.source === "bot") {
      const ok = entry.status >= 200 && entry.status < 300;
      return h("details", { class: `req req-in${ok ? "" : " req-failed"}`, dataset: { search: `${entry.kind} ${entry.summary} ${entry.user}`.toLowerCase() } },
        h("summary", {}, h("span", { class: "req-time", text: when }), h("span", { class: "req-dir", text: "Slack → bot" }),
          h("span", { class: "req-name", text: `POST /slack/events · ${entry.kind} · ${entry.summary}` }),
          h("span", { class: "req-who", text: state.workspace.users[entry.user] || entry.user }),
          h("span", { class: `req-status${ok ? "" : " bad"}`, text: `HTTP ${entry.status} · ${entry.elapsed_ms} ms` })),
        h("div", { class: "req-detail" }, h("h4", { text: "Request (signed)" }), json(entry.payload),
          h("h4", { text: "The bot's answer (ack)" }), json(entry.response === "" ? "(empty body)" : entry.response)));
    }
    const error = entry.response && entry.response.error;
    return h("details", { class: `req req-out${entry.ok ? "" : " req-failed"}`, dataset: { search: `${entry.method} ${error || ""}`.toLowerCase() } },
      h("summary", {}, h("span", { class: "req-time", text: when }), h("span", { class: "req-dir out", text: "bot → Web API" }),
        h("span", { class: "req-name", text: entry.method }),
        h("span", { class: `req-status${entry.ok ? "" : " bad"}`, text: entry.ok ? "ok" : (error || `HTTP ${entry.status}`) })),
      h("div", { class: "req-detail" }, h("h4", { text: "Params" }), json(entry.params), h("h4", { text: "Response" }), json(entry.response)));
  }

  async function refreshRequests() {
    const r = state.requests;
    const data = await getJson(`/sandbox/api/requests?after_call=${r.afterCall}&after_request=${r.afterRequest}`);
    r.afterCall = data.call_count;
    r.afterRequest = data.request_id;
    const fresh = [...data.calls.map((c) => Object.assign(c, { source: "api" })), ...data.requests.map((q) => Object.assign(q, { source: "bot" }))]
      .sort((a, b) => a.at - b.at);
    if (!fresh.length) return;
    const list = $("requests-list");
    for (const entry of fresh) list.prepend(requestEntry(entry));
    while (list.children.length > 600) list.lastChild.remove();
    applyRequestFilter();
  }

  function applyRequestFilter() {
    const words = $("requests-filter").value.trim().toLowerCase();
    for (const row of $("requests-list").children) row.hidden = !!words && !row.dataset.search.includes(words);
  }

  // -- the loop --------------------------------------------------------------------------------------

  // One snapshot request at a time. A refresh asked for while one is in flight runs after it, and a
  // snapshot asked for another person, conversation or thread than the one shown now is dropped: a
  // click on a channel during a poll must not be undone by that poll's answer.
  let refreshing = null;
  let queued = null;
  function refresh() {
    if (refreshing) {
      if (!queued) queued = refreshing.then(() => { queued = null; return refresh(); });
      return queued;
    }
    refreshing = refreshOnce().finally(() => { refreshing = null; });
    return refreshing;
  }

  async function refreshOnce() {
    const asked = { me: state.me, channel: state.channel, thread: state.thread };
    try {
      const query = new URLSearchParams({ as: asked.me });
      if (asked.channel) query.set("channel", asked.channel);
      if (asked.thread) query.set("thread", asked.thread);
      const snap = await getJson(`/sandbox/api/snapshot?${query}`);
      if (snap.me !== state.me || state.channel !== asked.channel || state.thread !== asked.thread) return;
      state.snapshot = snap;
      if (state.channel !== snap.channel) { state.channel = snap.channel; syncUrl(); }
      if (state.thread && !snap.thread) { state.thread = ""; syncUrl(); }
      renderSidebar(snap);
      renderHeader(snap);
      renderMessages(snap);
      renderHome(snap);
      renderThread(snap);
      renderModal(snap);
      const total = snap.activity.calls + snap.activity.requests;
      $("requests-count").textContent = String(total);
      if (state.requests.open) await refreshRequests();
      document.body.dataset.ready = "true";
    } catch (err) {
      console.warn("sandbox: refresh failed", err);
    }
  }

  async function loop() {
    await refresh();
    setTimeout(loop, document.hidden ? POLL_MS * 5 : POLL_MS);
  }

  async function start() {
    state.workspace = await getJson("/sandbox/api/workspace");
    $("workspace-name").textContent = state.workspace.team;
    if (!person(state.me)) state.me = (state.workspace.people.find((p) => p.roles[0] === "learner") || state.workspace.people[0]).id;
    localStorage.setItem("badgebot-sandbox-as", state.me);
    renderPicker();
    $("who").addEventListener("change", (ev) => choosePerson(ev.target.value));
    showSidebar(!NARROW.matches);
    $("sidebar-toggle").addEventListener("click", () => showSidebar(document.body.classList.contains("sidebar-collapsed")));
    $("sidebar-backdrop").addEventListener("click", () => showSidebar(false));
    NARROW.addEventListener("change", (ev) => showSidebar(!ev.matches));
    wireComposer("composer", "composer-input", "composer-files", "composer-chips", () => "");
    wireComposer("thread-composer", "thread-input", "thread-files", "thread-chips", () => state.thread);
    $("thread-close").addEventListener("click", () => { state.thread = ""; syncUrl(); refresh(); });
    $("requests-toggle").addEventListener("click", () => {
      state.requests.open = !state.requests.open;
      $("requests").hidden = !state.requests.open;
      document.body.classList.toggle("requests-open", state.requests.open);
      if (state.requests.open) refreshRequests();
    });
    $("requests-filter").addEventListener("input", applyRequestFilter);
    $("requests-clear").addEventListener("click", () => { $("requests-list").replaceChildren(); });
    syncUrl();
    await refresh();
    if (isDm() && state.tab === "home") openHome();
    loop();
  }

  window.addEventListener("DOMContentLoaded", () => {
    start().catch((err) => { console.error("sandbox: could not start", err); toast(String(err)); });
  });
})();
