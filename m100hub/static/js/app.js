// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function liveNotifications() {
    var link = document.querySelector("[data-live-notifications]");
    if (!link || typeof window.io !== "function") return;
    var badge = link.querySelector("[data-badge]");
    var region = document.querySelector("[data-live-region]");
    var socket = window.io({ transports: ["websocket", "polling"] });
    socket.on("notification", function () {
      var count = (parseInt(badge.textContent, 10) || 0) + 1;
      badge.textContent = String(count);
      badge.hidden = false;
      link.setAttribute("aria-label", link.dataset.labelSome.replace("__N__", String(count)));
      if (region) region.textContent = link.dataset.announce;
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    liveNotifications();
  });
})();
