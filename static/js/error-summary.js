/* The error summary of a form (templates/includes/form_errors.html), as GOV.UK Frontend does it:
 * - when the page loads, the focus moves to the summary, so a screen reader reads it and the keyboard
 *   goes on from there;
 * - following one of its links moves the focus to the field and scrolls so that the field's label (or,
 *   for radio buttons and checkboxes, the legend of the group) is in view above it.
 * Without JavaScript the links still lead to the fields. Loaded only by pages that show a summary; the
 * strict CSP allows it because it is one of the portal's own files (no inline script). */
(function () {
  "use strict";
  if (window.koopstadtErrorSummary) {
    return; // a page with several forms may include the summary's script more than once
  }
  window.koopstadtErrorSummary = true;

  function captionFor(input) {
    var group = input.closest("fieldset");
    if (group && (input.type === "radio" || input.type === "checkbox")) {
      // The group's own fieldset holds nothing but its boxes; an outer one (a section) holds more.
      var fields = group.querySelectorAll("input, select, textarea").length;
      var boxes = group.querySelectorAll('input[name="' + CSS.escape(input.name) + '"]').length;
      var legend = group.querySelector("legend");
      if (legend && fields === boxes) {
        return legend;
      }
    }
    return document.querySelector('label[for="' + CSS.escape(input.id) + '"]');
  }

  function followLink(event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!input) {
      return;
    }
    event.preventDefault();
    (captionFor(input) || input).scrollIntoView();
    input.focus({ preventScroll: true });
  }

  function start() {
    var summaries = document.querySelectorAll("[data-error-summary]");
    if (!summaries.length) {
      return;
    }
    summaries.forEach(function (summary) {
      summary.addEventListener("click", followLink);
    });
    summaries[0].focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
