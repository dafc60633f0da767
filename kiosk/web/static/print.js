// "Print this page" on the code page: shown only where JavaScript can print.
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (!button || !window.print) { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
