// The subscription form subscribes to the search as it is now: the filters may have changed without a
// page load (search as you type), so their current values are copied in when the form is sent.
(function () {
  "use strict";
  var form = document.getElementById("suscripcion");
  var search = document.getElementById("buscar");
  if (!form || !search) return;
  form.addEventListener("submit", function () {
    ["q", "type", "eligibility", "language"].forEach(function (name) {
      var field = search.elements.namedItem(name);
      var hidden = form.querySelector('input[type=hidden][name="' + name + '"]');
      if (field && hidden) hidden.value = field.value;
    });
  });
})();
