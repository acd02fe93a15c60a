// WCAG AA contrast of every visible text on a page, computed from the rendered colours: the
// text's colour against the background it sits on (the nearest opaque backgrounds of its
// ancestors, translucent ones composited). AA asks 4.5:1, or 3:1 for large text (24 px, or
// 18.66 px bold). Returns the texts that fall short, with their ratio.
export async function lowContrast(page) {
  return page.evaluate(() => {
    const rgba = (s) => {
      const m = s.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
    const luminance = ([r, g, b]) => {
      const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (e) => {
      const layers = [];
      for (let n = e; n; n = n.parentElement) {
        const c = rgba(getComputedStyle(n).backgroundColor);
        if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
      }
      let bg = [255, 255, 255, 1];
      while (layers.length) bg = over(layers.pop(), bg);
      return bg;
    };
    const short = [];
    const seen = new Set();
    const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) {
      const text = texts.currentNode.textContent.trim();
      const e = texts.currentNode.parentElement;
      if (!text || seen.has(e) || ["SCRIPT", "STYLE", "OPTION"].includes(e.tagName)) continue;
      seen.add(e);
      if (!e.checkVisibility({ visibilityProperty: true })) continue;
      const style = getComputedStyle(e);
      const bg = background(e);
      const fg = over(rgba(style.color), bg);
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (parseInt(style.fontWeight, 10) >= 700 && size >= 18.66);
      if (ratio < (large ? 3 : 4.5)) short.push(`${e.tagName.toLowerCase()}.${e.className} "${text.slice(0, 40)}" ${ratio.toFixed(2)}:1`);
    }
    return short;
  });
}
