// BOI: search as you type. Talks to Meilisearch directly with a short-lived tenant token from
// /api/buscador (search only, restricted to published calls). Without JavaScript the form still works.
// Every text goes into the page with textContent: nothing from the index is parsed as HTML.
(function () {
  "use strict";
  var form = document.getElementById("buscar");
  if (!form || !window.fetch) { return; }
  var results = document.getElementById("resultados");
  var count = document.getElementById("conteo");
  var empty = document.getElementById("vacio");
  var facetsBox = document.getElementById("facetas");
  var pager = document.querySelector(".pager");
  var MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
    "septiembre", "octubre", "noviembre", "diciembre"];
  var ELIGIBILITY = { si: "Colombia: puede postularse", no: "Colombia: no elegible",
    sin_dato: "Colombia: elegibilidad sin confirmar" };
  var STATUSES = '["publicada", "cierra_pronto"]';
  var config = null;
  var timer = null;
  var seq = 0;
  window.boiSearch = { timings: [], searches: 0 };

  function labels(select) {
    var map = {};
    for (var i = 0; i < select.options.length; i++) { map[select.options[i].value] = select.options[i].text; }
    return map;
  }
  var typeLabels = labels(form.elements.type);
  var languageLabels = labels(form.elements.language);
  // Facet → [URL parameter, heading, labels]; the same order and words as the server's _facets.html.
  var FACETS = [["call_type", "type", "Tipo", typeLabels], ["sectors", "sector", "Sector", null],
    ["ods", "ods", "Objetivo de Desarrollo Sostenible", labels(form.elements.ods)],
    ["audience", "audience", "Público", labels(form.elements.audience)],
    ["modality", "modality", "Modalidad", labels(form.elements.modality)],
    ["colombia_eligible", "eligibility", "Elegibilidad para Colombia", ELIGIBILITY],
    ["language", "language", "Idioma", languageLabels]];
  var FILTERS = { type: "call_type", eligibility: "colombia_eligible", language: "language",
    sector: "sectors", audience: "audience", modality: "modality" };

  function quote(v) { return '"' + String(v).replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"'; }
  function deadlineLabel(d) {
    if (!d) { return "Sin fecha de cierre"; }
    var p = d.split("-");
    return "Cierre: " + parseInt(p[2], 10) + " de " + MONTHS[parseInt(p[1], 10) - 1] + " de " + p[0];
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function getConfig() {
    if (config && config.expires_at - Date.now() / 1000 > 60) { return Promise.resolve(config); }
    return fetch(form.getAttribute("data-config"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("config " + r.status); } return r.json(); })
      .then(function (c) { config = c; return c; });
  }
  function body() {
    var f = form.elements, filter = ["status IN " + STATUSES], sort = f.sort.value;
    Object.keys(FILTERS).forEach(function (n) {
      if (f[n].value) { filter.push(FILTERS[n] + " = " + quote(f[n].value)); }
    });
    if (/^([1-9]|1[0-7])$/.test(f.ods.value)) { filter.push("ods = " + f.ods.value); }
    var b = { q: f.q.value.trim().slice(0, 200), filter: filter, page: 1, hitsPerPage: 20, facets: config.facets,
      attributesToRetrieve: ["id", "title", "summary", "call_type", "deadline", "colombia_eligible", "url"] };
    if (sort === "cierra_pronto") {
      filter.push("deadline_ts >= " + Math.floor(Date.now() / 1000)); b.sort = ["deadline_ts:asc"];
    } else if (sort === "recientes" || !b.q) { b.sort = ["published_ts:desc"]; }
    return b;
  }
  function card(hit) {
    var li = el("li"), art = el("article", "card"), h2 = el("h2"), a = el("a", "", hit.title || "");
    a.href = "/convocatorias/" + encodeURIComponent(hit.id);
    h2.appendChild(a); art.appendChild(h2);
    var meta = el("ul", "meta");
    meta.appendChild(el("li", "type", typeLabels[hit.call_type] || "Sin clasificar"));
    meta.appendChild(el("li", "deadline", deadlineLabel(hit.deadline)));
    meta.appendChild(el("li", "eligibility", ELIGIBILITY[hit.colombia_eligible] || ELIGIBILITY.sin_dato));
    art.appendChild(meta);
    art.appendChild(el("p", "summary", hit.summary || ""));
    if (/^https?:\/\//i.test(hit.url || "")) {
      var src = el("a", "official", "Ver la fuente oficial");
      src.href = "/ir/" + encodeURIComponent(hit.id); src.rel = "noopener noreferrer nofollow";
      art.appendChild(src);
    }
    li.appendChild(art);
    return li;
  }
  function facetHref(param, value) {
    var params = new URLSearchParams(new FormData(form));
    params.set(param, value); params.delete("page");
    params.forEach(function (v, k) { if (!v) { params.delete(k); } });
    return "?" + params.toString();
  }
  function sectorLabel(v) { return v.charAt(0).toUpperCase() + v.slice(1); }
  function showSectors(values) {
    var select = form.elements.sector, chosen = select.value;
    if (chosen && values.indexOf(chosen) < 0) { values.push(chosen); }
    while (select.options.length > 1) { select.remove(1); }
    values.sort().forEach(function (v) { select.add(new Option(sectorLabel(v), v, false, v === chosen)); });
  }
  function showFacets(dist) {
    facetsBox.textContent = "";
    dist = dist || {};
    showSectors(Object.keys(dist.sectors || {}));
    FACETS.forEach(function (facet) {
      var values = dist[facet[0]] || {}, keys = Object.keys(values), chosen = form.elements[facet[1]].value;
      if (!keys.length) { return; }
      keys.sort(function (a, b) { return values[b] - values[a] || (a < b ? -1 : 1); });
      var box = el("details", "facet"), ul = el("ul");
      box.appendChild(el("summary", "", facet[2]));
      keys.forEach(function (v) {
        var li = el("li"), a = el("a", "", facet[3] ? (facet[3][v] || v) : sectorLabel(v));
        a.href = facetHref(facet[1], v);
        if (v === chosen) { a.setAttribute("aria-current", "true"); box.open = true; }
        li.appendChild(a); li.appendChild(document.createTextNode(" "));
        li.appendChild(el("span", "n", String(values[v])));
        ul.appendChild(li);
      });
      box.appendChild(ul);
      facetsBox.appendChild(box);
    });
  }
  // Direct: Meilisearch with the tenant token. Default: the site's API, which was measured faster here
  // (a browser's keep-alive connection to Meilisearch stalls ~40 ms on responses over 2 KB, docs/architecture.md).
  function fetchDirect() {
    return getConfig().then(function (c) {
      return fetch(c.url + "/indexes/" + encodeURIComponent(c.index) + "/search", {
        method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer " + c.token },
        body: JSON.stringify(body())
      }).then(function (r) { if (!r.ok) { throw new Error("search " + r.status); } return r.json(); })
        .then(function (data) { return data; });
    });
  }
  function fetchApi() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v) { params.append(k, v); } });
    return fetch(form.getAttribute("data-api") + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("search " + r.status); } return r.json(); })
      .then(function (data) {
        return { totalHits: data.total, facetDistribution: data.facets,
          hits: data.hits.map(function (h) { h.id = h.call_id; return h; }) };
      });
  }
  function search() {
    var mine = ++seq;
    var started = performance.now();
    (form.getAttribute("data-mode") === "meili" ? fetchDirect() : fetchApi())
        .then(function (data) {
          window.boiSearch.timings.push(performance.now() - started);
          if (mine !== seq) { return; }
          results.textContent = "";
          data.hits.forEach(function (h) { results.appendChild(card(h)); });
          var n = data.totalHits || 0, q = form.elements.q.value.trim();
          count.textContent = (n === 1 ? "1 convocatoria" : n + " convocatorias") + (q ? " para «" + q + "»" : "");
          empty.hidden = data.hits.length > 0;
          if (pager) { pager.hidden = true; }
          showFacets(data.facetDistribution);
          window.boiSearch.searches += 1;
          history.replaceState(null, "", "?" + new URLSearchParams(new FormData(form)).toString());
        }).catch(function () { /* the server-rendered page stays as it is; submitting still works */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(search, 150); }
  form.elements.q.addEventListener("input", later);
  ["type", "eligibility", "language", "sector", "ods", "audience", "modality", "sort"].forEach(function (n) {
    form.elements[n].addEventListener("change", later);
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); search(); });
})();
