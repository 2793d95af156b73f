// Progressive enhancement: the error summary takes the focus (as `autofocus` asks), and its
// links move the focus into the field they name, not only scroll to it.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  if (document.activeElement !== summary) { summary.focus(); }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    var label = target.closest("label") || target.closest(".field") || target;
    label.scrollIntoView();
    target.focus({ preventScroll: true });
  });
})();
