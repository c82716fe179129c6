/**
 * PNG and SVG of a view: each view marks its figure (an <svg> or a <canvas>) with `data-figure`; an SVG figure is
 * serialised as it is, a canvas is wrapped in an SVG <image>, and PNGs are rasterised at 2x.
 */

export function download(fileName: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  // Revoke after the click has been handled, or the download may find no data.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function figureOf(region: string): SVGSVGElement | HTMLCanvasElement | null {
  return document.querySelector<SVGSVGElement | HTMLCanvasElement>(`[role="region"][aria-label="${region}"] [data-figure]`);
}

function svgText(el: SVGSVGElement | HTMLCanvasElement): string {
  if (el instanceof HTMLCanvasElement) {
    const w = el.clientWidth, h = el.clientHeight;
    return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${w}" height="${h}"><image width="${w}" height="${h}" href="${el.toDataURL('image/png')}"/></svg>`;
  }
  const clone = el.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const box = el.getBoundingClientRect();
  clone.setAttribute('width', String(box.width));
  clone.setAttribute('height', String(box.height));
  // Text colour comes from CSS (currentColor): fix it so the file reads the same outside the page.
  clone.style.color = getComputedStyle(el).color;
  return new XMLSerializer().serializeToString(clone);
}

export function exportSvg(region: string): boolean {
  const el = figureOf(region);
  if (!el) return false;
  download(`meshplan-${region.toLowerCase()}.svg`, new Blob([svgText(el)], { type: 'image/svg+xml' }));
  return true;
}

export async function exportPng(region: string): Promise<boolean> {
  const el = figureOf(region);
  if (!el) return false;
  const scale = 2;
  const canvas = document.createElement('canvas');
  const box = el.getBoundingClientRect();
  canvas.width = Math.ceil(box.width * scale);
  canvas.height = Math.ceil(box.height * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = getComputedStyle(document.body).backgroundColor || '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (el instanceof HTMLCanvasElement) {
    ctx.drawImage(el, 0, 0, canvas.width, canvas.height);
  } else {
    const img = new Image();
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText(el))}`;
    await img.decode();
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  }
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) return false;
  download(`meshplan-${region.toLowerCase()}.png`, blob);
  return true;
}
