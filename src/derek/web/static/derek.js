// Derek: small enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // Sort menus submit as soon as a choice is made (the Apply button is hidden by the .js class).
  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) select.form.submit();
      });
    });
  }

  // A "Copy" button on code blocks and the citation.
  function copyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll("pre[data-copy]").forEach(function (pre) {
      var wrap = document.createElement("div");
      wrap.className = "code-wrap";
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      var label = pre.getAttribute("data-copy-label") || "Copy";
      var done = pre.getAttribute("data-copied-label") || "Copied";
      button.textContent = label;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(pre.innerText.trim()).then(function () {
          button.textContent = done;
          setTimeout(function () { button.textContent = label; }, 2000);
        });
      });
      wrap.appendChild(button);
    });
  }

  // On small screens facet groups start folded, except those with a selected value.
  function foldFacets() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 56rem)").matches) return;
    document.querySelectorAll("details.facet").forEach(function (details) {
      if (!details.querySelector(".facet-link.selected")) details.open = false;
    });
  }

  ready(function () {
    autosubmit();
    copyButtons();
    foldFacets();
  });
})();
