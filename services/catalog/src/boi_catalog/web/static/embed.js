// BOI embeddable search: replaces this script tag's place with an iframe of /embed (no cookies, no key).
(function () {
  var me = document.currentScript;
  if (!me) return;
  var base = new URL(me.src);
  var url = new URL("/embed", base.origin);
  ["type", "q", "eligibility", "limit"].forEach(function (name) {
    var value = me.getAttribute("data-" + name);
    if (value) url.searchParams.set(name, value);
  });
  var frame = document.createElement("iframe");
  frame.src = url.toString();
  frame.title = me.getAttribute("data-title") || "Convocatorias internacionales";
  frame.loading = "lazy";
  frame.referrerPolicy = "strict-origin-when-cross-origin";
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.height = (parseInt(me.getAttribute("data-height"), 10) || 520) + "px";
  me.parentNode.insertBefore(frame, me);
})();
