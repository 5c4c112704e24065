/**
 * The end-of-lesson picture: the dashboard's SVG charts and graph drawn side by side on one canvas,
 * each under its title, as a PNG. Browser only (Image, canvas).
 */

const TITLE_HEIGHT = 22;

function svgImage(svg: SVGSVGElement): Promise<HTMLImageElement> {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  const source = new XMLSerializer().serializeToString(copy);
  const image = new Image();
  return new Promise((resolve, reject) => {
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`could not draw the chart "${svg.getAttribute("aria-label") ?? "?"}"`));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(source)}`;
  });
}

export async function svgsToPng(svgs: readonly SVGSVGElement[], columns = 2, cellWidth = 640): Promise<Blob> {
  const images = await Promise.all(svgs.map(svgImage));
  const heights = svgs.map((svg) => {
    const box = svg.viewBox.baseVal;
    return TITLE_HEIGHT + (box && box.width > 0 ? (cellWidth * box.height) / box.width : cellWidth / 2);
  });
  const rows = Math.ceil(svgs.length / columns);
  const rowHeights = [...Array(rows).keys()].map((r) => Math.max(...heights.slice(r * columns, (r + 1) * columns)));
  const canvas = document.createElement("canvas");
  canvas.width = columns * cellWidth;
  canvas.height = rowHeights.reduce((a, b) => a + b, 0);
  const context = canvas.getContext("2d");
  if (!context) throw new Error("this browser cannot draw on a canvas");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.font = "14px system-ui, sans-serif";
  let top = 0;
  images.forEach((image, i) => {
    const column = i % columns;
    if (i > 0 && column === 0) top += rowHeights[Math.floor(i / columns) - 1]!;
    const x = column * cellWidth;
    context.fillStyle = "#1d2230";
    context.fillText(svgs[i]!.getAttribute("aria-label") ?? "", x + 8, top + 16);
    context.drawImage(image, x, top + TITLE_HEIGHT, cellWidth, heights[i]! - TITLE_HEIGHT);
  });
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the PNG could not be encoded"))), "image/png"),
  );
}
