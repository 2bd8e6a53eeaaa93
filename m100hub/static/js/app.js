// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function liveNotifications() {
    var link = document.querySelector("[data-live-notifications]");
    if (!link || typeof window.io !== "function") return;
    var badge = link.querySelector("[data-badge]");
    var region = document.querySelector("[data-live-region]");
    // the path under the hub's prefix (SCRIPT_NAME), as the page's links are
    var socket = window.io({ path: link.dataset.socketPath, transports: ["websocket", "polling"] });

    function show(count) {
      badge.textContent = String(count);
      badge.hidden = count === 0;
      link.setAttribute("aria-label", count === 0 ? link.dataset.labelNone
        : link.dataset.labelSome.replace("__N__", String(count)));
    }

    // Pushes missed while the page was disconnected (or the server cut off from the others)
    // are not replayed: on every (re)connection, and when the server says so, the page asks
    // for its count.
    function catchUp() {
      socket.emit("unread", function (count) {
        if (typeof count === "number") show(count);
      });
    }

    socket.on("connect", catchUp);
    socket.on("catch-up", catchUp);
    socket.on("notification", function () {
      show((parseInt(badge.textContent, 10) || 0) + 1);
      if (region) region.textContent = link.dataset.announce;
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  // On a phone the menu folds behind its button (CSS shows the button only on small screens,
  // and only once this script runs: without it the menu stays open).
  function compactMenu() {
    var toggle = document.querySelector("[data-menu-toggle]");
    var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) return;
    toggle.closest("header").classList.add("menu-ready");
    function show(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    }
    toggle.addEventListener("click", function () {
      show(toggle.getAttribute("aria-expanded") !== "true");
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        show(false);
        toggle.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    compactMenu();
    focusErrorSummary();
    liveNotifications();
  });
})();
