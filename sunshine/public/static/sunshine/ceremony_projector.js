// Projector page of a lottery ceremony: reveals the already-published drawn order one
// entry at a time. Without JavaScript the page simply shows the whole list.
(function () {
  "use strict";
  var list = document.querySelector("[data-list]");
  var current = document.querySelector("[data-current]");
  var controls = document.querySelector("[data-controls]");
  if (!list || !current || !controls) {
    return;
  }
  var items = Array.prototype.slice.call(list.children);
  var progress = controls.querySelector("[data-progress]");
  var nextButton = controls.querySelector("[data-action=next]");
  var playButton = controls.querySelector("[data-action=play]");
  var shown = 0;
  var timer = null;

  function field(name) {
    return current.querySelector("[data-field=" + name + "]");
  }

  function render() {
    items.forEach(function (item, index) {
      item.hidden = index >= shown;
      item.classList.toggle("latest", index === shown - 1);
    });
    if (shown > 0) {
      var latest = items[shown - 1];
      field("number").textContent = latest.dataset.number;
      field("code").textContent = latest.dataset.code;
      field("name").textContent = latest.dataset.name;
      current.hidden = false;
      latest.scrollIntoView({ block: "nearest" });
    }
    progress.textContent = shown + " / " + items.length;
    nextButton.disabled = shown >= items.length;
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
    playButton.textContent = playButton.dataset.playLabel;
  }

  function next() {
    if (shown < items.length) {
      shown += 1;
      render();
    }
    if (shown >= items.length) {
      stop();
    }
  }

  function togglePlay() {
    if (timer !== null) {
      stop();
      return;
    }
    playButton.textContent = playButton.dataset.pauseLabel;
    timer = window.setInterval(next, 1500);
  }

  function showAll() {
    stop();
    shown = items.length;
    render();
  }

  nextButton.addEventListener("click", next);
  playButton.addEventListener("click", togglePlay);
  controls.querySelector("[data-action=all]").addEventListener("click", showAll);
  document.addEventListener("keydown", function (event) {
    if (event.target instanceof HTMLButtonElement) {
      return;
    }
    if (event.key === " " || event.key === "ArrowRight" || event.key === "PageDown") {
      event.preventDefault();
      next();
    }
  });
  controls.hidden = false;
  render();
})();
