// A live workshop board (m100hub/boards/sockets.py). The page is rendered on the server and
// readable without this file; this keeps it live: it joins the board's room with the last
// version it saw, applies each change in version order (asking for what it missed when one
// is skipped), and announces changes politely to screen readers. Every action is a button.
(function () {
  "use strict";

  var app = document.querySelector("[data-board]");
  if (!app || typeof window.io !== "function") return;
  var boardId = parseInt(app.dataset.board, 10);
  var taking = app.dataset.takingPart === "true";
  var facilitating = app.dataset.facilitating === "true";
  var t = JSON.parse(app.dataset.messages);
  var state = null;
  var socket = window.io(app.dataset.namespace, { path: app.dataset.socketPath,
    transports: ["websocket", "polling"] });
  var announcer = app.querySelector("[data-announce]");
  var columnsBox = app.querySelector("[data-columns]");
  var timerBox = app.querySelector("[data-timer]");
  var keySeq = 0;
  var reloadWhole = false;

  // the card's address, from the server's (url_for: right under a prefix too)
  function cardUrl(template, id) {
    return template.replace("/" + app.dataset.cardIdInUrl + "/", "/" + id + "/");
  }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_m, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }
  function announce(text) { announcer.textContent = text; }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function button(label, focusKey, onClick, extra) {
    var b = el("button", Object.assign({ type: "button", "class": "button small secondary",
      "data-focus": focusKey, text: label }, extra || {}));
    b.addEventListener("click", onClick);
    return b;
  }

  function send(event, data, done) {
    data.board = boardId;
    socket.emit(event, data, function (answer) {
      if (!answer || !answer.ok) {
        var code = answer && answer.error;
        announce(fill(t.refused, { reason: t.errors[code] || code || "?" }));
      }
      if (done) done(answer || {});
    });
  }

  // ---- state ----
  function byPosition(a, b) {
    return a.position < b.position ? -1 : a.position > b.position ? 1 : a.id - b.id;
  }
  function allCards() {
    return Object.keys(state.cards).map(function (id) { return state.cards[id]; });
  }
  // a grouped card is shown within its group (its head's), wherever its head is
  function inGroup(card) { return !!(card.group && state.cards[card.group]); }
  function byColumn(columnId) {
    return allCards().filter(function (c) { return c.column === columnId && !inGroup(c); })
      .sort(byPosition);
  }
  function membersOf(head) {
    return allCards().filter(function (c) { return c.group === head.id; }).sort(byPosition);
  }
  function groupTitle(head) {
    return head.group_title || fill(t.group_unnamed, { text: head.hidden ? t.hidden : head.text.slice(0, 40) });
  }
  function columnTitle(id) {
    var found = state.columns.filter(function (c) { return c.id === id; })[0];
    return found ? found.title : "";
  }
  function sortColumns() {
    state.columns.sort(function (a, b) {
      return a.position < b.position ? -1 : a.position > b.position ? 1 : a.id - b.id;
    });
  }

  function load(board) {
    state = { version: board.version, settings: board.settings, columns: board.columns,
      cards: {}, mine: {}, dots: board.dots, dotsLeft: board.dots_left };
    board.cards.forEach(function (c) { state.cards[c.id] = c; });
    board.mine.forEach(function (id) { state.mine[id] = true; });
    sortColumns();
  }

  function apply(change) {
    var data = change.data, card = data.card;
    switch (change.kind) {
      case "card.added":
        state.cards[card.id] = card;
        announce(fill(t.added, { column: columnTitle(card.column), text: card.text }));
        break;
      case "card.moved":
        state.cards[card.id] = card;
        announce(fill(t.moved, { column: columnTitle(card.column), text: card.text }));
        break;
      case "card.grouped":
        state.cards[card.id] = card;
        announce(card.group && state.cards[card.group]
          ? fill(t.grouped_now, { group: groupTitle(state.cards[card.group]), text: card.text })
          : fill(t.ungrouped_now, { text: card.text }));
        break;
      case "group.named":
        state.cards[card.id] = card;
        announce(fill(t.group_named, { group: groupTitle(card) }));
        break;
      case "group.dissolved":
        announce(fill(t.group_dissolved, { group: groupTitle(state.cards[card.id] || card) }));
        state.cards[card.id] = card;
        data.members.forEach(function (id) {
          if (state.cards[id]) { state.cards[id].group = null; state.cards[id].column = card.column; }
        });
        break;
      case "card.edited": case "card.hidden": case "card.shown":
      case "card.outcome":
        state.cards[card.id] = card;
        if (change.kind === "card.edited") announce(fill(t.edited, { text: card.text }));
        break;
      case "card.merged":
        state.cards[card.id] = card;
        delete state.cards[data.merged];
        break;
      case "card.deleted":
        delete state.cards[card.id];
        announce(t.deleted);
        break;
      case "card.voted":
        if (state.cards[data.card_id]) state.cards[data.card_id].votes = data.votes;
        break;
      case "votes.reset":
        Object.keys(state.cards).forEach(function (id) { state.cards[id].votes = 0; });
        state.dots = {};
        state.dotsLeft = state.settings.vote_budget;
        break;
      case "column.added": case "column.renamed": case "column.moved":
        state.columns = state.columns.filter(function (c) { return c.id !== data.column.id; });
        state.columns.push(data.column);
        sortColumns();
        break;
      case "column.deleted":
        state.columns = state.columns.filter(function (c) { return c.id !== data.column.id; });
        Object.keys(state.cards).forEach(function (id) {
          if (state.cards[id].column === data.column.id) delete state.cards[id];
        });
        break;
      case "board.settings":
        // authors and counts are redacted by the server: fetch the board as it shows now
        if (data.settings.anonymous !== state.settings.anonymous ||
            data.settings.votes_hidden !== state.settings.votes_hidden) reloadWhole = true;
        state.dotsLeft += data.settings.vote_budget - state.settings.vote_budget;
        state.settings = data.settings;
        (data.cards || []).forEach(function (c) {
          if (state.cards[c.id]) state.cards[c.id].votes = c.votes;
        });
        announce(t.settings);
        break;
    }
    state.version = change.version;
  }

  function join(whole) {
    var since = state && !whole ? state.version : null;
    socket.emit("join", { board: boardId, since: since }, function (a) {
      if (!a || !a.ok) { announce(fill(t.refused, { reason: t.errors[a && a.error] || "?" })); return; }
      if (a.board) load(a.board);
      else {
        a.changes.forEach(apply);
        state.dots = a.dots;
        state.dotsLeft = a.dots_left;
      }
      render();
    });
  }

  socket.on("connect", function () { join(false); });
  socket.on("disconnect", function () { announce(t.offline); });
  socket.on("change", function (change) {
    if (!state || change.version <= state.version) return; // already applied
    if (change.version !== state.version + 1) { join(false); return; } // one was missed
    apply(change);
    render();
    if (reloadWhole) { reloadWhole = false; join(true); }
  });
  socket.on("replaced", function () { announce(t.replaced); });
  socket.on("presence", function (msg) {
    var named = msg.people.map(function (p) { return p.name || t.someone; });
    if (msg.more) named.push(fill(t.more_people, { n: msg.more }));
    if (msg.visitors) named.push(msg.visitors + " " + t.visitors);
    app.querySelector("[data-presence]").textContent = t.people + " " + named.join(", ");
  });
  socket.on("typing", function (msg) {
    app.querySelector("[data-typing]").textContent = msg.active
      ? fill(t.typing, { name: msg.name || t.someone, column: columnTitle(msg.column) }) : "";
  });

  // ---- actions ----
  function moveWithin(card, step) {
    var list = byColumn(card.column).filter(function (c) { return !c.group; });
    var i = list.map(function (c) { return c.id; }).indexOf(card.id);
    var target = i + step;
    if (target < 0 || target >= list.length) return;
    var rest = list.filter(function (c) { return c.id !== card.id; });
    var after = target === 0 ? null : rest[target - 1].id;
    send("card.move", { card: card.id, column: card.column, after: after });
  }
  function moveAcross(card, step) {
    var ids = state.columns.map(function (c) { return c.id; });
    var to = ids[ids.indexOf(card.column) + step];
    if (to === undefined) return;
    var list = byColumn(to);
    send("card.move", { card: card.id, column: to, after: list.length ? list[list.length - 1].id : null });
  }
  function vote(card, delta) {
    send("card.vote", { card: card.id, delta: delta }, function (a) {
      if (!a.ok) return;
      var key = String(card.id);
      state.dots[key] = (state.dots[key] || 0) + delta;
      state.dotsLeft -= delta;
      render();
      announce(fill(t.dots_left, { n: state.dotsLeft }));
    });
  }
  function editor(card, li) {
    var area = el("textarea", { maxlength: "500", "aria-label": t.text, rows: "3" });
    area.value = card.text;
    var seen = state.version;
    var form = el("form", { "class": "board-card-editor" }, [area,
      el("button", { type: "submit", "class": "button small", text: t.save }),
      button(t.cancel, "", function () { render(); })]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send("card.edit", { card: card.id, text: area.value, seen: seen });
    });
    li.replaceChildren(form);
    area.focus();
  }
  function picker(label, card, event, field) {
    var select = el("select", { "aria-label": label, "data-focus": event + card.id });
    select.appendChild(el("option", { value: "", text: label }));
    Object.keys(state.cards).forEach(function (id) {
      var other = state.cards[id];
      if (other.id === card.id || other.hidden) return;
      if (event !== "card.group") {
        select.appendChild(el("option", { value: other.id, text: other.text.slice(0, 40) }));
      } else if (!other.group && other.id !== card.group) { // a head, or a card to start one
        var heads = membersOf(other).length || other.group_title;
        select.appendChild(el("option", { value: other.id,
          text: heads ? groupTitle(other) : other.text.slice(0, 40) }));
      }
    });
    select.addEventListener("change", function () {
      if (!select.value) return;
      var data = { card: card.id };
      data[field] = select.value === "none" ? null : parseInt(select.value, 10);
      send(event, data);
    });
    return select;
  }

  // ---- rendering ----
  function cardNode(card) {
    var mine = state.mine[card.id];
    var li = el("li", { "class": "board-card colour-" + card.colour,
      id: "card-" + card.id });
    li.appendChild(el("p", { "class": card.hidden ? "meta" : "board-card-text",
      text: card.hidden ? t.hidden : card.text }));
    var own = state.dots[String(card.id)] || 0;
    var meta = [];
    if (card.author) meta.push(card.author);
    if (card.votes !== null && card.votes !== undefined) meta.push(card.votes + " " + t.dots);
    li.appendChild(el("p", { "class": "meta", text: meta.join(" · ") }));
    if (card.outcome) {
      li.appendChild(el("p", {}, [el("a", { href: cardUrl(app.dataset.outcomeUrl, card.id), text: t.became })]));
    }
    if (!taking || card.hidden) {
      if (facilitating && card.hidden) li.appendChild(button(t.show, "show" + card.id, function () { send("card.hide", { card: card.id, hidden: false }); }));
      return li;
    }
    var actions = el("div", { "class": "board-card-actions" });
    actions.appendChild(button("+ " + t.vote, "vote" + card.id, function () { vote(card, 1); }, { "aria-label": t.vote + ": " + card.text.slice(0, 40) }));
    if (own) actions.appendChild(button("− " + own, "unvote" + card.id, function () { vote(card, -1); }, { "aria-label": t.unvote }));
    var menu = el("details", { "class": "board-move" }, [el("summary", { text: t.move, "data-focus": "move" + card.id })]);
    menu.appendChild(button("↑ " + t.up, "up" + card.id, function () { moveWithin(card, -1); }));
    menu.appendChild(button("↓ " + t.down, "down" + card.id, function () { moveWithin(card, 1); }));
    menu.appendChild(button("← " + t.left, "left" + card.id, function () { moveAcross(card, -1); }));
    menu.appendChild(button("→ " + t.right, "right" + card.id, function () { moveAcross(card, 1); }));
    if (!membersOf(card).length) menu.appendChild(picker(t.group, card, "card.group", "under"));
    if (card.group) {
      menu.appendChild(button(t.ungroup, "ungroup" + card.id, function () {
        send("card.group", { card: card.id, under: null });
      }));
    }
    actions.appendChild(menu);
    if (mine || facilitating) {
      actions.appendChild(button(t.edit, "edit" + card.id, function () { editor(card, li); }));
      actions.appendChild(button(t["delete"], "delete" + card.id, function () { send("card.delete", { card: card.id }); }));
    }
    if ((mine || facilitating) && !card.outcome) {
      actions.appendChild(el("a", { "class": "button small secondary", href: cardUrl(app.dataset.promoteUrl, card.id), text: t.promote }));
    }
    if (facilitating) {
      actions.appendChild(button(t.hide, "hide" + card.id, function () { send("card.hide", { card: card.id, hidden: true }); }));
      actions.appendChild(picker(t.merge, card, "card.merge", "into"));
    }
    li.appendChild(actions);
    return li;
  }

  // a group: its name (a heading), what may be done to it, and its cards, head first
  function groupNode(head, members) {
    var titleId = "group-title-" + head.id;
    var box = el("li", { "class": "board-group", id: "group-" + head.id });
    var section = el("section", { "aria-labelledby": titleId });
    section.appendChild(el("h3", { id: titleId, text: fill(t.group_heading, {
      group: groupTitle(head), n: members.length + 1 }) }));
    if (taking) {
      var tools = el("div", { "class": "board-group-tools" });
      tools.appendChild(button(t.name_group, "gname" + head.id, function () {
        var title = window.prompt(t.group_name, head.group_title || "");
        if (title !== null) send("group.name", { card: head.id, title: title });
      }, { "aria-label": t.name_group + ": " + groupTitle(head) }));
      tools.appendChild(button(t.ungroup_all, "gdissolve" + head.id, function () {
        send("group.dissolve", { card: head.id });
      }, { "aria-label": t.ungroup_all + ": " + groupTitle(head) }));
      section.appendChild(tools);
    }
    var list = el("ol", { "class": "board-cards" });
    [head].concat(members).forEach(function (card) { list.appendChild(cardNode(card)); });
    section.appendChild(list);
    box.appendChild(section);
    return box;
  }

  function addForm(column) {
    var id = "new-card-" + column.id;
    var area = el("textarea", { id: id, maxlength: "500", rows: "2", required: "required", "data-focus": id });
    var colour = el("select", { "aria-label": t.colour, "data-focus": "colour" + column.id });
    ["yellow", "green", "blue", "pink", "orange"].forEach(function (c) {
      colour.appendChild(el("option", { value: c, text: c }));
    });
    var form = el("form", { "class": "board-add" }, [
      el("label", { "for": id, text: t.add }), area, colour,
      el("button", { type: "submit", "class": "button small", text: t.add, "data-focus": "add" + column.id })]);
    var typingSent = false;
    area.addEventListener("input", function () {
      if (!typingSent) { typingSent = true; send("typing", { column: column.id, active: true }); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      keySeq += 1;
      var key = boardId + "-" + Date.now().toString(36) + "-" + keySeq + "-" + Math.random().toString(36).slice(2, 8);
      send("card.add", { column: column.id, text: area.value, colour: colour.value, key: key }, function (a) {
        if (a.ok) { state.mine[a.card] = true; area.value = ""; render(); }
      });
      typingSent = false;
      send("typing", { column: column.id, active: false });
    });
    return form;
  }

  function columnNode(column) {
    var section = el("section", { "class": "board-column", "aria-labelledby": "column-" + column.id });
    section.appendChild(el("h2", { id: "column-" + column.id, text: column.title }));
    if (facilitating) {
      var tools = el("div", { "class": "board-column-tools" });
      tools.appendChild(button(t.rename, "rename" + column.id, function () {
        var title = window.prompt(t.column_title, column.title);
        if (title) send("column.rename", { column: column.id, title: title });
      }));
      tools.appendChild(button("←", "cleft" + column.id, function () { moveColumn(column, -1); }, { "aria-label": t.left + ": " + column.title }));
      tools.appendChild(button("→", "cright" + column.id, function () { moveColumn(column, 1); }, { "aria-label": t.right + ": " + column.title }));
      tools.appendChild(button(t.delete_column, "cdel" + column.id, function () {
        if (window.confirm(t.delete_column + ": " + column.title + "?")) send("column.delete", { column: column.id });
      }));
      section.appendChild(tools);
    }
    var list = el("ol", { "class": "board-cards" });
    byColumn(column.id).forEach(function (card) {
      var members = membersOf(card);
      list.appendChild(members.length || card.group_title ? groupNode(card, members) : cardNode(card));
    });
    section.appendChild(list);
    if (taking) section.appendChild(addForm(column));
    return section;
  }
  function moveColumn(column, step) {
    var ids = state.columns.map(function (c) { return c.id; });
    var i = ids.indexOf(column.id), target = i + step;
    if (target < 0 || target >= ids.length) return;
    var rest = ids.filter(function (id) { return id !== column.id; });
    send("column.move", { column: column.id, after: target === 0 ? null : rest[target - 1] });
  }

  function render() {
    if (!state) return;
    var active = document.activeElement;
    var focusKey = active && active.dataset ? active.dataset.focus : null;
    var drafts = {};
    columnsBox.querySelectorAll("textarea[id^=new-card-]").forEach(function (a) { drafts[a.id] = a.value; });
    var openMenus = {};
    columnsBox.querySelectorAll("details[open] summary").forEach(function (s) { openMenus[s.dataset.focus] = true; });
    columnsBox.replaceChildren.apply(columnsBox, state.columns.map(columnNode));
    Object.keys(drafts).forEach(function (id) { var a = document.getElementById(id); if (a) a.value = drafts[id]; });
    columnsBox.querySelectorAll("details summary").forEach(function (s) { if (openMenus[s.dataset.focus]) s.parentNode.open = true; });
    if (focusKey) {
      var again = columnsBox.querySelector('[data-focus="' + focusKey + '"]');
      if (again) again.focus();
    }
    status();
  }

  function status() {
    var s = state.settings, parts = [];
    if (s.locked) parts.push(t.locked);
    if (s.anonymous) parts.push(t.anonymous);
    if (s.votes_hidden) parts.push(t.votes_hidden);
    if (taking) parts.push(fill(t.dots_left, { n: state.dotsLeft }));
    var box = app.querySelector("[data-board-status]");
    box.replaceChildren.apply(box, parts.map(function (p) { return el("span", { "class": "badge-tag", text: p }); }));
    if (facilitating) {
      document.querySelectorAll("[data-setting]").forEach(function (input) {
        var v = s[input.dataset.setting];
        if (input.type === "checkbox") input.checked = !!v; else if (document.activeElement !== input) input.value = v;
      });
    }
  }

  function tick() {
    var ends = state && state.settings.timer_ends ? Date.parse(state.settings.timer_ends) : null;
    var left = ends ? Math.max(0, Math.round((ends - Date.now()) / 1000)) : 0;
    timerBox.hidden = !ends;
    if (ends) {
      var text = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      timerBox.textContent = fill(t.timer, { time: text });
    }
  }
  window.setInterval(tick, 1000);

  function facilitatorPanel() {
    var panel = document.querySelector("[data-facilitate]");
    if (!panel || !facilitating) return;
    panel.hidden = false;
    panel.querySelectorAll("[data-setting]").forEach(function (input) {
      input.addEventListener("change", function () {
        var settings = {};
        settings[input.dataset.setting] = input.type === "checkbox" ? input.checked : parseInt(input.value, 10);
        send("board.settings", { settings: settings });
      });
    });
    panel.querySelector("[data-reset-votes]").addEventListener("click", function () {
      if (window.confirm(panel.querySelector("[data-reset-votes]").textContent + "?")) send("votes.reset", {});
    });
    var minutes = panel.querySelector("[data-timer-minutes]");
    panel.querySelector("[data-timer-start]").addEventListener("click", function () {
      send("board.timer", { seconds: Math.max(0, parseInt(minutes.value, 10) || 0) * 60 });
    });
    panel.querySelector("[data-timer-stop]").addEventListener("click", function () {
      send("board.timer", { seconds: 0 });
    });
    var columnForm = panel.querySelector("[data-add-column]");
    columnForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var title = columnForm.querySelector("input[name=title]");
      send("column.add", { title: title.value }, function (a) { if (a.ok) columnForm.reset(); });
    });
  }
  facilitatorPanel();
})();
