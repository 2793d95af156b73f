// Progressive enhancement: a print button where JavaScript runs; the page prints fine without it.
document.querySelectorAll(".js-print").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
