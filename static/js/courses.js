// Courses: in-page Markdown preview for authors. Without JavaScript the "Preview" button
// submits the form and the server renders the same preview, so this is only a shortcut.
(function () {
  "use strict";
  document.querySelectorAll("button[data-preview-for]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-preview-for"));
    var target = document.getElementById(button.getAttribute("data-preview-for") + "-preview");
    if (!field || !target || !window.fetch) { return; }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var body = new FormData();
      body.append("text", field.value);
      var token = button.form.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(button.getAttribute("data-preview-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.statusText); }
        return response.text();
      }).then(function (html) {
        // The server returns HTML already sanitised by the same allow-list as lesson pages.
        target.innerHTML = html;
        target.classList.remove("is-empty");
      }).catch(function () {
        button.form.requestSubmit(button); // fall back to the server-rendered preview
      });
    });
  });
})();
