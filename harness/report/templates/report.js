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
      // the collapsed passed checks: opened when a reader asks for passed checks, hidden with them;
      // a group not listed yet (packed, see below) holds data-n passed checks
      section.querySelectorAll("details.passed").forEach(function (group) {
        if (packedGroup(group)) {
          var ok = visible && matches("passed", s);
          group.hidden = !ok;
          if (ok) { any = true; shownChecks += Number(group.dataset.n); }
        } else {
          group.hidden = !group.querySelector(".ck:not([hidden])");
        }
        if (s === "passed" && !group.hidden) group.open = true;
      });
      section.querySelectorAll(".fam").forEach(function (fam) {
        fam.hidden = !fam.querySelector(".ck:not([hidden])") &&
          !Array.prototype.some.call(fam.querySelectorAll("details.passed"), function (g) {
            return packedGroup(g) && !g.hidden;
          });
      });
      visible = visible && (any || !s);
      section.hidden = !visible;
      if (matrixRows[section.dataset.c]) matrixRows[section.dataset.c].hidden = !visible;
      if (visible) shownSections += 1;
    });
    document.querySelectorAll("#diff [data-c]").forEach(function (el) { el.hidden = !!c && el.dataset.c !== c; });
    count.textContent = shownSections + " connector(s), " + shownChecks + " check(s) shown";
  }

  // What a connector's section keeps packed, decoded on demand: the masked request/response of each
  // step (script.payloads) and the rows of its collapsed passed checks (script.rows), each a
  // gzip+base64 JSON array.
  var cache = {payloads: new WeakMap(), rows: new WeakMap()};
  function unpacked(section, kind) {
    if (!cache[kind].has(section)) {
      var blob = section.querySelector("script." + kind);
      var promise;
      if (!blob || !window.DecompressionStream) {
        promise = Promise.reject(new Error("this browser cannot decompress the " + kind + "; read results.json"));
      } else {
        var bytes = Uint8Array.from(atob(blob.textContent.trim()), function (ch) { return ch.charCodeAt(0); });
        var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
        promise = new Response(stream).text().then(JSON.parse);
      }
      cache[kind].set(section, promise);
    }
    return cache[kind].get(section);
  }
  function payloads(section) { return unpacked(section, "payloads"); }

  var applying = false;
  function applySoon() {  // once for every group listed together (the passed filter opens them all)
    if (applying) return;
    applying = true;
    setTimeout(function () { applying = false; apply(); }, 0);
  }
  function packedGroup(group) { return group.dataset.r !== undefined && !group.dataset.listed; }
  // a packed group of passed checks lists its rows when it opens, then the filters apply to them
  function list(group) {
    group.dataset.listed = "1";
    unpacked(group.closest("section.conn"), "rows").then(function (rows) {
      group.insertAdjacentHTML("beforeend", rows[Number(group.dataset.r)]);
      applySoon();
    }, function (error) {
      var p = document.createElement("p");
      p.textContent = String(error.message || error);
      group.appendChild(p);
    });
  }
  document.addEventListener("toggle", function (event) {
    var el = event.target;
    if (el.classList && el.classList.contains("passed") && el.open && packedGroup(el)) list(el);
  }, true);

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
