// BOI: what a person saw and did, sent in batches with navigator.sendBeacon to /api/impresiones.
// No cookies, no storage, no identifiers: the server derives a daily visitor id and forgets the rest.
// A search result counts once per page view, and only when it stayed at least half visible for a second:
// results of a query still being typed are replaced before that and never count.
(function () {
  "use strict";
  var root = document.querySelector("[data-beacon]");
  if (!root || !window.IntersectionObserver || !navigator.sendBeacon) { return; }
  var endpoint = root.getAttribute("data-beacon");
  var DWELL_MS = 1000, FLUSH_MS = 5000, MAX_BATCH = 50;
  var queue = [], seen = {}, timers = new Map();
  var params = new URLSearchParams(location.search);
  var utm = {};
  ["utm_source", "utm_medium", "utm_campaign"].forEach(function (k) {
    if (params.get(k)) { utm[k] = params.get(k).slice(0, 100); }
  });
  window.boiBeacon = { sent: 0, queued: function () { return queue.length; } };

  function flush() {
    while (queue.length) {
      var batch = { events: queue.splice(0, MAX_BATCH) };
      Object.keys(utm).forEach(function (k) { batch[k] = utm[k]; });
      var blob = new Blob([JSON.stringify(batch)], { type: "application/json" });
      if (navigator.sendBeacon(endpoint, blob)) { window.boiBeacon.sent += batch.events.length; }
    }
  }
  function add(event, once) {
    var key = event.kind + ":" + event.call_id;
    if (once && seen[key]) { return; }
    seen[key] = true;
    queue.push(event);
    if (queue.length >= MAX_BATCH) { flush(); }
  }
  function callIdOf(card) {
    var link = card.querySelector("h2 a[href^='/convocatorias/']");
    return link ? decodeURIComponent(link.getAttribute("href").split("/")[2] || "") : "";
  }
  var list = document.getElementById("resultados");
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var card = entry.target;
      if (entry.isIntersecting && !timers.has(card)) {
        timers.set(card, setTimeout(function () {
          timers.delete(card);
          if (!card.isConnected) { return; }
          var items = Array.prototype.slice.call(list.children);
          var offset = parseInt(list.getAttribute("data-offset") || "0", 10) || 0;
          add({ kind: "search_result", call_id: callIdOf(card),
                position: offset + items.indexOf(card.parentNode) }, true);
        }, DWELL_MS));
      } else if (!entry.isIntersecting && timers.has(card)) {
        clearTimeout(timers.get(card)); timers.delete(card);
      }
    });
  }, { threshold: 0.5 });
  function watch() {
    if (!list) { return; }
    timers.forEach(function (t, card) { if (!card.isConnected) { clearTimeout(t); timers.delete(card); } });
    list.querySelectorAll("article.card").forEach(function (card) { observer.observe(card); });
  }
  if (list) {
    watch();
    new MutationObserver(function () {
      list.setAttribute("data-offset", "0"); // results rendered by search.js start at rank 0
      watch();
    }).observe(list, { childList: true });
  }
  var call = root.getAttribute("data-call-id");
  document.querySelectorAll(".share a").forEach(function (a) {
    a.addEventListener("click", function () {
      add({ kind: "share", call_id: call, network: a.getAttribute("data-network") || "otro" }, false);
      flush();
    });
  });
  document.querySelectorAll("button[data-impact]").forEach(function (button) {
    button.addEventListener("click", function () {
      add({ kind: button.getAttribute("data-impact"), call_id: call }, true);
      flush();
      var thanks = document.getElementById("impacto-gracias");
      if (thanks) { thanks.hidden = false; }
      button.disabled = true;
    });
  });
  setInterval(flush, FLUSH_MS);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { flush(); } });
  window.addEventListener("pagehide", flush);
})();
