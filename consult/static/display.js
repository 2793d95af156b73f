// The waiting-room screen brings its board up to date in place every few seconds. Unlike a
// reload, this keeps the live region, so a screen reader announces each new call, and
// nothing flashes on the screen.
(function () {
  var main = document.getElementById("content");
  var every = Number(main.getAttribute("data-refresh-seconds")) * 1000;
  function update() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected || !response.ok) {
          window.location.reload(); // signed out, or the board is gone: show why
          return;
        }
        return response.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          main.querySelectorAll("[data-board]").forEach(function (part) {
            var next = fresh.querySelector('[data-board="' + part.getAttribute("data-board") + '"]');
            if (next && next.innerHTML !== part.innerHTML) part.innerHTML = next.innerHTML;
          });
          setTimeout(update, every);
        });
      })
      .catch(function () { setTimeout(update, every); }); // offline for a moment: try again
  }
  setTimeout(update, every);
})();
