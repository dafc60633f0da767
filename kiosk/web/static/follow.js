// The ticket page updates itself: one EventSource on /t/<token>/events. Without
// JavaScript the page reloads every few seconds instead (<noscript> refresh).
(function () {
  "use strict";
  var ticket = document.getElementById("ticket");
  if (!ticket || !window.EventSource) { return; }
  var fields = ["code", "category", "headline", "ahead", "wait"];
  var source = new EventSource(ticket.getAttribute("data-events"));
  source.onmessage = function (event) {
    var shown = JSON.parse(event.data);
    var before = ticket.getAttribute("data-status");
    fields.forEach(function (name) {
      var element = document.getElementById("t-" + name);
      if (element && element.textContent !== shown[name]) { element.textContent = shown[name]; }
    });
    ticket.setAttribute("data-status", shown.status);
    if (shown.status === "called" && before !== "called" && navigator.vibrate) {
      navigator.vibrate([300, 150, 300]);
    }
  };
})();
