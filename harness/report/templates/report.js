"use strict";
(function () {
  var connector = document.getElementById("f-connector");
  var status = document.getElementById("f-status");
  var count = document.getElementById("f-count");
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.conn"));
  var matrixRows = {};
  document.querySelectorAll("#matrix tbody tr").forEach(function (tr) { matrixRows[tr.dataset.c] = tr; });

  function matches(state, wanted) {
    if (!wanted) return true;
    if (wanted === "failing") return state === "failed" || state === "error";
    return state === wanted;
  }

  function apply() {
    var c = connector.value, s = status.value, shownSections = 0, shownChecks = 0;
    sections.forEach(function (section) {
      var visible = !c || section.dataset.c === c;
      var any = false;
      section.querySelectorAll(".ck").forEach(function (row) {
        var ok = visible && matches(row.dataset.s, s);
        row.hidden = !ok;
        if (ok) { any = true; shownChecks += 1; }
      });
      // the collapsed passed checks: opened when a reader asks for passed checks, hidden with them
      section.querySelectorAll("details.passed").forEach(function (group) {
        group.hidden = !group.querySelector(".ck:not([hidden])");
        if (s === "passed" && !group.hidden) group.open = true;
      });
      section.querySelectorAll(".fam").forEach(function (fam) {
        fam.hidden = !fam.querySelector(".ck:not([hidden])");
      });
      visible = visible && (any || !s);
      section.hidden = !visible;
      if (matrixRows[section.dataset.c]) matrixRows[section.dataset.c].hidden = !visible;
      if (visible) shownSections += 1;
    });
    document.querySelectorAll("#diff [data-c]").forEach(function (el) { el.hidden = !!c && el.dataset.c !== c; });
    count.textContent = shownSections + " connector(s), " + shownChecks + " check(s) shown";
  }

  // The masked request/response of each step: a gzip+base64 JSON array per connector, decoded on demand.
  var cache = new WeakMap();
  function payloads(section) {
    if (!cache.has(section)) {
      var blob = section.querySelector("script.payloads");
      var promise;
      if (!blob || !window.DecompressionStream) {
        promise = Promise.reject(new Error("this browser cannot decompress the payloads; read results.json"));
      } else {
        var bytes = Uint8Array.from(atob(blob.textContent.trim()), function (ch) { return ch.charCodeAt(0); });
        var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
        promise = new Response(stream).text().then(JSON.parse);
      }
      cache.set(section, promise);
    }
    return cache.get(section);
  }

  document.addEventListener("toggle", function (event) {
    var el = event.target;
    if (!el.classList || !el.classList.contains("pl") || !el.open || el.dataset.loaded) return;
    el.dataset.loaded = "1";
    var pre = el.querySelector("pre");
    payloads(el.closest("section.conn")).then(function (list) {
      pre.textContent = JSON.stringify(list[Number(el.dataset.p)], null, 2);
    }, function (error) { pre.textContent = String(error.message || error); });
  }, true);

  // how far below the sticky filter bar a linked heading must stop (the bar wraps on narrow screens)
  var nav = document.querySelector("nav.filters");
  function navHeight() { document.documentElement.style.setProperty("--nav-h", nav.offsetHeight + "px"); }
  window.addEventListener("resize", navHeight);
  navHeight();

  connector.addEventListener("change", apply);
  status.addEventListener("change", apply);
  apply();
})();
