/* One click on a suggested topic (templates/exchanges/_topic_suggestions.html) ticks its box in the request
   form at once, without sending the form; focus moves to the ticked box and the status region says so.
   Without JavaScript the button sends the form and the page comes back with the topic ticked. The
   suggestions are renewed by htmx as the requester writes, so the clicks are caught on the document. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-topic-choice]");
    if (!button || !button.form) {
      return;
    }
    var box = button.form.querySelector(
      'input[name="topics"][value="' + CSS.escape(button.getAttribute("data-topic-choice")) + '"]'
    );
    if (!box) {
      return;
    }
    event.preventDefault();
    box.checked = true;
    var status = document.getElementById("topic-suggestions-status");
    if (status) {
      status.textContent = button.getAttribute("data-chosen-text");
    }
    var done = document.createElement("span");
    done.className = "small";
    done.textContent = button.getAttribute("data-chosen-text");
    button.replaceWith(done);
    box.focus();
  });
})();
