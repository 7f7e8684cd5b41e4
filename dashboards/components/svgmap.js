// GCRM overview map: draws the scene built by svgmap.py as SVG (no WebGL).
// Tooltips, wheel / button zoom, drag to pan, month frames, and a click (or Enter) on a
// pickable area, point or line sent to Python as the trigger value "clicked" (its data-id).
// Draw mode (scenes with "draw"): a toggle button; click to add vertices, double-click or click
// the first vertex to close, Esc to cancel; the polygon goes to Python in lon/lat ("drawn").

const NS = "http://www.w3.org/2000/svg";

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}

function pickAttrs(layer, it) {
  if (!layer.pick) return "";
  return ` class="pick" tabindex="0" role="button" data-id="${esc(it.id)}" ` +
    `aria-label="${esc((it.tip || [])[0] || it.id)}"`;
}

function layerSvg(layer, li) {
  const items = layer.items || [];
  const out = [];
  if (layer.kind === "areas") {
    out.push(`<g class="areas" data-layer="${esc(layer.id)}" opacity="${layer.opacity}">`);
    items.forEach((it, i) => {
      const pick = layer.pick ? ` class="pick" tabindex="0" role="button" ` +
        `aria-label="${esc(it.tip[0])}"` : "";
      const op = it.op === undefined ? "" : ` fill-opacity="${it.op}"`;
      out.push(`<path d="${it.d}" fill="${it.fill}"${op} data-id="${esc(it.id)}" ` +
        `data-t="${li}:${i}"${pick}/>`);
    });
  } else if (layer.kind === "outline") {
    out.push(`<g class="outline" data-layer="${esc(layer.id)}" stroke="${layer.color}" ` +
      `stroke-opacity="${layer.opacity}" stroke-width="${layer.width}">`);
    items.forEach((it) => out.push(`<path d="${it.d}"/>`));
  } else if (layer.kind === "lines") {
    out.push(`<g class="lines" data-layer="${esc(layer.id)}" stroke="${layer.color}" ` +
      `stroke-opacity="${layer.opacity}" stroke-width="${layer.width}">`);
    items.forEach((it, i) => {
      const own = (it.stroke ? ` stroke="${it.stroke}" stroke-opacity="${it.op}"` : "") +
        (it.w ? ` stroke-width="${it.w}"` : "");
      out.push(`<path d="${it.d}"${own} data-t="${li}:${i}"${pickAttrs(layer, it)}/>`);
    });
  } else if (layer.kind === "points") {
    out.push(`<g class="points${layer.stroke ? " stroked" : ""}" data-layer="${esc(layer.id)}">`);
    items.forEach((it, i) => out.push(
      `<circle cx="${it.x}" cy="${it.y}" r="${it.r}" fill="${it.fill}" ` +
      `fill-opacity="${it.op}" data-t="${li}:${i}"${pickAttrs(layer, it)}/>`));
  } else if (layer.kind === "labels") {
    out.push(`<g class="labels" data-layer="${esc(layer.id)}" data-size="${layer.size}">`);
    items.forEach((it) => out.push(
      `<text x="${it.x}" y="${it.y}" data-id="${esc(it.id)}">${esc(it.text)}</text>`));
  } else {
    return "";
  }
  out.push("</g>");
  return out.join("");
}

function build(root) {
  root.innerHTML =
    '<svg xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet"></svg>' +
    '<div class="tip" role="tooltip" hidden></div>' +
    '<div class="frame-label" hidden></div>' +
    '<div class="controls"><button type="button" data-z="in"></button>' +
    '<button type="button" data-z="out"></button>' +
    '<button type="button" data-z="reset"></button>' +
    '<button type="button" data-z="draw" aria-pressed="false" hidden></button></div>';
  const svg = root.querySelector("svg");
  const tip = root.querySelector(".tip");
  const st = root._st;

  const userPoint = (ev) => {
    const p = svg.createSVGPoint();
    p.x = ev.clientX; p.y = ev.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  };
  const showTip = (ev) => {
    const el = ev.target.closest && ev.target.closest("[data-t]");
    const hl = svg.querySelector("path.hl");
    const hlArea = el && el.classList.contains("pick") && el.closest("g.areas");
    if (hl) hl.setAttribute("d", hlArea ? el.getAttribute("d") : "");
    if (!el || st.drag) { tip.hidden = true; return; }
    const [li, i] = el.getAttribute("data-t").split(":").map(Number);
    const t = st.data.layers[li].items[i].tip || [];
    tip.replaceChildren();
    t.forEach((line, k) => {
      if (!line) return;
      const div = document.createElement("div");
      if (k === 0) div.className = "title";
      div.textContent = line;
      tip.appendChild(div);
    });
    const box = root.getBoundingClientRect();
    tip.hidden = tip.childElementCount === 0;
    const x = ev.clientX - box.left, y = ev.clientY - box.top;
    tip.style.left = `${Math.min(x + 14, box.width - 220)}px`;
    tip.style.top = `${y + 14}px`;
  };
  svg.addEventListener("pointermove", (ev) => {
    if (st.drag && ev.buttons === 0) st.drag = null; // released outside the map
    if (st.drag) {
      const p = userPoint(ev);
      const dx = p.x - st.drag.x, dy = p.y - st.drag.y;
      if (Math.abs(ev.clientX - st.drag.cx) + Math.abs(ev.clientY - st.drag.cy) > 4) {
        st.drag.moved = true;
      }
      if (st.drag.moved) {
        st.vb[0] -= dx; st.vb[1] -= dy;
        apply(root);
      }
      return;
    }
    if (st.drawing) { st.cursor = userPoint(ev); drawOverlay(root); }
    showTip(ev);
  });
  svg.addEventListener("pointerleave", () => {
    tip.hidden = true;
    svg.querySelector("path.hl")?.setAttribute("d", "");
  });
  svg.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    const p = userPoint(ev);
    st.drag = { x: p.x, y: p.y, cx: ev.clientX, cy: ev.clientY, moved: false };
  });
  const endDrag = () => {
    st.wasDrag = !!(st.drag && st.drag.moved);
    st.drag = null;
  };
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  const pick = (el) => {
    if (!el || !el.classList.contains("pick")) return;
    st.setTriggerValue("clicked", el.getAttribute("data-id"));
  };
  svg.addEventListener("click", (ev) => {
    if (st.wasDrag) { st.wasDrag = false; return; }
    if (st.drawing) { addVertex(root, userPoint(ev)); return; }
    pick(ev.target.closest && ev.target.closest(".pick"));
  });
  svg.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      pick(ev.target.closest && ev.target.closest(".pick"));
    }
  });
  svg.addEventListener("dblclick", (ev) => {
    if (st.drawing) { ev.preventDefault(); closeShape(root); }
  });
  const onKey = (ev) => {
    if (!root.isConnected) { document.removeEventListener("keydown", onKey); return; }
    if (ev.key === "Escape" && st.drawing) setDrawing(root, false);
  };
  document.addEventListener("keydown", onKey);
  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    zoom(root, Math.exp(-ev.deltaY * 0.0015), userPoint(ev));
  }, { passive: false });
  root.querySelector(".controls").addEventListener("click", (ev) => {
    const z = ev.target.closest("button")?.getAttribute("data-z");
    if (z === "in") zoom(root, 1.6);
    else if (z === "out") zoom(root, 1 / 1.6);
    else if (z === "reset") { st.vb = [0, 0, st.data.w, st.data.h]; apply(root); }
    else if (z === "draw") setDrawing(root, !st.drawing);
  });
}

// ---- draw mode: vertices in the SVG's user units (the scene's pixels)
function setDrawing(root, on) {
  const st = root._st;
  st.drawing = on;
  st.verts = [];
  st.cursor = null;
  root.classList.toggle("drawing", on);
  root.querySelector('button[data-z="draw"]').setAttribute("aria-pressed", String(on));
  drawOverlay(root);
}

function screenPx(root) {
  const svg = root.querySelector("svg");
  return root._st.vb[2] / (svg.getBoundingClientRect().width || root._st.data.w);
}

function addVertex(root, p) {
  const st = root._st, v = st.verts, k = screenPx(root);
  const near = (a) => Math.hypot(a[0] - p.x, a[1] - p.y) < 8 * k;
  if (v.length >= 3 && near(v[0])) { closeShape(root); return; }
  if (v.length && near(v[v.length - 1])) return; // the second click of a double-click
  v.push([p.x, p.y]);
  drawOverlay(root);
}

function closeShape(root) {
  const st = root._st, pr = st.data.proj;
  if (st.verts.length < 3 || !pr) return;
  const ring = st.verts.map(([x, y]) => {
    const wx = pr.x0 + x / pr.scale, wy = pr.y0 + y / pr.scale;
    const lat = Math.atan(Math.sinh(Math.PI * (1 - 2 * wy / pr.world))) * 180 / Math.PI;
    return [wx / pr.world * 360 - 180, lat];
  });
  ring.push(ring[0]);
  setDrawing(root, false);
  st.setTriggerValue("drawn", JSON.stringify({ type: "Polygon", coordinates: [ring] }));
}

function drawOverlay(root) {
  const st = root._st, svg = root.querySelector("svg");
  let g = svg.querySelector("g.draw");
  if (!g) {
    g = document.createElementNS(NS, "g");
    g.setAttribute("class", "draw");
    svg.appendChild(g);
  }
  const v = st.verts || [];
  if (!st.drawing || !v.length) { g.innerHTML = ""; return; }
  const pts = st.cursor ? [...v, [st.cursor.x, st.cursor.y]] : v;
  const r = (5 * screenPx(root)).toFixed(2);
  g.innerHTML = `<path d="M${pts.map((p) => p.join(" ")).join("L")}"/>` +
    v.map((p, i) => `<circle cx="${p[0]}" cy="${p[1]}" r="${r}"${i ? "" : ' class="first"'}/>`)
      .join("");
}

function zoom(root, factor, at) {
  const st = root._st, vb = st.vb, d = st.data;
  const w = Math.min(Math.max(vb[2] / factor, d.w / 256), d.w * 2);
  const f = vb[2] / w;
  const cx = at ? at.x : vb[0] + vb[2] / 2, cy = at ? at.y : vb[1] + vb[3] / 2;
  st.vb = [cx - (cx - vb[0]) / f, cy - (cy - vb[1]) / f, w, vb[3] / f];
  apply(root);
}

function apply(root) {
  const st = root._st, vb = st.vb, svg = root.querySelector("svg");
  svg.setAttribute("viewBox", vb.map((v) => v.toFixed(2)).join(" "));
  const px = svg.getBoundingClientRect().width || st.data.w;
  const k = vb[2] / px; // user units per screen px: labels keep their size in px
  svg.querySelectorAll("g.labels").forEach((g) => {
    const size = Number(g.getAttribute("data-size")) * k;
    g.setAttribute("font-size", size.toFixed(3));
    g.setAttribute("stroke-width", (size * 0.3).toFixed(3));
  });
}

function play(root) {
  const st = root._st, d = st.data, label = root.querySelector(".frame-label");
  const key = JSON.stringify(d.frames.map((f) => f.label));
  if (!d.frames.length || st.played === key) return;
  st.played = key;
  const paths = {};
  root.querySelectorAll("g.areas path[data-id]").forEach((p) => { paths[p.getAttribute("data-id")] = p; });
  const original = Object.fromEntries(Object.entries(paths).map(([id, p]) => [id, p.getAttribute("fill")]));
  let i = 0;
  label.hidden = false;
  const step = () => {
    if (st.data !== d) return; // a newer scene arrived
    if (i >= d.frames.length) {
      Object.entries(original).forEach(([id, f]) => paths[id].setAttribute("fill", f));
      label.hidden = true;
      return;
    }
    const fr = d.frames[i++];
    Object.entries(paths).forEach(([id, p]) => p.setAttribute("fill", fr.fills[id] || "#dcdcdc"));
    label.textContent = fr.label;
    setTimeout(step, 700);
  };
  step();
}

export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  let root = parentElement.querySelector(".gcrm-svgmap");
  if (!root) {
    root = document.createElement("div");
    root.className = "gcrm-svgmap";
    root._st = { vb: null, view: null };
    parentElement.appendChild(root);
    build(root);
    new ResizeObserver(() => apply(root)).observe(root);
  }
  const st = root._st;
  st.data = data;
  st.setTriggerValue = setTriggerValue;
  const svg = root.querySelector("svg");
  svg.style.aspectRatio = `${data.w} / ${data.h}`;
  svg.setAttribute("data-view", data.view);
  const tiles = (data.tiles || []).map((t) =>
    `<image href="${esc(t.href)}" x="${t.x}" y="${t.y}" width="${t.size}" height="${t.size}"/>`);
  svg.innerHTML = `<g class="tiles">${tiles.join("")}</g>` +
    data.layers.map((l, i) => layerSvg(l, i)).join("") +
    '<path class="hl" d=""/>'; // the hovered region's outline, above its neighbours
  if (st.view !== data.view || !st.vb) {
    st.vb = [0, 0, data.w, data.h];
    st.view = data.view;
  }
  const ui = data.ui || {};
  root.querySelectorAll(".controls button").forEach((b) => {
    const z = b.getAttribute("data-z");
    b.textContent = { in: "+", out: "\u2212", reset: "\u27f2", draw: "\u270e" }[z];
    b.title = ui[z] || z;
    b.setAttribute("aria-label", ui[z] || z);
  });
  root.querySelector('button[data-z="draw"]').hidden = !data.draw;
  if (!data.draw && st.drawing) setDrawing(root, false);
  drawOverlay(root); // the scene's SVG was replaced: the polygon being drawn again on top
  root.querySelector(".tip").hidden = true;
  apply(root);
  play(root);
}
