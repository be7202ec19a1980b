// Embed the statementkit participant page in another site with one tag:
//   <script src="https://check.example.org/static/embed.js" data-lang="de" async></script>
// It inserts an <iframe> with the page (served by the same host as this script) right where the
// tag is, and fits the iframe's height to its content. data-lang picks the page's language
// (default: the visitor's browser languages); data-title names the frame for screen readers.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var origin = new URL(script.src, document.baseURI);
  var base = origin.href.replace(/\/static\/embed\.js(\?.*)?$/, "/");
  var lang = script.getAttribute("data-lang");
  var frame = document.createElement("iframe");
  frame.src = base + (lang ? "?lang=" + encodeURIComponent(lang) : "");
  frame.title = script.getAttribute("data-title") || "Statement check";
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.minHeight = "28rem";
  frame.setAttribute("loading", "lazy");
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== origin.origin || event.source !== frame.contentWindow) { return; }
    var data = event.data || {};
    if (data.statementkit === "height" && typeof data.height === "number") {
      frame.style.height = Math.ceil(data.height) + "px";
    }
  });
}());
