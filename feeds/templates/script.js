"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    var done = function () { button.textContent = button.dataset.done; };
    var fallback = function () { field.select(); document.execCommand("copy"); done(); };
    if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, fallback);
    else fallback();
  });
});
(function () {
  var find = document.getElementById("find");
  if (!find) return;
  var box = document.getElementById("q"), order = document.getElementById("order");
  var none = document.getElementById("none"), collator = new Intl.Collator(document.documentElement.lang);
  var groups = Array.prototype.map.call(document.querySelectorAll(".scopes"), function (list) {
    var items = Array.prototype.slice.call(list.children);
    var names = items.map(function (li) { return li.firstElementChild.textContent; });
    return {list: list, items: items, names: names, lower: names.map(function (n) { return n.toLowerCase(); }), byName: null};
  });
  function filter() {
    var q = box.value.trim().toLowerCase(), shown = 0;
    groups.forEach(function (g) {
      var n = 0;
      g.items.forEach(function (li, i) { var hit = g.lower[i].indexOf(q) >= 0; li.hidden = !hit; if (hit) n++; });
      g.list.parentElement.hidden = n === 0;
      shown += n;
    });
    none.hidden = shown > 0;
  }
  function sort() {
    groups.forEach(function (g) {
      if (order.value === "name" && !g.byName) {
        g.byName = g.items.map(function (li, i) { return i; }).sort(function (a, b) { return collator.compare(g.names[a], g.names[b]); })
          .map(function (i) { return g.items[i]; });
      }
      var fragment = document.createDocumentFragment();
      (order.value === "name" ? g.byName : g.items).forEach(function (li) { fragment.appendChild(li); });
      g.list.appendChild(fragment);
    });
  }
  box.addEventListener("input", filter);
  order.addEventListener("change", sort);
  find.addEventListener("submit", function (event) { event.preventDefault(); });
  find.hidden = false;
  if (box.value) filter();
  if (order.value !== "count") sort();
})();
