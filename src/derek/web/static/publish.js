// Derek publisher and administration pages: an upload progress bar for the resource form, and focus on
// the error summary of a form sent back with errors. Without this file every form works the same.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function chosenFile(form) {
    var input = form.querySelector('input[type="file"]');
    return input && input.files && input.files.length ? input.files[0] : null;
  }

  // Show the server's answer (the next page, or the form with its errors) as if the browser had navigated.
  function showAnswer(xhr) {
    var doc = xhr.response;
    if (!doc || !doc.body) {
      window.location.assign(xhr.responseURL || window.location.href);
      return;
    }
    var url = xhr.responseURL || window.location.href;
    if (url !== window.location.href) window.history.pushState(null, "", url);
    shownPage = window.location.pathname + window.location.search;
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    var hash = url.indexOf("#") >= 0 ? url.slice(url.indexOf("#") + 1) : "";
    var target = document.querySelector(".error-summary") || (hash && document.getElementById(hash)) ||
      document.querySelector(".flash") || document.getElementById("main");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
      target.scrollIntoView();
    }
    enhance();
  }

  function upload(form, event) {
    if (!window.FormData || !chosenFile(form)) return; // nothing to show progress for: submit normally
    event.preventDefault();
    var box = form.querySelector(".upload-progress");
    var bar = box.querySelector("progress");
    var status = box.querySelector(".upload-status");
    var buttons = form.querySelectorAll('button[type="submit"]');
    var uploading = form.getAttribute("data-uploading") || "{percent}%";
    box.hidden = false;
    bar.value = 0;
    bar.max = 100;
    buttons.forEach(function (b) { b.disabled = true; });

    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.responseType = "document";
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.floor((e.loaded / e.total) * 100);
      bar.value = percent;
      bar.textContent = percent + "%";
      status.textContent = uploading.replace("{percent}", String(percent));
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      status.textContent = form.getAttribute("data-processing") || "";
    });
    xhr.addEventListener("load", function () { showAnswer(xhr); });
    xhr.addEventListener("error", function () {
      status.textContent = form.getAttribute("data-failed") || "Upload failed.";
      buttons.forEach(function (b) { b.disabled = false; });
    });
    xhr.send(new FormData(form));
  }

  function enhance() {
    document.querySelectorAll("form.upload-form").forEach(function (form) {
      if (form.hasAttribute("data-enhanced")) return;
      form.setAttribute("data-enhanced", "");
      form.addEventListener("submit", function (event) { upload(form, event); });
    });
  }

  // After an upload the page shown is the server's answer; going back in history must load the real page.
  var shownPage = window.location.pathname + window.location.search;
  window.addEventListener("popstate", function () {
    if (window.location.pathname + window.location.search !== shownPage) window.location.reload();
  });
  // A form sent back with errors: move focus to its summary so screen readers read it first.
  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  ready(function () {
    enhance();
    focusErrors();
  });
})();
