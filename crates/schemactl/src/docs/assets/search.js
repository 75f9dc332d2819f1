// schemactl docs: the search box of every page. The entries come from search-index.js
// (window.SC_SEARCH: title, kind, page, words); links are made relative to this page.
(function () {
  "use strict";
  var input = document.getElementById("search");
  var list = document.getElementById("results");
  var root = document.body.getAttribute("data-root") || "";
  var entries = window.SC_SEARCH || [];
  var MAX = 30;

  function show(query) {
    var q = query.trim().toLowerCase();
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!q) { list.hidden = true; return; }
    // Ranked: the exact name, then names that start with the query, names that contain
    // it, and last entries whose description does; in catalog order within a rank.
    var ranked = [];
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i], t = e.t.toLowerCase(), rank;
      if (t === q) rank = 0;
      else if (t.indexOf(q) === 0) rank = 1;
      else if (t.indexOf(q) > 0) rank = 2;
      else if (e.x.toLowerCase().indexOf(q) >= 0) rank = 3;
      else continue;
      ranked.push({ rank: rank, at: i, e: e });
    }
    ranked.sort(function (a, b) { return a.rank - b.rank || a.at - b.at; });
    var hits = ranked.slice(0, MAX).map(function (r) { return r.e; });
    if (hits.length === 0) {
      var none = document.createElement("li");
      none.textContent = "Nothing matches " + query;
      list.appendChild(none);
    }
    hits.forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + e.u;
      a.textContent = e.t;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = e.k;
      li.appendChild(a);
      li.appendChild(kind);
      list.appendChild(li);
    });
    list.hidden = false;
  }

  input.addEventListener("input", function () { show(input.value); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { input.value = ""; show(""); }
    if (ev.key === "Enter") {
      var first = list.querySelector("a");
      if (first) window.location.href = first.href;
    }
  });
})();
