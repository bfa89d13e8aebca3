// Progressive enhancement only: every form works without this file.
// The language menu applies a choice at once instead of waiting for its button.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
});
