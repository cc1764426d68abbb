/** The editor shows pictures from local object URLs and remembers each one's blob in
 *  `data-blob`; the article stores them as `xin-blob:<hash>` (the only pictures the server
 *  keeps). Other pictures (pasted from the web) are dropped: articles carry no remote content. */
export function editorHtml(html: string): string {
  return html.replace(/<img\b[^>]*>/gi, (tag) => {
    const blob = /\bdata-blob="([0-9a-f]{64})"/.exec(tag)?.[1];
    if (!blob) return "";
    const alt = /\balt="([^"]*)"/.exec(tag)?.[1] ?? "";
    return `<img src="xin-blob:${blob}" alt="${alt}">`;
  });
}
