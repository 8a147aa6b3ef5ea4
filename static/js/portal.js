// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  function closeMenus(except) {
    document.querySelectorAll("details.account-menu[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
      }
    });
  }

  // Close the account menu on a click elsewhere, or with Escape (focus returns to its toggle).
  document.addEventListener("click", function (event) {
    var menu = event.target.closest ? event.target.closest("details.account-menu") : null;
    closeMenus(menu);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector("details.account-menu[open]");
    if (open) {
      open.removeAttribute("open");
      var toggle = open.querySelector("summary");
      if (toggle) {
        toggle.focus();
      }
    }
  });
})();
