// The consultation ballot, progressive enhancement only (the server checks every rule):
// an approval question with a limit of k options disables its other boxes once k are
// ticked, and says so in its live region; unticking one enables them again.
(function () {
  "use strict";

  function limitApproval(fieldset) {
    var most = parseInt(fieldset.dataset.maxChoices, 10);
    var status = fieldset.querySelector("[data-limit-status]");
    var boxes = Array.prototype.slice.call(fieldset.querySelectorAll("input[type=checkbox]"));
    var reached = false;

    function update() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      var now = ticked >= most;
      boxes.forEach(function (box) { box.disabled = now && !box.checked; });
      // announced once when the limit is reached, cleared when it is no longer
      if (now !== reached && status) status.textContent = now ? fieldset.dataset.limitReached : "";
      reached = now;
    }

    boxes.forEach(function (box) { box.addEventListener("change", update); });
    // a refused ballot may come back with more than k ticked: leave those for the voter
    if (boxes.filter(function (box) { return box.checked; }).length <= most) update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var limited = document.querySelectorAll("fieldset[data-max-choices]");
    Array.prototype.forEach.call(limited, limitApproval);
  });
})();
