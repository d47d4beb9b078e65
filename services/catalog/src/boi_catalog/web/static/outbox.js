// The outbox's "Copiar" buttons: copy a draft's text to the clipboard (nothing is posted from here).
document.querySelectorAll("button.copy").forEach(function (button) {
  button.addEventListener("click", function () {
    var area = document.getElementById(button.dataset.copy);
    if (!area) return;
    var done = function () { button.textContent = "Copiado"; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(area.value).then(done, function () { area.select(); });
    } else {
      area.select();
      document.execCommand("copy");
      done();
    }
  });
});
