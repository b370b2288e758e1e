// The editor's desk: "select all" for the batch actions, and a confirmation before a batch reject.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll('input[type="checkbox"][name="id"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  }
  document.querySelectorAll('button[value="reject"]').forEach(function (button) {
    button.addEventListener("click", function (event) {
      var chosen = document.querySelectorAll('input[name="id"]:checked').length;
      if (chosen > 1 && !window.confirm("Reject " + chosen + " items? They will not be sent.")) {
        event.preventDefault();
      }
    });
  });
});
