/* simtool report: renders the embedded JSON lazily with plain DOM calls.
 * Notice text only ever reaches the page through textContent / createTextNode. */
(function () {
  "use strict";

  var D = JSON.parse(document.getElementById("report-data").textContent);
  var N = D.notices;
  var PAIRS_PER_PAGE = 10;
  var PHRASES_STEP = 50;
  var CARDS_STEP = 30;
  var PALETTE = ["#f6c3bd", "#bcd6f2", "#c9e6c1", "#f5dba4", "#d9c6ef", "#b7e3e1", "#f2c2da", "#dedbb4"];
  var OTHER = "#e1e5ea";

  /* ---------- small helpers ---------- */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "class") node.setAttribute("class", v);
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, String(v));
    });
  }

  function append(node, children) {
    if (children === null || children === undefined || children === false) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
    });
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function byId(id) { return document.getElementById(id); }

  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }

  function short(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  function name(i) { var n = N[i]; return n.unit || n.title || n.id; }

  function label(i) { return "#" + (i + 1) + " " + name(i); }

  function blank(s) { return !/\S/.test(s); }

  /* white → orange → deep red, for ratios in [0, 1] */
  var STOPS = [[0, [255, 247, 236]], [0.1, [253, 212, 158]], [0.3, [252, 141, 89]], [0.6, [215, 48, 31]], [1, [127, 0, 0]]];
  function heat(v) {
    v = Math.max(0, Math.min(1, v || 0));
    for (var k = 1; k < STOPS.length; k++) {
      if (v <= STOPS[k][0]) {
        var a = STOPS[k - 1], b = STOPS[k], t = (v - a[0]) / (b[0] - a[0]);
        var c = a[1].map(function (x, j) { return Math.round(x + (b[1][j] - x) * t); });
        return "rgb(" + c.join(",") + ")";
      }
    }
    return "rgb(127,0,0)";
  }

  function ratioCell(v) {
    if (v === null || v === undefined) return el("span", { class: "note" }, "—");
    return el("span", { class: "ratio" }, [
      pct(v),
      el("span", { class: "bar" }, el("i", { style: "width:" + Math.round(v * 100) + "%;background:" + heat(0.2 + 0.8 * v) })),
    ]);
  }

  function jump(id) {
    var target = byId(id);
    if (target && target.scrollIntoView) target.scrollIntoView({ block: "start" });
  }

  function safely(fn) {
    try { fn(); } catch (e) { if (window.reportError) window.reportError(e && e.stack ? e.stack : String(e)); else throw e; }
  }

  function moreButton(box, shown, total, step, render) {
    if (shown >= total) return;
    box.appendChild(el("button", {
      class: "more",
      onclick: function (ev) { ev.target.remove(); render(Math.min(total, shown + step)); },
    }, "显示更多（还有 " + (total - shown) + " 项）"));
  }

  /* ---------- summary findings ---------- */

  function renderFindings() {
    var box = byId("findings");
    var items = [];
    if (D.pairs.length) {
      var p = D.pairs[0];
      var top = Math.max(p.sub_a === null ? p.ratio_a : p.sub_a, p.sub_b === null ? p.ratio_b : p.sub_b);
      var from = (p.sub_a === null ? p.ratio_a : p.sub_a) >= (p.sub_b === null ? p.ratio_b : p.sub_b) ? [p.a, p.b] : [p.b, p.a];
      items.push(el("div", { class: "finding" }, [
        el("h3", null, p.sub_a === null ? "重合最多的一对通报" : "重合最多的一对通报（去除套话后）"),
        el("span", { class: "big" }, pct(top)),
        el("span", { class: "link", onclick: function () { openPair(p.a, p.b); } }, label(from[0]) + " 的文字与 " + label(from[1]) + " 相同"),
      ]));
    }
    var best = N.slice().sort(function (x, y) { return (y.copy_ratio || 0) - (x.copy_ratio || 0) || x.index - y.index; })[0];
    if (best) {
      items.push(el("div", { class: "finding" }, [
        el("h3", null, "总文字复制比最高的通报"),
        el("span", { class: "big" }, pct(best.copy_ratio)),
        el("span", { class: "link", onclick: function () { showNotice(best.index); jump("notice-view"); } }, label(best.index)),
      ]));
    }
    var ph = D.phrases.items.filter(function (x) { return x.formulaic && x.level !== "提法"; })[0];
    items.push(el("div", { class: "finding" }, ph ? [
      el("h3", null, "使用最广的套话"),
      el("span", { class: "big" }, ph.notices + " 篇"),
      el("span", { class: "phrase-text" }, "“" + short(ph.phrase, 60) + "”"),
      ph.variant_count > 1 ? el("span", { class: "note" }, "（" + ph.variant_count + " 种写法）") : null,
    ] : [el("h3", null, "套话"), D.meta.formulaic_known ? "没有被多篇通报共用的整句套话。" : "通报太少，未识别出套话。"]));
    append(box, items);
  }

  /* ---------- notice table ---------- */

  var COLUMNS = [
    { key: "index", title: "序号", num: true, cell: function (r) { return String(r.index + 1); } },
    { key: "unit", title: "单位 / 标题", sortValue: function (r) { return (r.unit || "") + r.title; },
      cell: function (r) {
        var rest = r.unit && r.title.indexOf(r.unit) === 0 ? r.title.slice(r.unit.length) : r.title;
        return [r.unit || "", el("span", { class: "rest" }, short(rest, 26))];
      } },
    { key: "date", title: "日期", nowrap: true, sortValue: function (r) { return r.date || ""; }, cell: function (r) { return r.date || "—"; } },
    { key: "chars", title: "字数", num: true, cell: function (r) { return String(r.chars); } },
    { key: "copy_ratio", title: "总文字复制比", num: true, ratio: true },
    { key: "copy_ratio_substantive", title: "去除套话复制比", num: true, ratio: true },
    { key: "max_source_ratio", title: "单篇最大复制比", num: true, ratio: true },
    { key: "copy_ratio_earlier", title: "与更早通报相同", num: true, ratio: true },
    { key: "max_source", title: "最大来源", nowrap: true, sortValue: function (r) { return r.max_source === null ? "" : name(r.max_source); },
      cell: function (r) {
        if (r.max_source === null) return "—";
        return el("a", { href: "#pairs", onclick: function (ev) { ev.preventDefault(); ev.stopPropagation(); openPair(r.index, r.max_source); } },
          short(label(r.max_source), 16));
      } },
  ];
  var sortState = { key: "copy_ratio", dir: -1 };

  function sortedNotices() {
    var col = COLUMNS.filter(function (c) { return c.key === sortState.key; })[0];
    var value = col.sortValue || function (r) { return r[col.key]; };
    return N.slice().sort(function (x, y) {
      var a = value(x), b = value(y);
      if (a === null || a === undefined) return b === null || b === undefined ? x.index - y.index : 1;
      if (b === null || b === undefined) return -1;
      var c = typeof a === "string" ? a.localeCompare(b, "zh-CN") : a - b;
      return c * sortState.dir || x.index - y.index;
    });
  }

  function renderNoticeTable() {
    var box = clear(byId("notice-table"));
    var head = el("tr", null, COLUMNS.map(function (c) {
      var on = sortState.key === c.key;
      return el("th", {
        class: "sortable" + (c.num ? " num" : ""), scope: "col", title: "点击排序",
        "aria-sort": on ? (sortState.dir > 0 ? "ascending" : "descending") : null,
        onclick: function () {
          sortState = { key: c.key, dir: on ? -sortState.dir : (c.ratio || c.key === "chars" ? -1 : 1) };
          renderNoticeTable();
        },
      }, [c.title, on ? el("span", { class: "arrow" }, sortState.dir > 0 ? "▲" : "▼") : null]);
    }));
    var body = el("tbody");
    sortedNotices().forEach(function (r) {
      body.appendChild(el("tr", {
        class: "clickable", title: r.id,
        onclick: function () { showNotice(r.index); jump("notice-view"); },
      }, COLUMNS.map(function (c) {
        return el("td", { class: c.num ? "num" : c.nowrap ? "nowrap" : null }, c.ratio ? ratioCell(r[c.key]) : c.cell(r));
      })));
    });
    box.appendChild(el("table", { class: "data", id: "notice-rows" }, [el("thead", null, head), body]));
  }

  /* ---------- heatmap ---------- */

  var heatMode = "total";

  function renderHeatmapControls() {
    var H = D.heatmap;
    var box = clear(byId("heatmap-controls"));
    if (H.substantive) {
      [["total", "总文字复制比"], ["substantive", "去除套话复制比"]].forEach(function (m) {
        box.appendChild(el("label", null, [
          el("input", { type: "radio", name: "heat-mode", value: m[0], checked: heatMode === m[0] ? "checked" : null,
                        onchange: function () { heatMode = m[0]; renderHeatmap(); } }),
          " " + m[1],
        ]));
      });
    }
    box.appendChild(el("span", { class: "legend", id: "heat-legend" }));
    if (H.candidates > H.notices.length) {
      box.appendChild(el("span", { class: "note" }, "仅显示重合文字最多的 " + H.notices.length + " 篇（共 " + H.candidates + " 篇有重合）"));
    }
  }

  /* the top of the colour scale: the largest value rounded up to 5 %, 10 %, 20 %, 50 % or 100 % */
  function scaleMax(M) {
    var top = 0;
    M.forEach(function (row) { row.forEach(function (v) { if (v > top) top = v; }); });
    var steps = [0.05, 0.1, 0.2, 0.5, 1];
    for (var k = 0; k < steps.length; k++) if (top <= steps[k]) return steps[k];
    return 1;
  }

  function renderHeatmap() {
    var H = D.heatmap;
    var box = clear(byId("heatmap"));
    var ids = H.notices, n = ids.length;
    if (!n) { box.appendChild(el("p", { class: "note" }, "没有发现通报之间的相同文字。")); return; }
    var M = heatMode === "substantive" && H.substantive ? H.substantive : H.total;
    var vmax = scaleMax(M);
    var legend = clear(byId("heat-legend"));
    append(legend, ["0", el("span", { class: "scale", style: "background:linear-gradient(90deg," +
      [0, 0.1, 0.3, 0.6, 1].map(heat).join(",") + ")" }), pct(vmax).replace(".0%", "%") + (vmax < 1 ? " 及以上" : ""),
      el("span", { class: "note" }, "　格中数字为百分比")]);
    var cell = Math.max(12, Math.min(34, Math.floor(900 / n)));
    var font = Math.min(12, cell - 2);
    var left = 190, top = n > 20 ? 44 : 28;
    var g = svg("svg", { width: left + n * cell + 4, height: top + n * cell + 4, role: "img",
                         "aria-label": "通报两两重合热力图", id: "heatmap-svg" });
    ids.forEach(function (i, k) {
      g.appendChild(svg("text", { x: left - 8, y: top + k * cell + cell / 2 + font / 3, "text-anchor": "end", "font-size": font },
        short(label(i), 14)));
      var cx = left + k * cell + cell / 2;
      g.appendChild(n > 20
        ? svg("text", { x: cx + font / 3, y: top - 6, "font-size": font - 1, transform: "rotate(-90 " + (cx + font / 3) + " " + (top - 6) + ")" }, String(i + 1))
        : svg("text", { x: cx, y: top - 8, "font-size": 12, "text-anchor": "middle" }, String(i + 1)));
    });
    for (var r = 0; r < n; r++) {
      for (var c = 0; c < n; c++) {
        var x = left + c * cell, y = top + r * cell;
        if (r === c) {
          g.appendChild(svg("rect", { x: x, y: y, width: cell - 1, height: cell - 1, fill: "#eef1f4" }));
          continue;
        }
        var v = M[r][c];
        var rect = svg("rect", { class: "cell", x: x, y: y, width: cell - 1, height: cell - 1,
                                 fill: v ? heat(0.04 + 0.96 * v / vmax) : "#f7f8fa", "data-r": r, "data-c": c });
        rect.appendChild(svg("title", null, label(ids[r]) + "\n中有 " + pct(v || 0) + " 的文字与\n" + label(ids[c]) + " 相同"));
        g.appendChild(rect);
        if (cell >= 28 && v >= 0.01) {
          g.appendChild(svg("text", { x: x + cell / 2, y: y + cell / 2 + 4, "font-size": 10.5, "text-anchor": "middle",
                                      "pointer-events": "none", fill: v / vmax > 0.45 ? "#ffffff" : "#1f2933" }, String(Math.round(v * 100))));
        }
      }
    }
    g.addEventListener("click", function (ev) {
      var t = ev.target;
      if (!t.getAttribute || t.getAttribute("data-r") === null) return;
      openPair(ids[+t.getAttribute("data-r")], ids[+t.getAttribute("data-c")]);
    });
    box.appendChild(g);
  }

  /* ---------- similar pairs ---------- */

  var pairPage = 0;
  var openPairs = {};

  function pairIndex(a, b) {
    for (var k = 0; k < D.pairs.length; k++) {
      var p = D.pairs[k];
      if ((p.a === a && p.b === b) || (p.a === b && p.b === a)) return k;
    }
    return -1;
  }

  function openPair(a, b) {
    var k = pairIndex(a, b);
    if (k < 0) {
      showNotice(a, b);
      jump("notice-view");
      return;
    }
    openPairs[k] = true;
    renderPairs(Math.floor(k / PAIRS_PER_PAGE));
    var item = byId("pair-" + k);
    Array.prototype.forEach.call(document.querySelectorAll(".pair.focus"), function (x) { x.classList.remove("focus"); });
    item.classList.add("focus");
    if (item.scrollIntoView) item.scrollIntoView({ block: "start" });
  }

  function marked(text, same) {
    var frag = document.createDocumentFragment();
    var pos = 0;
    function diff(s) { frag.appendChild(blank(s) ? document.createTextNode(s) : el("mark", { class: "diff" }, s)); }
    for (var i = 0; i < same.length; i += 2) {
      var s = Math.max(same[i], pos), e = same[i + 1];
      if (s > pos) diff(text.slice(pos, s));
      if (e > s) frag.appendChild(el("span", { class: "same" }, text.slice(s, e)));
      pos = Math.max(pos, e);
    }
    if (pos < text.length) diff(text.slice(pos));
    return frag;
  }

  function sideHead(i, ratio, sub, isSource) {
    var n = N[i];
    return el("div", null, [
      el("b", null, label(i)), isSource ? el("span", { class: "chip" }, "可能的来源") : null,
      el("span", { class: "sub" }, short(n.title, 48) + (n.date ? " · " + n.date : "")),
      el("span", { class: "sub" }, "相同文字占本篇 " + pct(ratio) + (sub === null ? "" : "，去除套话后 " + pct(sub))),
    ]);
  }

  function pairBody(p) {
    var body = el("div", { class: "pair-body" });
    body.appendChild(el("div", { class: "side-head" }, [
      sideHead(p.a, p.ratio_a, p.sub_a, p.source === p.a),
      sideHead(p.b, p.ratio_b, p.sub_b, p.source === p.b),
    ]));
    var A = N[p.a].text, B = N[p.b].text;
    p.passages.forEach(function (q) {
      body.appendChild(el("div", { class: "passage" }, [
        el("div", { class: "text" }, [el("span", { class: "pos" }, "A 第 " + q[0] + "–" + q[1] + " 字 · 相似度 " + q[4].toFixed(2)), marked(A.slice(q[0], q[1]), q[5])]),
        el("div", { class: "text" }, [el("span", { class: "pos" }, "B 第 " + q[2] + "–" + q[3] + " 字"), marked(B.slice(q[2], q[3]), q[6])]),
      ]));
    });
    body.appendChild(el("p", { class: "note" }, [
      "逐篇查看：",
      el("a", { href: "#notice-view", onclick: function (ev) { ev.preventDefault(); showNotice(p.a, p.b); jump("notice-view"); } }, label(p.a)),
      "　",
      el("a", { href: "#notice-view", onclick: function (ev) { ev.preventDefault(); showNotice(p.b, p.a); jump("notice-view"); } }, label(p.b)),
    ]));
    return body;
  }

  function pairItem(p, k) {
    var item = el("div", { class: "pair", id: "pair-" + k });
    var top = Math.max(p.sub_a === null ? p.ratio_a : p.sub_a, p.sub_b === null ? p.ratio_b : p.sub_b);
    var head = el("button", { class: "pair-head", type: "button", "aria-expanded": openPairs[k] ? "true" : "false" }, [
      el("span", { class: "rank" }, String(k + 1)),
      el("span", { class: "names" }, [el("b", null, label(p.a)), el("span", { class: "vs" }, "↔"), el("b", null, label(p.b))]),
      el("span", { class: "stats" }, [
        el("strong", null, pct(top)), p.sub_a === null ? " 最高重合" : " 去除套话后最高重合",
        " · 占 A " + pct(p.ratio_a) + " · 占 B " + pct(p.ratio_b) + " · " + p.passages.length + " 段",
      ]),
    ]);
    item.appendChild(head);
    var body = null;
    function toggle(show) {
      if (show && !body) { body = pairBody(p); item.appendChild(body); }
      if (body) body.hidden = !show;
      openPairs[k] = show;
      head.setAttribute("aria-expanded", show ? "true" : "false");
    }
    head.addEventListener("click", function () { toggle(!openPairs[k]); });
    if (openPairs[k]) toggle(true);
    return item;
  }

  function pager(page, pages, go) {
    var bar = el("div", { class: "pager" });
    bar.appendChild(el("button", { type: "button", disabled: page === 0 ? "disabled" : null, onclick: function () { go(page - 1); } }, "上一页"));
    var last = -1;
    for (var i = 0; i < pages; i++) {
      if (i > 1 && i < pages - 2 && Math.abs(i - page) > 2) continue;
      if (last >= 0 && i > last + 1) bar.appendChild(el("span", { class: "note" }, "…"));
      (function (i) {
        bar.appendChild(el("button", { type: "button", class: i === page ? "on" : null, onclick: function () { go(i); } }, String(i + 1)));
      }(i));
      last = i;
    }
    bar.appendChild(el("button", { type: "button", disabled: page >= pages - 1 ? "disabled" : null, onclick: function () { go(page + 1); } }, "下一页"));
    return bar;
  }

  function renderPairs(page) {
    var box = clear(byId("pair-list"));
    var total = D.pairs.length;
    if (!total) { box.appendChild(el("p", { class: "note" }, "没有发现相似的通报对。")); return; }
    var pages = Math.ceil(total / PAIRS_PER_PAGE);
    pairPage = Math.max(0, Math.min(page, pages - 1));
    function go(p) { renderPairs(p); jump("pairs"); }
    var meta = D.meta;
    box.appendChild(el("p", { class: "note" }, "共 " + meta.pairs_total + " 对通报有相同文字" +
      (meta.pairs_total > total ? "，此处列出重合最多的 " + total + " 对（其余可在“逐篇查看”中按来源查看）" : "") + "。"));
    if (pages > 1) box.appendChild(pager(pairPage, pages, go));
    var list = el("div", { id: "pair-items" });
    for (var k = pairPage * PAIRS_PER_PAGE; k < Math.min(total, (pairPage + 1) * PAIRS_PER_PAGE); k++) {
      list.appendChild(pairItem(D.pairs[k], k));
    }
    box.appendChild(list);
    if (pages > 1) box.appendChild(pager(pairPage, pages, go));
  }

  /* ---------- formulaic phrases ---------- */

  function noticeLink(i) {
    return el("a", { class: "who", href: "#notice-view", onclick: function (ev) { ev.preventDefault(); showNotice(i); jump("notice-view"); } }, label(i));
  }

  function exampleLink(x) {
    var n = N[x[0]];
    return el("a", { class: "who", href: "#notice-view", title: n.text.slice(x[1], x[2]),
      onclick: function (ev) { ev.preventDefault(); showNotice(x[0]); jump("notice-view"); } }, label(x[0]) + " @" + x[1]);
  }

  function renderPhrases() {
    var box = clear(byId("phrase-list"));
    var items = D.phrases.items;
    if (!items.length) { box.appendChild(el("p", { class: "note" }, "没有找到被多篇通报共用的表述（通报太少时无法识别套话）。")); return; }
    if (D.phrases.total > items.length) box.appendChild(el("p", { class: "note" }, "共 " + D.phrases.total + " 条，列出前 " + items.length + " 条。"));
    var body = el("tbody");
    box.appendChild(el("div", { class: "table-box" }, el("table", { class: "data", id: "phrase-rows" }, [
      el("thead", null, el("tr", null, [
        el("th", { class: "num" }, "序号"), el("th", null, "套话（最常见的写法）"), el("th", null, "位置"),
        el("th", { class: "num" }, "通报数"), el("th", { class: "num" }, "出现次数"), el("th", null, "计入套话"),
        el("th", null, "其他写法"), el("th", null, "示例"),
      ])), body,
    ])));
    function render(upto) {
      for (var k = body.children.length; k < upto; k++) {
        var p = items[k];
        var others = p.variants.slice(1).map(function (v) {
          return el("span", { class: "variant" }, short(v[0], 60) + " ×" + v[1]);
        });
        if (p.variant_count > p.variants.length) others.push(el("span", { class: "note" }, "另有 " + (p.variant_count - p.variants.length) + " 种写法"));
        body.appendChild(el("tr", { class: p.formulaic ? "formula" : "copied-formula" }, [
          el("td", { class: "num" }, String(k + 1)),
          el("td", { class: "phrase-text" }, [p.phrase, p.variants.length ? el("span", { class: "note" }, " ×" + p.variants[0][1]) : null]),
          el("td", null, p.role),
          el("td", { class: "num" }, String(p.notices)),
          el("td", { class: "num" }, String(p.occurrences)),
          el("td", { title: p.reason }, (p.formulaic ? "是" : "否（按照搬照抄计）")),
          el("td", { class: "variants" }, others),
          el("td", { class: "examples" }, p.examples.map(exampleLink)),
        ]));
      }
      moreButton(box, upto, items.length, PHRASES_STEP, render);
    }
    render(Math.min(items.length, PHRASES_STEP));
  }

  /* ---------- measure clusters and template reuse ---------- */

  function cards(boxId, section, emptyText, summary, details) {
    var box = clear(byId(boxId));
    var items = section.items;
    if (!items.length) { box.appendChild(el("p", { class: "note" }, emptyText)); return; }
    if (section.total > items.length) box.appendChild(el("p", { class: "note" }, "共 " + section.total + " 项，列出前 " + items.length + " 项。"));
    var list = el("div");
    box.appendChild(list);
    function render(upto) {
      for (var k = list.children.length; k < upto; k++) {
        (function (item) {
          var d = el("details", { class: "cluster" }, el("summary", null, summary(item)));
          d.addEventListener("toggle", function () { if (d.open && d.children.length === 1) d.appendChild(details(item)); });
          list.appendChild(d);
        }(items[k]));
      }
      moreButton(box, upto, items.length, CARDS_STEP, render);
    }
    render(Math.min(items.length, CARDS_STEP));
  }

  function renderClusters() {
    cards("cluster-list", D.clusters, "没有发现跨通报反复出现的措施。", function (c) {
      return [
        el("span", { class: "label" }, short(c.label, 90)), " ",
        el("span", { class: "chip" }, c.size + " 条措施"), el("span", { class: "chip" }, c.notices + " 篇通报"),
        el("span", { class: "chip" }, c.units + " 个单位"), c.theme ? el("span", { class: "chip" }, c.theme) : null,
      ];
    }, function (c) {
      var wrap = el("div");
      if (c.unit_names.length) wrap.appendChild(el("p", { class: "note" }, "涉及单位：" + c.unit_names.join("、")));
      wrap.appendChild(el("ol", null, c.members.map(function (m) {
        return el("li", null, [noticeLink(m[0]), N[m[0]].text.slice(m[1], m[2])]);
      })));
      if (c.members_total > c.members.length) wrap.appendChild(el("p", { class: "note" }, "另有 " + (c.members_total - c.members.length) + " 条未列出。"));
      return wrap;
    });
  }

  function renderReuse() {
    cards("reuse-list", D.reuse, "没有发现同一条措施被用于不同问题的情况。", function (r) {
      return [
        el("span", { class: "label" }, short(r.measure, 90)), " ",
        el("span", { class: "chip" }, label(r.notice)), el("span", { class: "chip" }, "用于 " + r.count + " 个问题"),
        r.problems.length ? el("span", { class: "chip" }, "问题 " + r.problems.join("、")) : null,
      ];
    }, function (r) {
      var text = N[r.notice].text;
      return el("ol", null, r.occurrences.map(function (o) {
        return el("li", null, [
          el("span", { class: "who" }, o[0] === null ? "问题" : "问题 " + o[0]), o[3] ? short(o[3], 80) : null,
          el("span", { class: "example" }, "措施：" + text.slice(o[1], o[2])),
        ]);
      }));
    });
  }

  /* ---------- per-notice view ---------- */

  var current = -1;

  function renderViewerBar() {
    var box = clear(byId("viewer"));
    var select = el("select", { id: "notice-select", "aria-label": "选择通报",
                                onchange: function () { showNotice(+select.value); } },
      N.map(function (n, i) { return el("option", { value: i }, short(label(i) + " — " + n.title, 70)); }));
    box.appendChild(el("div", { class: "viewer-bar" }, [
      el("button", { type: "button", onclick: function () { if (current > 0) showNotice(current - 1); } }, "上一篇"),
      select,
      el("button", { type: "button", onclick: function () { if (current < N.length - 1) showNotice(current + 1); } }, "下一篇"),
    ]));
    box.appendChild(el("div", { id: "viewer-body" }));
  }

  function showNotice(i, focus) {
    if (!byId("notice-select")) renderViewerBar();
    current = i;
    byId("notice-select").value = String(i);
    var n = N[i];
    var box = clear(byId("viewer-body"));
    var colour = {};
    n.sources.slice(0, PALETTE.length).forEach(function (s, k) { colour[s[0]] = PALETTE[k]; });
    box.appendChild(el("div", { class: "viewer-meta" }, [
      el("b", null, n.title), el("br"),
      n.id + " · " + (n.unit || "单位不详") + " · " + (n.date || "日期不详") + " · " + n.chars + " 字 · 问题 " + n.problems + " 个 · 措施 " + n.measures + " 条",
      el("br"),
      "总文字复制比 " + pct(n.copy_ratio) + " · 去除套话复制比 " + pct(n.copy_ratio_substantive) +
      (n.copy_ratio_unquoted === null ? "" : " · 去除引用复制比 " + pct(n.copy_ratio_unquoted)) +
      " · 单篇最大复制比 " + pct(n.max_source_ratio) + " · 套话占比 " + pct(n.formulaic_share),
    ]));
    box.appendChild(el("p", { class: "legend" }, [
      el("span", { class: "run", style: "background:" + PALETTE[0] }, "着色"), "：与其他通报相同（按来源着色）　",
      el("span", { class: "formulaic" }, "下划虚线"), "：套话（不计入去除套话复制比）",
      D.meta.references && D.meta.references.length ? el("span", null, ["　", el("span", { class: "quoted" }, "绿色方框"), "：引用参考文件（不计入去除引用复制比）"]) : null,
    ]));
    if (n.sources.length) {
      var legend = el("div", { class: "sources" });
      n.sources.forEach(function (s) {
        legend.appendChild(el("span", { class: "source", title: N[s[0]].title, onclick: function () { openPair(i, s[0]); } }, [
          el("i", { style: "background:" + (colour[s[0]] || OTHER) }), label(s[0]) + " " + pct(s[2]),
        ]));
      });
      if (n.sources_total > n.sources.length) legend.appendChild(el("span", { class: "note" }, "另有 " + (n.sources_total - n.sources.length) + " 篇来源"));
      box.appendChild(legend);
    } else {
      box.appendChild(el("p", { class: "note" }, "这篇通报与其他通报没有相同的句段。"));
    }
    var text = n.text;
    var owner = new Int32Array(text.length).fill(-1);
    n.runs.forEach(function (r) { owner.fill(r[2], r[0], r[1]); });
    var form = new Uint8Array(text.length);
    n.formulaic.forEach(function (f) { form.fill(1, f[0], f[1]); });
    (n.quoted || []).forEach(function (f) { for (var q = f[0]; q < f[1]; q++) form[q] |= 2; });
    var frag = document.createDocumentFragment();
    var first = null;
    var start = 0;
    for (var k = 1; k <= text.length; k++) {
      if (k < text.length && owner[k] === owner[start] && form[k] === form[start]) continue;
      var piece = text.slice(start, k), src = owner[start];
      var cls = (src >= 0 ? "run" : "") + (form[start] & 1 ? " formulaic" : "") + (form[start] & 2 ? " quoted" : "");
      if (!cls) {
        frag.appendChild(document.createTextNode(piece));
      } else {
        var span = el("span", { class: cls.trim() }, piece);
        if (src >= 0) {
          span.style.background = colour[src] || OTHER;
          span.title = "与 " + label(src) + " 相同（点击查看对照）";
          span.setAttribute("data-src", src);
          if (focus === src && !first) first = span;
        } else {
          span.title = form[start] & 2 ? "引用" : "套话";
        }
        frag.appendChild(span);
      }
      start = k;
    }
    var body = el("div", { class: "notice-text", id: "notice-text" });
    body.appendChild(frag);
    body.addEventListener("click", function (ev) {
      var s = ev.target.getAttribute && ev.target.getAttribute("data-src");
      if (s !== null && s !== undefined) openPair(i, +s);
    });
    box.appendChild(body);
    if (first) body.scrollTop = Math.max(0, first.offsetTop - body.offsetTop - 40);
  }

  /* ---------- start ---------- */

  function start() {
    var t0 = Date.now();
    safely(renderFindings);
    safely(renderNoticeTable);
    safely(renderHeatmapControls);
    safely(renderHeatmap);
    safely(function () { openPairs[0] = true; renderPairs(0); });
    safely(renderPhrases);
    safely(renderClusters);
    safely(renderReuse);
    safely(function () {
      renderViewerBar();
      if (!N.length) return;
      var m = /^#n=(\d+)$/.exec(location.hash);
      showNotice(m ? Math.min(N.length, Math.max(1, +m[1])) - 1 : sortedNotices()[0].index);
    });
    document.body.setAttribute("data-render-ms", String(Date.now() - t0));
    document.body.setAttribute("data-ready", "1");
  }

  start();
}());
