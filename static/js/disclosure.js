/* Disclosure buttons (the WAI-ARIA disclosure pattern) for the phone menu and the filter forms.

   A button with data-disclosure and aria-controls shows or hides the element it names: aria-expanded says
   which, the class is-open on the element shows it (static/css/koopstadt.css hides it only on small screens).
   The server renders both in their first state, so nothing moves when this runs. Without JavaScript the html
   element lacks the class "js": the buttons stay hidden and every panel stays open. Loaded in <head> without
   defer (a few hundred bytes) so that the class is set before the first paint; no inline script (CSP). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function panelOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function setOpen(button, open) {
    var panel = panelOf(button);
    if (!panel) {
      return;
    }
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panel.classList.toggle("is-open", open);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-disclosure]");
    if (button) {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
    }
  });

  // Escape closes an open menu from inside it and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var buttons = document.querySelectorAll("button[data-disclosure='menu'][aria-expanded='true']");
    Array.prototype.forEach.call(buttons, function (button) {
      var panel = panelOf(button);
      if (panel && (panel.contains(document.activeElement) || button === document.activeElement)) {
        setOpen(button, false);
        button.focus();
      }
    });
  });
})();
